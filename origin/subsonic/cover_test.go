package subsonic

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	_ "image/jpeg" // decodes the answers
	"image/png"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"segue/origin"
)

// TestCoverArtSize: getCoverArt with size answers the cover scaled down to
// fit size x size, its aspect ratio kept, in its stored format: a wide
// PNG embedded in a file and a tall JPEG beside one, each half red and
// half blue, keep their halves where they were. A size the cover fits in
// answers the stored bytes; a client revalidating a scaled cover with its
// ETag gets 304.
func TestCoverArtSize(t *testing.T) {
	lib := filepath.Join(t.TempDir(), "lib")
	wide := fixtureTrack{"Wide/Poster/01.flac", "Landscape", "Wide", "Poster", "Pop", "2020", 1, 220}
	tall := fixtureTrack{"Tall/Portrait/01.flac", "Skyscraper", "Tall", "Portrait", "Pop", "2021", 1, 330}
	for _, tr := range []fixtureTrack{wide, tall} {
		if err := writeTrack(lib, tr); err != nil {
			t.Fatal(err)
		}
	}
	png := filepath.Join(t.TempDir(), "wide.png")
	writePicture(t, png, 400, 250, false)
	plain, withPic := filepath.Join(lib, wide.path), filepath.Join(t.TempDir(), "with-picture.flac")
	runFFmpeg(t, "-i", plain, "-i", png, "-map", "0:a", "-map", "1", "-c", "copy", "-disposition:v", "attached_pic", withPic)
	if err := os.Rename(withPic, plain); err != nil {
		t.Fatal(err)
	}
	writePicture(t, filepath.Join(lib, "Tall/Portrait/cover.jpg"), 150, 300, true)
	o := origin.ServerOptions{DataDir: filepath.Join(t.TempDir(), "data")}
	if _, err := origin.Ingest(context.Background(), lib, origin.IngestOptions{DataDir: o.DataDir, Jobs: 2}); err != nil {
		t.Fatal(err)
	}
	f := serve(t, o)
	poster, portrait := f.albums["Poster"], f.albums["Portrait"]
	if !poster.HasCover || !portrait.HasCover {
		t.Fatalf("covers after ingest: Poster %v, Portrait %v; want both", poster.HasCover, portrait.HasCover)
	}

	for _, c := range []struct {
		id, size, format string
		w, h             int
	}{
		{poster.ID, "100", "png", 100, 63},
		{f.tracks["Landscape"].ID, "40", "png", 40, 25},
		{portrait.ID, "60", "jpeg", 30, 60},
		{f.tracks["Skyscraper"].ID, "299", "jpeg", 150, 299},
	} {
		resp, body := f.call(t, "getCoverArt", url.Values{"id": {c.id}, "size": {c.size}})
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/"+c.format {
			t.Fatalf("getCoverArt %s size %s: HTTP %d %s: %.200s", c.id, c.size, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		img, format, err := image.Decode(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("getCoverArt %s size %s: %v", c.id, c.size, err)
		}
		if b := img.Bounds(); format != c.format || b.Dx() != c.w || b.Dy() != c.h {
			t.Errorf("getCoverArt %s size %s: a %dx%d %s, want %dx%d %s", c.id, c.size, b.Dx(), b.Dy(), format, c.w, c.h, c.format)
			continue
		}
		// Red where the picture was red, blue where it was blue.
		first, second := img.At(c.w/4, c.h/4), img.At(c.w-1-c.w/4, c.h-1-c.h/4)
		if !reddish(first) || reddish(second) {
			t.Errorf("getCoverArt %s size %s: %v near the top left, %v near the bottom right; want red, then blue", c.id, c.size, first, second)
		}

		req, err := http.NewRequest("GET", resp.Request.URL.String(), nil)
		if err != nil {
			t.Fatal(err)
		}
		// A 304 carries the 200's Cache-Control and ETag (RFC 9110 15.4.5;
		// a scaled cover's had no Cache-Control, so a cache revalidated it
		// at once), and If-None-Match: * matches it too.
		for _, inm := range []string{resp.Header.Get("ETag"), "*"} {
			req.Header.Set("If-None-Match", inm)
			again, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			again.Body.Close()
			etag := resp.Header.Get("ETag")
			if again.StatusCode != http.StatusNotModified || etag == "" || again.Header.Get("ETag") != etag ||
				again.Header.Get("Cache-Control") != resp.Header.Get("Cache-Control") {
				t.Errorf("getCoverArt %s size %s again with If-None-Match %s: HTTP %d, ETag %q, Cache-Control %q; want 304, %q, %q", c.id, c.size, inm,
					again.StatusCode, again.Header.Get("ETag"), again.Header.Get("Cache-Control"), etag, resp.Header.Get("Cache-Control"))
			}
		}
	}

	// With every scaling slot taken (a burst of large covers), a request
	// waits its turn instead of decoding at once, then is answered.
	for range cap(f.api.scaling) {
		f.api.scaling <- struct{}{}
	}
	answered := make(chan int, 1)
	go func() {
		resp, _ := f.call(t, "getCoverArt", url.Values{"id": {poster.ID}, "size": {"50"}})
		answered <- resp.StatusCode
	}()
	select {
	case code := <-answered:
		t.Fatalf("getCoverArt scaled with every slot taken: HTTP %d", code)
	case <-time.After(300 * time.Millisecond):
	}
	for range cap(f.api.scaling) {
		<-f.api.scaling
	}
	if code := <-answered; code != http.StatusOK {
		t.Errorf("getCoverArt after the slots came free: HTTP %d, want 200", code)
	}

	// A size the cover fits in: the stored bytes, as without one.
	want := httpGet(t, f.base+"/api/v1/albums/"+poster.ID+"/cover")
	for _, size := range []string{"400", "1000", "0"} {
		resp, body := f.call(t, "getCoverArt", url.Values{"id": {poster.ID}, "size": {size}})
		if resp.StatusCode != http.StatusOK || !bytes.Equal(body, want) {
			t.Errorf("getCoverArt size %s: HTTP %d, %d bytes; want the stored %d", size, resp.StatusCode, len(body), len(want))
		}
	}
}

// runFFmpeg runs ffmpeg with args, failing t when it fails.
func runFFmpeg(t testing.TB, args ...string) {
	t.Helper()
	if out, err := exec.Command("ffmpeg", append([]string{"-nostdin", "-v", "error", "-y"}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
	}
}

// writePicture writes a w x h image, red with its right (or, when tall,
// bottom) half blue, to path (its extension picks the format).
func writePicture(t testing.TB, path string, w, h int, tall bool) {
	t.Helper()
	box := "drawbox=x=iw/2:y=0:w=iw/2:h=ih:color=blue:t=fill"
	if tall {
		box = "drawbox=x=0:y=ih/2:w=iw:h=ih/2:color=blue:t=fill"
	}
	runFFmpeg(t, "-f", "lavfi", "-i", "color=c=red:s="+strconv.Itoa(w)+"x"+strconv.Itoa(h), "-vf", box, "-frames:v", "1", path)
}

// reddish reports whether c is more red than blue.
func reddish(c color.Color) bool {
	r, _, b, _ := c.RGBA()
	return r > 2*b
}

// scaleCover leaves a cover that fits, or one too large to decode, to be
// served as stored, and refuses bytes that are not the image they are
// stored as.
func TestScaleCoverLeavesAlone(t *testing.T) {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 30, 7))); err != nil {
		t.Fatal(err)
	}
	small := b.Bytes()
	// The same PNG claiming 5000 x 5000 pixels (IHDR: 8 bytes in, width
	// and height after the chunk's length and type; then its CRC).
	huge := bytes.Clone(small)
	binary.BigEndian.PutUint32(huge[16:], 5000)
	binary.BigEndian.PutUint32(huge[20:], 5000)
	binary.BigEndian.PutUint32(huge[29:], crc32.ChecksumIEEE(huge[12:29]))
	for _, c := range []struct {
		name       string
		data       []byte
		mime       string
		size       int
		wantErr    bool
		wantScaled bool
	}{
		{"fits", small, "image/png", 30, false, false},
		{"one pixel too wide", small, "image/png", 29, false, true},
		{"too large to decode", huge, "image/png", 100, false, false},
		{"a PNG stored as JPEG", small, "image/jpeg", 10, true, false},
		{"no image", []byte("not an image"), "image/jpeg", 10, true, false},
	} {
		out, err := scaleCover(c.data, c.mime, c.size)
		if (err != nil) != c.wantErr || (out != nil) != c.wantScaled {
			t.Errorf("%s: %d bytes, %v; want scaled %v, an error %v", c.name, len(out), err, c.wantScaled, c.wantErr)
		}
	}
	if cfg, err := png.DecodeConfig(bytes.NewReader(huge)); err != nil || cfg.Width*cfg.Height <= maxCoverPixels {
		t.Fatalf("the huge PNG reads as %+v, %v; want over maxCoverPixels", cfg, err)
	}
}
