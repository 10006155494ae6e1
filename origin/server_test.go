package origin

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"segue/origin/blobs"
	"segue/origin/blobs/miniotest"
)

// Acceptance 6: /chunks headers, Range, 304, 404, 400 and no traversal,
// over real HTTP, served from the memory cache and from files, and the same
// from S3 (a real MinIO): the blob store does not change what /chunks says.
func TestChunks(t *testing.T) {
	t.Run("memory", func(t *testing.T) { testChunks(t, 0, nil) })
	t.Run("files", func(t *testing.T) { testChunks(t, -1, nil) })
	endpoint := miniotest.Start(t)
	t.Run("s3-memory", func(t *testing.T) { testChunks(t, 0, s3Copy(endpoint)) })
	t.Run("s3", func(t *testing.T) { testChunks(t, -1, s3Copy(endpoint)) })
	t.Run("s3-presign", func(t *testing.T) { testChunksPresigned(t, s3Copy(endpoint+"&presign=5m")) })
}

// testChunksPresigned: with presign set, /chunks answers 307 (not cached)
// to a URL that serves the chunk with the same type, caching and Range.
func testChunksPresigned(t *testing.T, store func(t *testing.T, dataDir string) blobs.Store) {
	w := newWorld(t)
	data := seg("f1", 2000)
	hash := w.formationM.Renditions[0].Segments[0].Hash
	r := startServer(t, ServerOptions{DataDir: w.dir, Blobs: store(t, w.dir)}, "127.0.0.1:0")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(r.base + "/chunks/" + hash)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusTemporaryRedirect || resp.Header.Get("Cache-Control") != "no-store" || !strings.Contains(loc, "X-Amz-Signature=") {
		t.Fatalf("GET /chunks: %d, Cache-Control %q, Location %q; want 307, no-store, a presigned URL",
			resp.StatusCode, resp.Header.Get("Cache-Control"), loc)
	}
	resp, body := get(t, "GET", loc, map[string]string{"Range": "bytes=100-199"})
	if resp.StatusCode != 206 || !bytes.Equal(body, data[100:200]) {
		t.Errorf("presigned Range: %d, %d bytes; want 206 and bytes 100-199", resp.StatusCode, len(body))
	}
	for k, v := range map[string]string{"Cache-Control": chunkCacheControl, "Content-Type": "audio/mpeg"} {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("presigned %s = %q; want %q", k, got, v)
		}
	}
}

// s3Copy returns a function that copies a data dir's blobs into a new
// prefix of a bucket at query (the endpoint and further parameters) and
// returns that store.
func s3Copy(query string) func(t *testing.T, dataDir string) blobs.Store {
	return func(t *testing.T, dataDir string) blobs.Store {
		ctx := context.Background()
		loc, err := blobs.ParseS3URL("s3://chunks/" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")) + "?endpoint=" + query)
		if err != nil {
			t.Fatal(err)
		}
		s3, err := blobs.OpenS3(ctx, loc)
		if err != nil {
			t.Fatal(err)
		}
		fs := blobs.FS{Dir: filepath.Join(dataDir, BlobDir)}
		err = fs.Walk(ctx, func(h string) error {
			b, err := fs.Open(ctx, h)
			if err != nil {
				return err
			}
			defer b.Close()
			data, err := io.ReadAll(b)
			if err == nil {
				_, err = s3.Put(ctx, data)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		os.RemoveAll(fs.Dir) // so nothing can be served from the disk
		return s3
	}
}

// testChunks checks /chunks against the world's blobs, in the store store
// returns (nil: the data dir's).
func testChunks(t *testing.T, memoryCache int64, store func(t *testing.T, dataDir string) blobs.Store) {
	w := newWorld(t)
	data := seg("f1", 2000)
	hash := w.formationM.Renditions[0].Segments[0].Hash
	os.WriteFile(filepath.Join(filepath.Dir(w.dir), "secret.txt"), []byte("TOPSECRET"), 0o644)
	o := ServerOptions{DataDir: w.dir, MemoryCache: memoryCache}
	if store != nil {
		o.Blobs = store(t, w.dir)
	}
	r := startServer(t, o, "127.0.0.1:0")
	url := r.base + "/chunks/" + hash

	resp, body := get(t, "HEAD", url, nil) // a HEAD first: it must not cache an empty body
	if resp.StatusCode != 200 || len(body) != 0 || resp.Header.Get("Content-Length") != "2000" {
		t.Errorf("first HEAD: %d, %d bytes, length %q", resp.StatusCode, len(body), resp.Header.Get("Content-Length"))
	}
	for range 2 { // the second GET is a memory-cache hit when the cache is on
		resp, body = get(t, "GET", url, nil)
		if resp.StatusCode != 200 || !bytes.Equal(body, data) {
			t.Fatalf("GET chunk: %d, %d bytes; want 200 and the segment", resp.StatusCode, len(body))
		}
	}
	for k, v := range map[string]string{
		"Cache-Control":  "public, max-age=31536000, immutable",
		"ETag":           `"` + hash + `"`,
		"Content-Type":   "audio/mpeg",
		"Content-Length": "2000",
		"Accept-Ranges":  "bytes",
	} {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s = %q; want %q", k, got, v)
		}
	}

	resp, body = get(t, "GET", url, map[string]string{"Range": "bytes=100-199"})
	if resp.StatusCode != 206 || !bytes.Equal(body, data[100:200]) || resp.Header.Get("Content-Range") != "bytes 100-199/2000" {
		t.Errorf("Range: %d %q, %d bytes; want 206 bytes 100-199/2000", resp.StatusCode, resp.Header.Get("Content-Range"), len(body))
	}
	resp, body = get(t, "GET", url, map[string]string{"Range": "bytes=1990-"})
	if resp.StatusCode != 206 || !bytes.Equal(body, data[1990:]) {
		t.Errorf("open Range: %d, %d bytes; want 206 and the last 10", resp.StatusCode, len(body))
	}
	resp, body = get(t, "GET", url, map[string]string{"Range": "bytes=5000-6000"})
	wantError(t, resp, body, http.StatusRequestedRangeNotSatisfiable)

	for _, inm := range []string{`"` + hash + `"`, `"x", "` + hash + `"`, `*`} {
		resp, body = get(t, "GET", url, map[string]string{"If-None-Match": inm})
		if resp.StatusCode != 304 || len(body) != 0 || resp.Header.Get("ETag") != `"`+hash+`"` {
			t.Errorf("If-None-Match %s: %d with %d bytes; want 304, empty, same ETag", inm, resp.StatusCode, len(body))
		}
	}
	resp, body = get(t, "GET", url, map[string]string{"If-None-Match": `"other"`})
	if resp.StatusCode != 200 || len(body) != 2000 {
		t.Errorf("other If-None-Match: %d; want 200", resp.StatusCode)
	}
	resp, body = get(t, "HEAD", url, nil)
	if resp.StatusCode != 200 || len(body) != 0 || resp.Header.Get("Content-Length") != "2000" {
		t.Errorf("HEAD: %d, %d bytes, length %q", resp.StatusCode, len(body), resp.Header.Get("Content-Length"))
	}

	resp, body = get(t, "GET", r.base+"/chunks/"+strings.Repeat("ab", 32), nil)
	wantError(t, resp, body, 404)
	resp, body = get(t, "POST", url, nil)
	wantError(t, resp, body, 405)
	if !strings.Contains(resp.Header.Get("Allow"), "GET") {
		t.Errorf("405 Allow = %q", resp.Header.Get("Allow"))
	}
	resp, body = get(t, "GET", r.base+"/nowhere", nil)
	wantError(t, resp, body, 404)

	for _, bad := range []string{"abc", strings.ToUpper(hash), hash + "0", hash[:63] + "g", strings.Repeat("a", 5000),
		"..%2F..%2Fsecret.txt", "%2e%2e%2fcatalog.db", "..%2fcatalog.db", hash[:2] + "%2F" + hash, "%2F..%2F..%2Fsecret.txt"} {
		resp, body = get(t, "GET", r.base+"/chunks/"+bad, nil)
		wantError(t, resp, body, 400)
	}
	// Paths the mux cleans are redirected or unknown, never a file.
	for _, p := range []string{"/chunks/../catalog.db", "/chunks/%2e%2e/catalog.db", "/chunks/../../secret.txt",
		"/chunks/./" + hash[:2] + "/../../catalog.db", "/blobs/" + hash[:2] + "/" + hash, "/catalog.db"} {
		resp, body = get(t, "GET", r.base+p, nil)
		if resp.StatusCode == 200 || bytes.Contains(body, []byte("SQLite format")) || bytes.Contains(body, []byte("TOPSECRET")) {
			t.Errorf("GET %s: %d %q; want no file from outside /chunks", p, resp.StatusCode, body)
		}
	}
}

// The JSON API over real HTTP: each route, 404, 400, and document ETags.
func TestAPI(t *testing.T) { forEachEngine(t, testAPI) }

func testAPI(t *testing.T, e engine) {
	w := newWorldOn(t, e)
	r := startServer(t, w.serverOptions(), "127.0.0.1:0")
	api := r.base + "/api/v1"

	var artists []struct{ ID, Name string }
	getJSON(t, api+"/artists", 200, &artists)
	if len(artists) != 3 || artists[0].Name != "Beyoncé" || artists[2].Name != "Daft Punk" {
		t.Errorf("artists = %+v", artists)
	}
	var artist struct {
		Name   string
		Albums []struct {
			Title      string
			TrackCount int  `json:"track_count"`
			HasCover   bool `json:"has_cover"`
		}
	}
	getJSON(t, api+"/artists/"+w.beyonce, 200, &artist)
	if artist.Name != "Beyoncé" || len(artist.Albums) != 1 || artist.Albums[0].TrackCount != 3 || !artist.Albums[0].HasCover {
		t.Errorf("artist = %+v", artist)
	}
	var album struct {
		Title  string
		Artist string
		Tracks []struct{ Title string }
	}
	getJSON(t, api+"/albums/"+w.lemonade, 200, &album)
	var order []string
	for _, tr := range album.Tracks {
		order = append(order, tr.Title)
	}
	if album.Artist != "Beyoncé" || strings.Join(order, "|") != "Pray You Catch Me|Hold Up|Formation" {
		t.Errorf("album %q by %q, tracks %v; want disc/track order", album.Title, album.Artist, order)
	}
	var track struct{ Title, Album, Artist string }
	getJSON(t, api+"/tracks/"+w.joga, 200, &track)
	if track.Title != "Jóga" || track.Album != "Homogenic" || track.Artist != "Björk" {
		t.Errorf("track = %+v", track)
	}
	var m struct {
		TrackID    string `json:"track_id"`
		Renditions []struct{ Segments []struct{ Hash string } }
	}
	getJSON(t, api+"/tracks/"+w.formation+"/manifest", 200, &m)
	if m.TrackID != w.formation || len(m.Renditions) != 1 || len(m.Renditions[0].Segments) != 2 ||
		m.Renditions[0].Segments[1].Hash != w.formationM.Renditions[0].Segments[1].Hash {
		t.Errorf("manifest = %+v", m)
	}

	resp, body := get(t, "GET", api+"/albums/"+w.lemonade+"/cover", nil)
	if resp.StatusCode != 200 || !bytes.Equal(body, w.cover) || resp.Header.Get("Content-Type") != "image/png" ||
		resp.Header.Get("ETag") == "" || !strings.Contains(resp.Header.Get("Cache-Control"), "max-age") {
		t.Errorf("cover: %d %v", resp.StatusCode, resp.Header)
	}
	resp, body = get(t, "GET", api+"/albums/"+w.homogenic+"/cover", nil)
	wantError(t, resp, body, 404)

	for _, p := range []string{"/artists/ar0000000000000000", "/albums/al0000000000000000", "/tracks/t0000000000000000",
		"/tracks/t0000000000000000/manifest", "/albums/nope/cover", "/tracks/" + w.formation + "/nope"} {
		resp, body = get(t, "GET", api+p, nil)
		wantError(t, resp, body, 404)
	}
	for _, p := range []string{"/tracks/a%20b", "/tracks/" + strings.Repeat("t", 200), "/albums/%27%3B--", "/artists/%C3%A9"} {
		resp, body = get(t, "GET", api+p, nil)
		wantError(t, resp, body, 400)
	}
	resp, body = get(t, "DELETE", api+"/tracks/"+w.formation, nil)
	wantError(t, resp, body, 405)

	// Documents carry an ETag and answer If-None-Match with 304.
	resp, _ = get(t, "GET", api+"/tracks/"+w.joga, nil)
	etag := resp.Header.Get("ETag")
	if etag == "" || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("track document: ETag %q, Cache-Control %q", etag, resp.Header.Get("Cache-Control"))
	}
	resp, body = get(t, "GET", api+"/tracks/"+w.joga, map[string]string{"If-None-Match": etag})
	if resp.StatusCode != 304 || len(body) != 0 {
		t.Errorf("If-None-Match on a document: %d, %d bytes; want 304", resp.StatusCode, len(body))
	}
}

// Shutdown lets an in-flight response finish, then Serve returns nil and
// new connections are refused.
func TestGracefulShutdown(t *testing.T) {
	f := newFixture(t)
	big := seg("big", 16<<20)
	hash, err := f.blobs.Put(context.Background(), big)
	if err != nil {
		t.Fatal(err)
	}
	r := startServer(t, ServerOptions{DataDir: f.dir}, "127.0.0.1:0")
	resp, err := http.Get(r.base + "/chunks/" + hash)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	first := make([]byte, 1024) // the handler is now mid-body
	if _, err := io.ReadFull(resp.Body, first); err != nil {
		t.Fatal(err)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- r.stop() }()
	rest, err := io.ReadAll(resp.Body)
	if err != nil || !bytes.Equal(append(first, rest...), big) {
		t.Fatalf("in-flight body: %d bytes, %v; want all %d", len(first)+len(rest), err, len(big))
	}
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatalf("Serve after shutdown: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after the in-flight request finished")
	}
	c := &http.Client{Transport: &http.Transport{}}
	if _, err := c.Get(r.base + "/api/v1/artists"); err == nil {
		t.Fatal("a new request succeeded after shutdown")
	}
}

// FuzzRequestPath: no path is answered 200 but an existing chunk's, no
// path makes a 500, and every error is JSON.
func FuzzRequestPath(f *testing.F) {
	w := newWorld(f)
	hash := w.formationM.Renditions[0].Segments[0].Hash
	for _, p := range []string{"/chunks/" + hash, "/chunks/..%2fcatalog.db", "/chunks/%2e%2e", "/api/v1/search?q=%22", "/api/v1/tracks/" + w.joga, "//chunks//x"} {
		f.Add(p)
	}
	srv, err := New(ServerOptions{DataDir: w.dir})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { srv.Close() })
	f.Fuzz(func(t *testing.T, p string) {
		if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, " \r\n\t#") {
			return
		}
		req, err := http.NewRequest("GET", "http://origin"+p, nil)
		if err != nil {
			return
		}
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		switch {
		case rec.Code >= 500:
			t.Fatalf("GET %q: %d %s", p, rec.Code, rec.Body)
		case rec.Code >= 400 && rec.Header().Get("Content-Type") != "application/json":
			t.Fatalf("GET %q: %d with Content-Type %q", p, rec.Code, rec.Header().Get("Content-Type"))
		case rec.Code == 200 && strings.HasPrefix(req.URL.Path, "/chunks/") && req.URL.Path != "/chunks/"+hash:
			t.Fatalf("GET %q served %d bytes", p, rec.Body.Len())
		}
	})
}

// TestListenNoKeepAlive: a connection Listen accepts has no TCP keep-alive
// probes (SO_KEEPALIVE 0), as Listen documents; net.Listen's has them.
func TestListenNoKeepAlive(t *testing.T) {
	for _, tc := range []struct {
		name   string
		listen func() (net.Listener, error)
		want   int
	}{
		{"origin.Listen", func() (net.Listener, error) { return Listen("127.0.0.1:0") }, 0},
		{"net.Listen", func() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }, 1},
	} {
		ln, err := tc.listen()
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		s, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		rc, err := s.(*net.TCPConn).SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		var v int
		var serr error
		if err := rc.Control(func(fd uintptr) { v, serr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_KEEPALIVE) }); err != nil || serr != nil {
			t.Fatal(err, serr)
		}
		if v != tc.want {
			t.Errorf("%s: an accepted connection has SO_KEEPALIVE %d, want %d", tc.name, v, tc.want)
		}
	}
}
