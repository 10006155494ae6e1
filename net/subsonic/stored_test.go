package subsonic_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"segue/cache"
	"segue/net/subsonic"
	"segue/net/subsonic/subsonictest"
)

// TestStoredAnswersForStalledServer: a real gonic behind a proxy that
// hangs (as a stopped server or a hung proxy does: connections taken,
// nothing answered) has a listing with a stored answer given that answer
// after originclient.StoredWait, and the next ones at once without asking.
// Each waited out the client's 15 s answer timeout and then failed, stored
// answer or not: only a refused connection let it through.
func TestStoredAnswersForStalledServer(t *testing.T) {
	s := subsonictest.Gonic(t, subsonictest.Library(t))
	target, err := url.Parse(s.Base)
	if err != nil {
		t.Fatal(err)
	}
	pass := httputil.NewSingleHostReverseProxy(target)
	var stalled atomic.Bool
	var asked atomic.Int32
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !stalled.Load() {
			pass.ServeHTTP(w, r)
			return
		}
		asked.Add(1)
		<-r.Context().Done() // never answers
	}))
	t.Cleanup(front.Close)
	store, err := cache.Open(filepath.Join(t.TempDir(), "cache.db"), cache.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	s.Base = front.URL
	c := client(t, s, subsonic.Options{Store: store})
	ctx := t.Context()
	artists, err := c.Artists(ctx)
	if err != nil || len(artists) == 0 {
		t.Fatalf("Artists = %+v, %v", artists, err)
	}
	ar, err := c.Artist(ctx, artists[0].ID)
	if err != nil || len(ar.Albums) == 0 {
		t.Fatalf("Artist = %+v, %v", ar, err)
	}
	al, err := c.Album(ctx, ar.Albums[0].ID)
	if err != nil {
		t.Fatal(err)
	}

	stalled.Store(true)
	const bound = 5 * time.Second // generous: StoredWait; it was 15 s, then a failure
	start := time.Now()
	got, err := c.Album(ctx, al.ID)
	if took := time.Since(start); err != nil || got.Title != al.Title || len(got.Tracks) != len(al.Tracks) || took > bound {
		t.Fatalf("Album, server stalled: %+v, %v after %v; want the stored answer (%q, %d tracks) within %v", got, err, took, al.Title, len(al.Tracks), bound)
	}
	start = time.Now()
	again, err := c.Artists(ctx)
	if took := time.Since(start); err != nil || len(again) != len(artists) || took > bound {
		t.Fatalf("Artists, server stalled: %d, %v after %v; want the stored %d within %v", len(again), err, took, len(artists), bound)
	}
	if n := asked.Load(); n != 1 {
		t.Errorf("the stalled server was asked %d times; want once (then stored answers are given without asking)", n)
	}
}
