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
	f, song, _ := lostCover(t)
	r := startServer(t, ServerOptions{DataDir: f.dir}, "127.0.0.1:0")
	_, link := shared(t, r.base, "", "Lost cover", []string{song})
	_, body := get(t, "GET", link.String(), map[string]string{"Accept": "text/html"})
	if page := string(body); strings.Contains(page, "<img") || !strings.Contains(page, `<div class="nocover"></div>`) {
		t.Errorf("the page links a cover the origin cannot serve:\n%s", page)
	}
}

// A share page asks for each album's cover once: a playlist of one
// album's tracks, many times over, whose cover image is gone from the blob
// store, opened the store for every track on each view (one S3 request
// each), anyone holding the link could make the origin do so at will.
func TestSharePageAsksForEachCoverOnce(t *testing.T) {
	f, song, other := lostCover(t)
	store := &countingStore{Store: f.blobs}
	r := startServer(t, ServerOptions{DataDir: f.dir, Blobs: store}, "127.0.0.1:0")
	var ids []string
	for range 20 {
		ids = append(ids, song, other)
	}
	_, link := shared(t, r.base, "", "Lost cover", ids)
	before := store.asks()
	resp, body := get(t, "GET", link.String(), map[string]string{"Accept": "text/html"})
	if resp.StatusCode != 200 || !strings.Contains(string(body), `<div class="nocover"></div>`) {
		t.Fatalf("share page: %d, no empty cover square:\n%s", resp.StatusCode, body)
	}
	if n := store.asks() - before; n != 1 {
		t.Errorf("a view of a page of %d tracks of one album opened the blob store %d times; want once (the album's cover)", len(ids), n)
	}
}

// lostCover is a catalog of one album of two tracks (song, other) whose
// cover image is gone from the blob store.
func lostCover(t *testing.T) (f *fixture, song, other string) {
	f = newFixtureOn(t, sqliteEngine)
	cover := tinyPNG(t)
	band := f.artist("Band")
	album := f.album(band, "Band", "Lost", 2020, cover)
	song, _ = f.track(band, "Band", album, "Lost", "Gone", 1, 1, seg("g1", 1000))
	other, _ = f.track(band, "Band", album, "Lost", "Also gone", 1, 2, seg("g2", 1000))
	if err := f.blobs.Remove(context.Background(), blobs.Hash(cover)); err != nil {
		t.Fatal(err)
	}
	return f, song, other
}
