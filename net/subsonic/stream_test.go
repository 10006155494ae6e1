package subsonic_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"segue/cache"
	"segue/catalog"
	"segue/net/fetch"
	"segue/net/subsonic"
	"segue/net/subsonic/subsonictest"
)

// gate passes the first n bytes of a body, then waits for open to close.
type gate struct {
	r    io.ReadCloser
	n    int
	open chan struct{}
}

func (g *gate) Read(b []byte) (int, error) {
	if g.n <= 0 {
		<-g.open
		return g.r.Read(b)
	}
	k, err := g.r.Read(b[:min(len(b), g.n)])
	g.n -= k
	return k, err
}

func (g *gate) Close() error { return g.r.Close() }

// TestStreamPlaysBeforeTheDownloadEnds: with the server's stream held after
// its first 32 kB (a 96 kbit/s segment is 30 kB), the manifest and the first segment are there; the
// segments, once the stream goes on, are its frames in order, the track is
// then stored whole in the cache, and a download released from memory
// (more than two tracks later) is read from the cache by its provisional
// keys.
func TestStreamPlaysBeforeTheDownloadEnds(t *testing.T) {
	s := subsonictest.Gonic(t, subsonictest.Library(t))
	target, _ := url.Parse(s.Base)
	open := make(chan struct{})
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(r *http.Response) error {
		if strings.HasSuffix(r.Request.URL.Path, "/stream") {
			r.Body = &gate{r: r.Body, n: 32 << 10, open: open}
		}
		return nil
	}
	srv := httptest.NewServer(proxy)
	defer srv.Close()
	defer func() {
		select {
		case <-open:
		default:
			close(open)
		}
	}()

	store, err := cache.Open(filepath.Join(t.TempDir(), "cache.db"), cache.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	c, err := subsonic.New("subsonic+"+srv.URL[:4]+"://"+s.User+"@"+strings.TrimPrefix(srv.URL, "http://"),
		subsonic.Options{Password: s.Password, Store: store, Kbps: 96})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := c.Search(ctx, "tone", 5)
	if err != nil || len(res.Tracks) != 2 {
		t.Fatalf("search: %+v, %v", res, err)
	}
	id := res.Tracks[0].ID
	m, err := c.Manifest(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	segs := c.Segments(fetch.New(store, nil, fetch.Options{}))
	first, _, err := segs.Segment(ctx, m.Renditions[0].Segments[0].Hash, catalog.UrgencyNow)
	if err != nil || len(first) == 0 {
		t.Fatalf("first segment while the stream is held: %d bytes, %v", len(first), err)
	}
	close(open)

	var got []byte
	for _, sg := range m.Renditions[0].Segments {
		b, _, err := segs.Segment(ctx, sg.Hash, catalog.UrgencySoon)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, b...)
	}
	stored, err := c.Download(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var whole []byte
	for _, sg := range stored.Renditions[0].Segments {
		b, err := store.Get(sg.Hash)
		if err != nil {
			t.Fatal(err)
		}
		whole = append(whole, b...)
	}
	if !bytes.Equal(got, whole) || len(whole) == 0 {
		t.Fatalf("streamed %d bytes, stored %d: not the same frames", len(got), len(whole))
	}

	// Two more downloads release the first one's bytes: its provisional
	// keys now read the cache.
	for _, tr := range []catalog.Track{res.Tracks[1], res.Tracks[0]} {
		if _, err := c.Download(ctx, tr.ID); err != nil {
			t.Fatal(err)
		}
	}
	other, err := c.Search(ctx, "breeze", 1)
	if err != nil || len(other.Tracks) != 1 {
		t.Fatalf("search breeze: %+v, %v", other, err)
	}
	if _, err := c.Download(ctx, other.Tracks[0].ID); err != nil {
		t.Fatal(err)
	}
	b, _, err := segs.Segment(ctx, m.Renditions[0].Segments[0].Hash, catalog.UrgencyNow)
	if err != nil || !bytes.Equal(b, first) {
		t.Fatalf("first segment of a released download: %d bytes, %v; want the %d bytes streamed", len(b), err, len(first))
	}
}

// TestOneStreamForConcurrentPlays: the current track and a prefetch (or a
// pin) asking for the same track at once share one stream request.
func TestOneStreamForConcurrentPlays(t *testing.T) {
	s := subsonictest.Gonic(t, subsonictest.Library(t))
	target, _ := url.Parse(s.Base)
	var streams atomic.Int32
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/stream") {
			streams.Add(1)
		}
		proxy.ServeHTTP(w, r)
	}))
	defer srv.Close()
	c, err := subsonic.New("subsonic+http://"+s.User+"@"+strings.TrimPrefix(srv.URL, "http://"), subsonic.Options{Password: s.Password})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	res, err := c.Search(t.Context(), "morning", 1)
	if err != nil || len(res.Tracks) != 1 {
		t.Fatalf("search: %+v, %v", res, err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := c.Manifest(t.Context(), res.Tracks[0].ID)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := streams.Load(); n != 1 {
		t.Errorf("8 plays of one track at once sent %d stream requests, want 1", n)
	}
}
