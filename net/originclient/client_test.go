package originclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"segue/cache"
	"segue/catalog"
	"segue/internal/testkit"
	"segue/net/stale"
	"segue/origin"
	"segue/origin/blobs"
	"segue/origin/origintest"
)

// testOrigin is a real origin serving a two-track catalog written with SQL
// (ingest owns the real write path) and real blob files.
type testOrigin struct {
	base               string
	dir                string
	artist, album      string
	track, badTrack    string
	segment, cover     []byte
	segHash            string
	stop               func()
	manifest           catalog.Manifest
	requireTokenSecret string
}

func startOrigin(t *testing.T, requireToken bool) *testOrigin {
	t.Helper()
	o := &testOrigin{dir: t.TempDir(), segment: bytes.Repeat([]byte("segment!"), 500), cover: []byte("\x89PNG\r\n\x1a\n fake cover")}
	db, err := origin.OpenCatalog(o.dir)
	if err != nil {
		t.Fatal(err)
	}
	store := blobs.FS{Dir: filepath.Join(o.dir, origin.BlobDir)}
	if o.segHash, err = store.Put(context.Background(), o.segment); err != nil {
		t.Fatal(err)
	}
	coverHash, err := store.Put(context.Background(), o.cover)
	if err != nil {
		t.Fatal(err)
	}
	o.artist, o.album = catalog.NewID("ar", "Beyoncé"), catalog.NewID("al", "Beyoncé", "Lemonade")
	o.track, o.badTrack = catalog.NewID("t", "formation"), catalog.NewID("t", "broken")
	o.manifest = catalog.Manifest{TrackID: o.track, SampleRate: catalog.SampleRate, Channels: catalog.Channels,
		SamplesPerFrame: catalog.SamplesPerFrame, FramesPerSegment: 96, StartSkip: catalog.StartSkip, TotalSamples: 100000,
		Renditions: []catalog.Rendition{{Name: "low", Codec: "mp3", Bitrate: 96,
			Segments: []catalog.Segment{{Hash: o.segHash, Size: int64(len(o.segment)), Frames: 96}}}}}
	mj, _ := json.Marshal(o.manifest)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO artists(id, name) VALUES (?, 'Beyoncé')`, []any{o.artist}},
		{`INSERT INTO albums(id, title, artist_id, year, cover_hash, cover_mime) VALUES (?, 'Lemonade', ?, 2016, ?, 'image/png')`, []any{o.album, o.artist, coverHash}},
		{`INSERT INTO tracks(id, path, title, artist_id, album_id, track_no, disc_no, duration_ms, file_size, file_mtime, manifest)
			VALUES (?, 'a.flac', 'Formation', ?, ?, 1, 1, 2000, 1, 1, ?)`, []any{o.track, o.artist, o.album, string(mj)}},
		{`INSERT INTO tracks(id, path, title, artist_id, album_id, track_no, disc_no, duration_ms, file_size, file_mtime, manifest)
			VALUES (?, 'b.flac', 'Broken', ?, ?, 2, 1, 2000, 1, 1, '{"renditions":[]}')`, []any{o.badTrack, o.artist, o.album}},
		{`INSERT INTO search(kind, ref_id, title, artist, album) VALUES ('ar', ?, 'Beyoncé', 'Beyoncé', '')`, []any{o.artist}},
		{`INSERT INTO search(kind, ref_id, title, artist, album) VALUES ('t', ?, 'Formation', 'Beyoncé', 'Lemonade')`, []any{o.track}},
	} {
		if _, err := db.Exec(q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	if requireToken {
		if _, o.requireTokenSecret, err = origin.CreateToken(t.Context(), db, "test"); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	srv, err := origin.New(origin.ServerOptions{DataDir: o.dir, RequireToken: requireToken})
	if err != nil {
		t.Fatal(err)
	}
	o.base, o.stop = origintest.Serve(t, srv)
	return o
}

func openCache(t *testing.T) *cache.Cache {
	t.Helper()
	c, err := cache.Open(filepath.Join(t.TempDir(), "cache.db"), cache.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestClientAgainstOrigin(t *testing.T) {
	o := startOrigin(t, false)
	c, err := New(o.base+"/", Options{Docs: openCache(t)})
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL() != o.base {
		t.Errorf("BaseURL = %q; want %q", c.BaseURL(), o.base)
	}
	ctx := t.Context()
	res, err := c.Search(ctx, "beyo", 5)
	if err != nil || len(res.Artists) != 1 || res.Artists[0].Name != "Beyoncé" || len(res.Tracks) != 1 {
		t.Fatalf("Search = %+v, %v", res, err)
	}
	as, err := c.Artists(ctx)
	if err != nil || len(as) != 1 || as[0].ID != o.artist {
		t.Fatalf("Artists = %+v, %v", as, err)
	}
	a, err := c.Artist(ctx, o.artist)
	if err != nil || len(a.Albums) != 1 || a.Albums[0].TrackCount != 2 || !a.Albums[0].HasCover {
		t.Fatalf("Artist = %+v, %v", a, err)
	}
	al, err := c.Album(ctx, o.album)
	if err != nil || len(al.Tracks) != 2 || al.Tracks[0].Title != "Formation" {
		t.Fatalf("Album = %+v, %v", al, err)
	}
	tr, err := c.Track(ctx, o.track)
	if err != nil || tr.Album != "Lemonade" || tr.Artist != "Beyoncé" {
		t.Fatalf("Track = %+v, %v", tr, err)
	}
	m, err := c.Manifest(ctx, o.track)
	if err != nil || m.Renditions[0].Segments[0].Hash != o.segHash {
		t.Fatalf("Manifest = %+v, %v", m, err)
	}
	if _, err := c.Manifest(ctx, o.badTrack); !errors.Is(err, catalog.ErrBadManifest) {
		t.Fatalf("Manifest of a broken track: %v; want ErrBadManifest", err)
	}
	img, mime, err := c.Cover(ctx, o.album)
	if err != nil || !bytes.Equal(img, o.cover) || mime != "image/png" {
		t.Fatalf("Cover = %q %q, %v", img, mime, err)
	}
	b, err := c.Chunk(ctx, o.segHash)
	if err != nil || !bytes.Equal(b, o.segment) {
		t.Fatalf("Chunk: %d bytes, %v", len(b), err)
	}

	if _, err := c.Track(ctx, "t0000000000000000"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown track: %v; want ErrNotFound", err)
	}
	if _, err := c.Chunk(ctx, strings.Repeat("0", 64)); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown chunk: %v; want ErrNotFound", err)
	}
	if _, err := c.Chunk(ctx, "../../catalog.db"); err == nil {
		t.Error("a malformed chunk hash was fetched")
	}
	if _, err := New("ftp://x", Options{}); err == nil {
		t.Error("New accepted an ftp URL")
	}
}

func TestClientToken(t *testing.T) {
	o := startOrigin(t, true)
	for _, tok := range []string{"", "sgo_wrong"} {
		c, _ := New(o.base, Options{Token: tok})
		if _, err := c.Artists(t.Context()); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("token %q: %v; want ErrUnauthorized", tok, err)
		}
		if _, err := c.Chunk(t.Context(), o.segHash); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("chunk with token %q: %v; want ErrUnauthorized", tok, err)
		}
	}
	c, _ := New(o.base, Options{Token: o.requireTokenSecret})
	if _, err := c.Artists(t.Context()); err != nil {
		t.Fatalf("valid token: %v", err)
	}
}

// countingTransport records the If-None-Match sent and the status received.
type countingTransport struct {
	mu       sync.Mutex
	inm      []string
	statuses []int
}

func (ct *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	ct.mu.Lock()
	defer ct.mu.Unlock()
	ct.inm = append(ct.inm, r.Header.Get("If-None-Match"))
	if err == nil {
		ct.statuses = append(ct.statuses, resp.StatusCode)
	}
	return resp, err
}

// Documents are revalidated with their ETag (304 reuses the stored body) and
// served from the store once the origin is gone; a document never fetched
// is ErrOffline.
func TestClientRevalidatesAndWorksOffline(t *testing.T) {
	o := startOrigin(t, false)
	docs := openCache(t)
	ct := &countingTransport{}
	c, _ := New(o.base, Options{Docs: docs, HTTP: &http.Client{Transport: ct}})
	ctx := t.Context()
	first, err := c.Album(ctx, o.album)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.Album(ctx, o.album)
	if err != nil || again.Title != first.Title || len(again.Tracks) != 2 {
		t.Fatalf("revalidated album = %+v, %v", again, err)
	}
	if ct.inm[0] != "" || ct.inm[1] == "" || ct.statuses[0] != 200 || ct.statuses[1] != 304 {
		t.Fatalf("If-None-Match sent %q, statuses %v; want none then the ETag, 200 then 304", ct.inm, ct.statuses)
	}
	if _, err := c.Manifest(ctx, o.track); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Cover(ctx, o.album); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Search(ctx, "beyo", 0); err != nil {
		t.Fatal(err)
	}

	o.stop() // the origin is gone: connections are refused
	al, err := c.Album(ctx, o.album)
	if err != nil || al.Title != "Lemonade" || len(al.Tracks) != 2 {
		t.Fatalf("offline album = %+v, %v", al, err)
	}
	if m, err := c.Manifest(ctx, o.track); err != nil || m.TrackID != o.track {
		t.Fatalf("offline manifest = %+v, %v", m, err)
	}
	if img, mime, err := c.Cover(ctx, o.album); err != nil || !bytes.Equal(img, o.cover) || mime != "image/png" {
		t.Fatalf("offline cover = %q %q, %v", img, mime, err)
	}
	if res, err := c.Search(ctx, "beyo", 0); err != nil || len(res.Artists) != 1 {
		t.Fatalf("offline search = %+v, %v", res, err)
	}
	_, err = c.Track(ctx, o.track) // never fetched
	if !errors.Is(err, ErrOffline) || !errors.Is(err, catalog.ErrUnreachable) || !strings.Contains(err.Error(), "not available offline") {
		t.Fatalf("never-fetched track offline: %v; want ErrOffline and catalog.ErrUnreachable (the player keeps the listener's place by it)", err)
	}
	if _, err := c.Chunk(ctx, o.segHash); err == nil || errors.Is(err, ErrOffline) {
		t.Fatalf("chunk offline: %v; want a plain network error (chunks are not documents)", err)
	}
	bare, _ := New(o.base, Options{})
	if _, err := bare.Artists(ctx); !errors.Is(err, ErrOffline) {
		t.Fatalf("no store, origin down: %v; want ErrOffline", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Track(cctx, o.track); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled request: %v; want context.Canceled", err)
	}
}

func TestURLKeepsPrefixAndEscapes(t *testing.T) {
	c, err := New("http://h:1/pre/", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.url(nil, "api", "v1", "tracks", "a b/c?"), "http://h:1/pre/api/v1/tracks/a%20b%2Fc%3F"; got != want {
		t.Errorf("url = %s; want %s", got, want)
	}
	if got, want := c.url(map[string][]string{"q": {"beyo & co"}}, "api", "v1", "search"), "http://h:1/pre/api/v1/search?q=beyo+%26+co"; got != want {
		t.Errorf("url = %s; want %s", got, want)
	}
}

// TestNotSegueAt: a 404 that no segue origin sent (a web server of another
// kind at the origin URL) or that says the origin has no such route (a
// wrong path under it) is ErrNotSegue, not ErrNotFound: the thing asked
// for may exist, the origin URL is what is wrong. Both were "not found on
// the origin" (exit 3, and an offline pin's playlist counted as gone).
// The sentence names the URL and what it answered: the origin URL set in
// config.toml or SEGUE_ORIGIN was on no screen, and the sentence said only
// "no segue origin answers at the origin URL (check --origin)".
func TestNotSegueAt(t *testing.T) {
	notSegueAt := func(base string) string {
		return "no segue origin answers at " + strings.TrimPrefix(base, "http://") + " (something else does: a web server of another kind, or a path no segue origin serves under): check that address (the origin's is set by --origin, SEGUE_ORIGIN or origin in config.toml)"
	}
	o := startOrigin(t, false)
	other := httptest.NewServer(http.NotFoundHandler()) // "404 page not found", text
	defer other.Close()
	for _, c := range []struct {
		base, id string
		want     error
	}{
		{o.base, o.album, nil},
		{o.base, "alnothere", ErrNotFound},
		{o.base + "/sub", o.album, ErrNotSegue},
		{other.URL, o.album, ErrNotSegue},
	} {
		cl, err := New(c.base, Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = cl.Album(context.Background(), c.id)
		var se *StatusError
		switch {
		case c.want == nil && err != nil:
			t.Errorf("album %s at %s: %v", c.id, c.base, err)
		case c.want != nil && (!errors.Is(err, c.want) || errors.Is(err, ErrNotFound) && c.want == ErrNotSegue):
			t.Errorf("album %s at %s: %v; want %v", c.id, c.base, err, c.want)
		case c.want == ErrNotSegue && (!errors.As(err, &se) || se.Sentence() != notSegueAt(c.base)):
			t.Errorf("album %s at %s: says %q; want %q", c.id, c.base, se.Sentence(), notSegueAt(c.base))
		}
	}
}

// TestStoredCopyAnswersForStalledOrigin: an origin that takes connections
// but does not answer (a stopped process, a hung proxy) has a document
// with a stored copy answered by that copy after stale.Wait, and the next
// ones at once without asking it; the request that was let go goes on and
// stores the origin's answer when it comes. Each document waited out the
// 15 s answer timeout before its stored copy.
func TestStoredCopyAnswersForStalledOrigin(t *testing.T) {
	o := startOrigin(t, false)
	target, _ := url.Parse(o.base)
	pass := httputil.NewSingleHostReverseProxy(target)
	var (
		stalled atomic.Bool
		asked   atomic.Int32
		release = make(chan struct{})
	)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !stalled.Load() {
			pass.ServeHTTP(w, r)
			return
		}
		asked.Add(1)
		select {
		case <-release: // it comes back, with the album renamed
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"id":"`+o.album+`","title":"Lemonade (Deluxe)"}`)
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(front.Close)
	docs := openCache(t)
	c, err := New(front.URL, Options{Docs: docs})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := t.Context()
	if _, err := c.Album(ctx, o.album); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Manifest(ctx, o.track); err != nil {
		t.Fatal(err)
	}

	stalled.Store(true)
	const bound = 5 * time.Second // generous: stale.Wait; it was the 15 s answer timeout
	start := time.Now()
	al, err := c.Album(ctx, o.album)
	if took := time.Since(start); err != nil || al.Title != "Lemonade" || took > bound {
		t.Fatalf("album, origin stalled: %q, %v after %v; want the stored copy within %v", al.Title, err, took, bound)
	}
	start = time.Now()
	m, err := c.Manifest(ctx, o.track)
	if took := time.Since(start); err != nil || m.TrackID != o.track || took > bound {
		t.Fatalf("manifest, origin stalled: %v after %v; want the stored copy within %v", err, took, bound)
	}
	if n := asked.Load(); n != 1 {
		t.Errorf("the stalled origin was asked %d times; want once (then its stored copies answer without asking)", n)
	}
	start = time.Now()
	_, err = c.Track(ctx, o.track) // never stored: asked, for at most deafWait
	if took := time.Since(start); !errors.Is(err, ErrOffline) || took > deafWait+bound {
		t.Errorf("a document never stored, origin stalled: %v after %v; want ErrOffline within %v", err, took, deafWait+bound)
	}
	close(release)
	key := c.url(nil, "api", "v1", "albums", o.album)
	testkit.Wait(t, 10*time.Second, "the late answer to be stored", func() bool {
		d, err := docs.GetDoc(key)
		return err == nil && strings.Contains(string(d.Body), "Deluxe")
	})
	stalled.Store(false)
	if al, err := c.Album(ctx, o.album); err != nil || al.Title != "Lemonade" {
		t.Errorf("album once the origin answers again: %q, %v; want the origin's (asked again)", al.Title, err)
	}
}

// TestUnstoredDocumentOfASilentOrigin: a document never stored, asked of
// an origin that takes the connection and says nothing (a stopped
// process) by a client that knew nothing of it (a fresh segue search), is
// not available offline after deafWait, as the README says; it waited out
// the 15 s answer timeout. An origin that has begun to answer is waited
// for past deafWait: its answer arrives.
func TestUnstoredDocumentOfASilentOrigin(t *testing.T) {
	o := startOrigin(t, false)
	target, _ := url.Parse(o.base)
	pass := httputil.NewSingleHostReverseProxy(target)
	slowBody := make(chan struct{})
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/albums/") { // begins at once, ends late
			rec := httptest.NewRecorder()
			pass.ServeHTTP(rec, r)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
			select {
			case <-slowBody:
			case <-r.Context().Done():
			}
			w.Write(rec.Body.Bytes())
			return
		}
		<-r.Context().Done() // says nothing
	}))
	t.Cleanup(front.Close)
	c, err := New(front.URL, Options{Docs: openCache(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const bound = 3 * time.Second // the 15 s answer timeout is past it
	start := time.Now()
	_, err = c.Track(t.Context(), o.track)
	if took := time.Since(start); !errors.Is(err, ErrOffline) || took > deafWait+bound {
		t.Errorf("a document never stored, origin silent: %v after %v; want ErrOffline within %v", err, took, deafWait+bound)
	}
	// a timeout of a request to the origin, as the commands say it ("the
	// origin at HOST did not answer in time"): it was "is unreachable (is
	// it running?)" without the host
	var ue *url.Error
	if !errors.As(err, &ue) || !ue.Timeout() || !strings.Contains(ue.URL, front.Listener.Addr().String()) {
		t.Errorf("a document never stored, origin silent: %v; want a *url.Error timeout naming the origin", err)
	}
	time.AfterFunc(deafWait+time.Second, func() { close(slowBody) })
	if al, err := c.Album(t.Context(), o.album); err != nil || al.ID != o.album {
		t.Errorf("an album whose answer began at once and ended after %v: %+v, %v; want it", deafWait+time.Second, al, err)
	}
}

// TestReadAfterAChangeSeesIt: a playlist read right after a change to it
// (segue playlist add, then playlist show or list) from an origin slower
// than stale.Wait (a busy machine) showed the playlist as it was before
// the change: the stored copy answered. It is the change's answer now.
func TestReadAfterAChangeSeesIt(t *testing.T) {
	o := startOrigin(t, false)
	var slow atomic.Bool
	front := testkit.SlowProxy(t, o.base, 3*stale.Wait, func(r *http.Request) bool { return slow.Load() && r.Method == http.MethodGet })
	docs := openCache(t)
	ctx := t.Context()
	// each step is a new run of segue, as from a script, on one cache
	must := func(t *testing.T, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	run := func(step func(c *Client)) {
		c, err := New(front.URL, Options{Docs: docs})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		step(c)
	}
	var id, other string
	run(func(c *Client) {
		pl, err := c.CreatePlaylist(ctx, "Mix", []string{o.track})
		must(t, err)
		id = pl.ID
		_, err = c.Playlist(ctx, id)
		must(t, err)
		_, err = c.Playlists(ctx)
		must(t, err)
	})
	slow.Store(true)
	names := func(c *Client) []string {
		pls, err := c.Playlists(ctx)
		must(t, err)
		var l []string
		for _, p := range pls {
			l = append(l, fmt.Sprintf("%s:%d", p.Name, p.TrackCount))
		}
		return l
	}
	run(func(c *Client) {
		_, err := c.AddToPlaylist(ctx, id, []string{o.track}, -1)
		must(t, err)
	})
	run(func(c *Client) {
		if pl, err := c.Playlist(ctx, id); err != nil || len(pl.Tracks) != 2 {
			t.Errorf("playlist after adding a track: %d tracks, %v; want 2", len(pl.Tracks), err)
		}
	})
	run(func(c *Client) {
		_, err := c.RenamePlaylist(ctx, id, "Evening")
		must(t, err)
		pl, err := c.CreatePlaylist(ctx, "Other", nil)
		must(t, err)
		other = pl.ID
	})
	run(func(c *Client) {
		if got := names(c); !slices.Equal(got, []string{"Evening:2", "Other:0"}) {
			t.Errorf("list after a rename and a create: %v; want [Evening:2 Other:0]", got)
		}
	})
	run(func(c *Client) {
		must(t, c.DeletePlaylist(ctx, other))
		_, err := c.SharePlaylist(ctx, id)
		must(t, err)
	})
	run(func(c *Client) {
		if got := names(c); !slices.Equal(got, []string{"Evening:2"}) {
			t.Errorf("list after a delete: %v; want [Evening:2]", got)
		}
		if pl, err := c.Playlist(ctx, id); err != nil || pl.ShareURL == "" {
			t.Errorf("playlist after sharing it: share URL %q, %v; want one", pl.ShareURL, err)
		}
		must(t, c.UnsharePlaylist(ctx, id))
	})
	run(func(c *Client) {
		if pl, err := c.Playlist(ctx, id); err != nil || pl.ShareURL != "" {
			t.Errorf("playlist after unsharing it: share URL %q, %v; want none", pl.ShareURL, err)
		}
	})
}
