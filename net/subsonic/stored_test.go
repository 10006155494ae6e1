package subsonic_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"segue/cache"
	"segue/catalog"
	"segue/internal/testkit"
	"segue/net/stale"
	"segue/net/subsonic"
	"segue/net/subsonic/subsonictest"
)

// stalledGonic is a client of a real gonic behind a proxy that passes
// requests on until stall is given a path prefix, then hangs on the
// requests under it (as a stopped server or a hung proxy does: connections
// taken, nothing answered), counting them in asked.
func stalledGonic(t *testing.T) (c *subsonic.Client, stall *atomic.Value, asked *atomic.Int32) {
	s := subsonictest.Gonic(t, subsonictest.Library(t))
	target, err := url.Parse(s.Base)
	if err != nil {
		t.Fatal(err)
	}
	pass := httputil.NewSingleHostReverseProxy(target)
	stall, asked = new(atomic.Value), new(atomic.Int32)
	stall.Store("")
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := stall.Load().(string); p == "" || !strings.HasPrefix(r.URL.Path, p) {
			pass.ServeHTTP(w, r)
			return
		}
		asked.Add(1)
		<-r.Context().Done() // never answers
	}))
	t.Cleanup(front.Close)
	s.Base = front.URL
	return client(t, s, subsonic.Options{Store: openStore(t)}), stall, asked
}

// openStore opens a cache in a new folder, closed with t.
func openStore(t *testing.T) *cache.Cache {
	store, err := cache.Open(filepath.Join(t.TempDir(), "cache.db"), cache.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// TestStoredAnswersForStalledServer: a stalled server has a listing with a
// stored answer given that answer after stale.Wait, and the
// next ones at once without asking. Each waited out the client's 15 s
// answer timeout and then failed, stored answer or not: only a refused
// connection let it through.
func TestStoredAnswersForStalledServer(t *testing.T) {
	c, stall, asked := stalledGonic(t)
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

	stall.Store("/")
	const bound = 5 * time.Second // generous: stale.Wait; it was 15 s, then a failure
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

// TestStoredCoverForStalledServer: a stored cover is given after
// stale.Wait when the server does not answer, whether only
// its covers stall or the whole server does; it waited out the 15 s
// answer timeout and failed (covers did not take the stored answers' way).
func TestStoredCoverForStalledServer(t *testing.T) {
	for _, stalled := range []string{"/rest/getCoverArt", "/"} {
		t.Run(stalled, func(t *testing.T) {
			c, stall, asked := stalledGonic(t)
			ctx := t.Context()
			al := coveredAlbum(t, c)
			img, _, err := c.Cover(ctx, al.ID)
			if err != nil || len(img) == 0 {
				t.Fatalf("Cover = %d bytes, %v", len(img), err)
			}

			stall.Store(stalled)
			const bound = 5 * time.Second // generous: stale.Wait; it was 15 s, then a failure
			start := time.Now()
			got, _, err := c.Cover(ctx, al.ID)
			if took := time.Since(start); err != nil || !bytes.Equal(got, img) || took > bound {
				t.Fatalf("Cover, %s stalled: %d bytes, %v after %v; want the stored %d bytes within %v", stalled, len(got), err, took, len(img), bound)
			}
			if n := asked.Load(); n != 1 {
				t.Errorf("the stalled server was asked %d times; want once", n)
			}
		})
	}
}

// coveredAlbum is the library's album with a cover.
func coveredAlbum(t *testing.T, c *subsonic.Client) catalog.Album {
	t.Helper()
	artists, err := c.Artists(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range artists {
		ar, err := c.Artist(t.Context(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range ar.Albums {
			al, err := c.Album(t.Context(), b.ID)
			if err != nil {
				t.Fatal(err)
			}
			if al.HasCover {
				return al
			}
		}
	}
	t.Fatal("no album of the library has a cover")
	return catalog.Album{}
}

// TestEditsOfASlowServerLoseNothing: an edit of a playlist reads its songs
// and writes them back whole. With a server slower than stale.Wait (a busy
// machine) the read was answered by the stored copy, the playlist before
// the last edit, so two adds in a row (two runs of segue playlist add)
// kept only the second; a read right after an edit showed the playlist
// before it. Each run here is a new client on one store, as segue's are.
func TestEditsOfASlowServerLoseNothing(t *testing.T) {
	s := subsonictest.Gonic(t, subsonictest.Library(t))
	var slow atomic.Bool
	s.Base = testkit.SlowProxy(t, s.Base, 3*stale.Wait, func(r *http.Request) bool {
		return slow.Load() && strings.Contains(r.URL.Path, "getPlaylist")
	}).URL
	store := openStore(t)
	ctx := t.Context()
	run := func(step func(c *subsonic.Client)) {
		c, err := subsonic.New(s.URL(), subsonic.Options{Password: s.Password, Store: store})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		step(c)
	}
	var tracks []catalog.Track
	var id string
	run(func(c *subsonic.Client) {
		res, err := c.Search(ctx, "tone", 5)
		if err != nil || len(res.Tracks) < 2 {
			t.Fatalf("search tone: %+v, %v", res, err)
		}
		tracks = res.Tracks
		pl, err := c.CreatePlaylist(ctx, "Mix", nil)
		if err != nil {
			t.Fatal(err)
		}
		id = pl.ID
		if _, err := c.Playlists(ctx); err != nil {
			t.Fatal(err)
		}
	})
	slow.Store(true)
	for _, tr := range tracks[:2] {
		run(func(c *subsonic.Client) {
			if _, err := c.AddToPlaylist(ctx, id, []string{tr.ID}, -1); err != nil {
				t.Fatal(err)
			}
		})
	}
	run(func(c *subsonic.Client) {
		pl, err := c.Playlist(ctx, id)
		if err != nil || len(pl.Tracks) != 2 || pl.Tracks[0].ID != tracks[0].ID || pl.Tracks[1].ID != tracks[1].ID {
			t.Errorf("after two adds, slow server: %s, %v; want both tracks", titles(pl), err)
		}
		pls, err := c.Playlists(ctx)
		if err != nil || len(pls) != 1 || pls[0].TrackCount != 2 {
			t.Errorf("list after two adds, slow server: %+v, %v; want Mix with 2 tracks", pls, err)
		}
	})
	slow.Store(false)
	run(func(c *subsonic.Client) {
		if pl, err := c.Playlist(ctx, id); err != nil || len(pl.Tracks) != 2 {
			t.Errorf("the server's playlist after two adds: %s, %v; want both tracks", titles(pl), err)
		}
	})
}
