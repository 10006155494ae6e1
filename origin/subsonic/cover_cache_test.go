package subsonic

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"testing"

	"segue/origin"
)

// TestCoverArtSizeCached: a Subsonic app asks for the same covers at the
// same size again and again (scrolling a grid back), and getCoverArt
// decoded and scaled the stored cover for each request. The second ask
// is now answered from memory with the same bytes and no scaling; past
// Options.CoverCacheBytes the least recently used size is dropped and
// scaled again when asked.
func TestCoverArtSizeCached(t *testing.T) {
	lib := filepath.Join(t.TempDir(), "lib")
	tr := fixtureTrack{"Grid/Square/01.flac", "Tile", "Grid", "Square", "Pop", "2022", 1, 220}
	if err := writeTrack(lib, tr); err != nil {
		t.Fatal(err)
	}
	writePicture(t, filepath.Join(lib, "Grid/Square/cover.jpg"), 400, 400, false)
	ingested := func() origin.ServerOptions { // a data dir for one origin
		t.Helper()
		o := origin.ServerOptions{DataDir: filepath.Join(t.TempDir(), "data")}
		if _, err := origin.Ingest(context.Background(), lib, origin.IngestOptions{DataDir: o.DataDir, Jobs: 1}); err != nil {
			t.Fatal(err)
		}
		return o
	}

	f := serve(t, ingested())
	album := f.albums["Square"].ID
	cover := func(f *fixture, size int) []byte {
		t.Helper()
		resp, body := f.call(t, "getCoverArt", url.Values{"id": {album}, "size": {strconv.Itoa(size)}})
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("getCoverArt size %d: HTTP %d %s: %.200s", size, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		return body
	}
	first := cover(f, 100)
	if n := f.api.scales.Load(); n != 1 {
		t.Fatalf("after one getCoverArt size 100: %d scales, want 1", n)
	}
	if again := cover(f, 100); !bytes.Equal(again, first) {
		t.Errorf("getCoverArt size 100 again: %d bytes, not the %d of the first answer", len(again), len(first))
	}
	if n := f.api.scales.Load(); n != 1 {
		t.Errorf("after getCoverArt size 100 twice: %d scales, want 1 (the second from memory)", n)
	}
	second := cover(f, 120)
	if n := f.api.scales.Load(); n != 2 {
		t.Errorf("after getCoverArt size 120: %d scales, want 2 (another size is another cover)", n)
	}

	// Room for either scaled cover, not both: each evicts the other.
	small := serveAPI(t, ingested(), Options{ServerVersion: "test", CoverCacheBytes: len(first) + len(second) - 1})
	for i, size := range []int{100, 100, 120, 100, 120, 120} {
		cover(small, size)
		if want := []int64{1, 1, 2, 3, 4, 4}[i]; small.api.scales.Load() != want {
			t.Fatalf("request %d (size %d) with room for one cover: %d scales, want %d", i+1, size, small.api.scales.Load(), want)
		}
	}
	small.api.covers.mu.Lock()
	defer small.api.covers.mu.Unlock()
	if got, max := small.api.covers.bytes, small.api.covers.max; got > max || got == 0 {
		t.Errorf("the cache holds %d bytes; want some, within its bound of %d", got, max)
	}
}

// coverCache evicts the least recently used cover first, counts bytes
// across replacements, and keeps no cover larger than its bound.
func TestCoverCacheEvictsLeastRecent(t *testing.T) {
	c := newCoverCache(6)
	a, b, d := coverKey{"h1", 10}, coverKey{"h1", 20}, coverKey{"h2", 10}
	c.put(a, []byte("aaa"))
	c.put(b, []byte("bbb"))
	if _, ok := c.get(a); !ok { // a is now the most recent
		t.Fatal("a missing before the bound was reached")
	}
	c.put(d, []byte("ddd"))
	if _, ok := c.get(b); ok {
		t.Error("b, the least recently used, was kept past the bound")
	}
	if got, ok := c.get(a); !ok || string(got) != "aaa" {
		t.Errorf("a: %q %v; want aaa kept", got, ok)
	}
	c.put(a, []byte("AA")) // scaled twice at once: replaced, bytes follow
	if c.bytes != 5 {
		t.Errorf("after replacing a: %d bytes counted, want 5", c.bytes)
	}
	c.put(coverKey{"h3", 10}, []byte("too large"))
	if _, ok := c.get(coverKey{"h3", 10}); ok || c.bytes != 5 {
		t.Errorf("a cover over the bound: kept %v, %d bytes counted; want not kept, 5", ok, c.bytes)
	}
}
