package origin

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"segue/internal/testkit"
	"segue/origin/blobs"
)

// A recipient on a phone opens a share page whose album has a large cover
// (an 800 px scan of noise: 2.5 MB, as covers ripped with FLACs can be):
// the page was that cover inlined as base64, over 3 MB more sent before the
// track list (and again on each visit: the page is not cached). The page
// now links the cover, a separate image the browser caches, and shows it.
func TestSharePageLinksItsCover(t *testing.T) {
	ctx := testkit.Chromium(t, 2*time.Minute)
	img := image.NewRGBA(image.Rect(0, 0, 800, 800))
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = byte(rnd.Uint32())
	}
	var cover bytes.Buffer
	if err := png.Encode(&cover, img); err != nil {
		t.Fatal(err)
	}
	f := newFixtureOn(t, sqliteEngine)
	band := f.artist("Band")
	album := f.album(band, "Band", "Scans", 2020, cover.Bytes())
	song, _ := f.track(band, "Band", album, "Scans", "Noise", 1, 1, seg("n1", 1000))
	r := startServer(t, ServerOptions{DataDir: f.dir}, "127.0.0.1:0")
	_, link := openShared(t, ctx, r.base, "", "Big cover", []string{song}, 390)

	if _, page := get(t, "GET", link.String(), map[string]string{"Accept": "text/html"}); len(page) > 32<<10 {
		t.Errorf("the page is %d bytes for a %d-byte cover: want the cover apart and the page under 32 KiB", len(page), cover.Len())
	}
	width, err := chromedp.Run(ctx, chromedp.Poll[int](`(() => { const i = document.querySelector("header img");
		return i && i.complete && i.naturalWidth > 0 ? i.naturalWidth : null; })()`, chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil || width != 800 {
		t.Errorf("the cover shows %d px wide (%v), want 800", width, err)
	}
}

// An album whose cover image is gone from the blob store (a store pruned
// by hand, a bucket's expiry rule) shows the page's empty cover square, not
// a broken image: the page links only a cover it can serve.
func TestSharePageWithoutItsCoverImage(t *testing.T) {
	f := newFixtureOn(t, sqliteEngine)
	cover := tinyPNG(t)
	band := f.artist("Band")
	album := f.album(band, "Band", "Lost", 2020, cover)
	song, _ := f.track(band, "Band", album, "Lost", "Gone", 1, 1, seg("g1", 1000))
	if err := f.blobs.Remove(context.Background(), blobs.Hash(cover)); err != nil {
		t.Fatal(err)
	}
	r := startServer(t, ServerOptions{DataDir: f.dir}, "127.0.0.1:0")
	_, link := shared(t, r.base, "", "Lost cover", []string{song})
	_, body := get(t, "GET", link.String(), map[string]string{"Accept": "text/html"})
	if page := string(body); strings.Contains(page, "<img") || !strings.Contains(page, `<div class="nocover"></div>`) {
		t.Errorf("the page links a cover the origin cannot serve:\n%s", page)
	}
}
