package subsonic

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"sync"
	"time"
)

// avatarSize is the default avatar's width and height, in pixels: what
// apps show beside a user's name, at up to 2x.
const avatarSize = 128

// defaultAvatar is the PNG every user's avatar is (segue keeps no
// pictures of users), and its ETag, drawn once: a grey head and
// shoulders on a light ground, as apps draw for a user without a picture.
var defaultAvatar = sync.OnceValues(func() ([]byte, string) {
	ground := color.RGBA{0xdf, 0xe3, 0xe8, 0xff}
	figure := color.RGBA{0x9a, 0xa4, 0xb0, 0xff}
	img := image.NewPaletted(image.Rect(0, 0, avatarSize, avatarSize), color.Palette{ground, figure})
	inEllipse := func(x, y, cx, cy, rx, ry float64) bool {
		dx, dy := (x-cx)/rx, (y-cy)/ry
		return dx*dx+dy*dy <= 1
	}
	for y := range avatarSize {
		for x := range avatarSize {
			px, py := float64(x)+0.5, float64(y)+0.5
			if inEllipse(px, py, 64, 50, 24, 24) || inEllipse(px, py, 64, 128, 46, 40) {
				img.SetColorIndex(x, y, 1)
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic("encode the default avatar: " + err.Error()) // an in-memory paletted image always encodes
	}
	sum := sha256.Sum256(buf.Bytes())
	return buf.Bytes(), `"avatar-` + hex.EncodeToString(sum[:8]) + `"`
})

// getAvatar answers a user's avatar as the spec says, an image (its
// error document is for failures): segue keeps no pictures, so every
// user's (username, which apps give; left out, oneself's) is the same
// default one, as Navidrome answers without Gravatar. An image rather
// than error 70, because an app asks for it only to show it beside a
// name, through its image loader, which makes of an error document a
// broken image and never shows its message. The same picture for any
// name also tells nothing about which users exist.
func getAvatar(rq *request) *Response {
	data, etag := defaultAvatar()
	h := rq.w.Header()
	h.Set("Content-Type", "image/png")
	h.Set("Cache-Control", "private, max-age=86400") // a day: it never changes while this build runs
	h.Set("ETag", etag)
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(rq.w, rq.Request, "", time.Time{}, bytes.NewReader(data))
	return nil
}
