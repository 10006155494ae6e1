package origin

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"segue/catalog"
	"segue/internal/testkit"
	"segue/origin/blobs"
)

// streamWorld is an origin requiring tokens, serving three ingested tracks;
// a playlist of the first two is shared.
type streamWorld struct {
	r      *running
	data   string
	db     *sql.DB
	ids    []string // a.flac, b.mp3, c.wav
	paths  []string
	owner  string // an owner's bearer token
	share  string // the share token of the playlist of ids[0], ids[1]
	blobs  blobs.FS
	srcDir string
}

func newStreamWorld(t *testing.T) *streamWorld {
	t.Helper()
	needFFmpeg(t)
	lib, data := t.TempDir(), t.TempDir()
	srcs := []source{
		{name: "a.flac", root: 196, seconds: 6.1, rate: 48000},
		{name: "b.mp3", root: 261.6, seconds: 3.7},
		{name: "c.wav", root: 311, seconds: 2.2},
	}
	for _, s := range srcs {
		writeSource(t, lib, s)
	}
	ingest(t, lib, data)
	w := &streamWorld{data: data, db: openTestCatalog(t, data), blobs: blobs.FS{Dir: filepath.Join(data, BlobDir)}, srcDir: lib}
	for _, s := range srcs {
		var id string
		if err := w.db.QueryRow(`SELECT id FROM tracks WHERE path = ?`, s.name).Scan(&id); err != nil {
			t.Fatal(err)
		}
		w.ids, w.paths = append(w.ids, id), append(w.paths, s.name)
	}
	ctx := context.Background()
	_, secret, err := CreateToken(ctx, w.db, "alice")
	if err != nil {
		t.Fatal(err)
	}
	w.owner = secret
	w.r = startServer(t, ServerOptions{DataDir: data, RequireToken: true}, "127.0.0.1:0")
	alice := clientFor(t, w.r.base, secret)
	pl, err := alice.CreatePlaylist(ctx, "Streams", w.ids[:2])
	if err != nil {
		t.Fatal(err)
	}
	link, err := alice.SharePlaylist(ctx, pl.ID)
	if err != nil {
		t.Fatal(err)
	}
	w.share = link.Token
	return w
}

func (w *streamWorld) streamURL(i int, quality string) string {
	return fmt.Sprintf("%s/api/v1/tracks/%s/stream?quality=%s&share=%s", w.r.base, w.ids[i], quality, w.share)
}

// Issue 19, acceptance 1: the stream is the info frame followed by the
// rendition's segments byte for byte; ffmpeg decodes exactly total_samples
// (the gapless trim from the LAME tag), aligned with the source (lag 0).
func TestStreamIsGaplessMP3(t *testing.T) {
	w := newStreamWorld(t)
	for i, name := range w.paths {
		m := manifestOf(t, w.db, name)
		ref := decodeSource(t, filepath.Join(w.srcDir, name))
		for _, rend := range m.Renditions {
			url, hdr := "", map[string]string{}
			if i < 2 { // shared: the token rides in the URL, as a player gets it
				url = w.streamURL(i, rend.Name)
			} else {
				url = fmt.Sprintf("%s/api/v1/tracks/%s/stream?quality=%s", w.r.base, w.ids[2], rend.Name)
				hdr["Authorization"] = "Bearer " + w.owner
			}
			resp, body := get(t, "GET", url, hdr)
			if resp.StatusCode != 200 {
				t.Fatalf("%s/%s: %d %s", name, rend.Name, resp.StatusCode, body)
			}
			segs := segmentBytes(t, w.blobs, rend.Segments)
			info := len(body) - len(segs)
			if info <= 0 || !bytes.Equal(body[info:], segs) {
				t.Fatalf("%s/%s: body of %d bytes does not end with the %d segment bytes", name, rend.Name, len(body), len(segs))
			}
			if !bytes.Contains(body[:info], []byte("Info")) || !bytes.Contains(body[:info], []byte("LAME")) {
				t.Errorf("%s/%s: the %d bytes before the segments are no Info/LAME frame", name, rend.Name, info)
			}
			if got := resp.Header.Get("Content-Length"); got != fmt.Sprint(len(body)) {
				t.Errorf("%s/%s: Content-Length %s, body %d", name, rend.Name, got, len(body))
			}
			// The length a listing gives without opening a blob.
			if n := streamBytes(rend.Name, renditionBytes(m, rend.Name)); n != int64(len(body)) {
				t.Errorf("%s/%s: streamBytes %d, the stream is %d bytes", name, rend.Name, n, len(body))
			}
			if tr, err := NewReader(w.db).Track(t.Context(), w.ids[i]); err != nil || (rend.Name == catalog.RenditionHigh && tr.StreamBytes != int64(len(body))) {
				t.Errorf("%s: track's StreamBytes %d, %v; its high stream is %d bytes", name, tr.StreamBytes, err, len(body))
			}
			if et := resp.Header.Get("ETag"); !strings.HasPrefix(et, `"`) || resp.Header.Get("Content-Type") != "audio/mpeg" {
				t.Errorf("%s/%s: ETag %q (want strong), Content-Type %q", name, rend.Name, et, resp.Header.Get("Content-Type"))
			}
			if i == 2 {
				continue // ffmpeg cannot send the bearer token; tracks 0 and 1 cover decoding
			}
			pcm := testkit.Decode(t, url)
			if int64(len(pcm)) != m.TotalSamples {
				t.Errorf("%s/%s: ffmpeg decodes %d samples, want total_samples %d", name, rend.Name, len(pcm), m.TotalSamples)
				continue
			}
			for c := range 2 {
				if r0 := testkit.Correlation(ref, pcm, c, 0); r0 < 0.99 {
					t.Errorf("%s/%s ch%d: correlation with the source %.4f at lag 0 (want > 0.99)", name, rend.Name, c, r0)
				}
			}
		}
	}
}

// Issue 19, acceptance 1: ranges (inside the info frame, across segment
// boundaries, a suffix) give the right bytes; If-None-Match gives 304.
func TestStreamRangeAndETag(t *testing.T) {
	w := newStreamWorld(t)
	url := w.streamURL(0, catalog.RenditionLow)
	resp, full := get(t, "GET", url, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, full)
	}
	etag := resp.Header.Get("ETag")
	m := manifestOf(t, w.db, w.paths[0])
	if len(m.Renditions[0].Segments) < 3 {
		t.Fatalf("want at least 3 segments, have %d", len(m.Renditions[0].Segments))
	}
	seg0 := len(full) - len(segmentBytes(t, w.blobs, m.Renditions[0].Segments)) + int(m.Renditions[0].Segments[0].Size)
	n := len(full)
	for _, c := range []struct {
		spec   string
		lo, hi int
	}{
		{"bytes=0-99", 0, 99},
		{fmt.Sprintf("bytes=%d-%d", seg0-10, seg0+9), seg0 - 10, seg0 + 9},
		{fmt.Sprintf("bytes=50-%d", n-50), 50, n - 50},
		{"bytes=-1000", n - 1000, n - 1},
		{fmt.Sprintf("bytes=%d-", n-1), n - 1, n - 1},
	} {
		resp, body := get(t, "GET", url, map[string]string{"Range": c.spec})
		if resp.StatusCode != 206 || !bytes.Equal(body, full[c.lo:c.hi+1]) {
			t.Errorf("%s: %d, %d bytes (want 206 and bytes %d-%d)", c.spec, resp.StatusCode, len(body), c.lo, c.hi)
		}
		if want := fmt.Sprintf("bytes %d-%d/%d", c.lo, c.hi, n); resp.Header.Get("Content-Range") != want {
			t.Errorf("%s: Content-Range %q, want %q", c.spec, resp.Header.Get("Content-Range"), want)
		}
	}
	resp, body := get(t, "HEAD", url, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Length") != fmt.Sprint(n) || len(body) != 0 || resp.Header.Get("Accept-Ranges") != "bytes" {
		t.Errorf("HEAD: %d, Content-Length %q, Accept-Ranges %q, %d body bytes (want 200, %d, bytes, 0)",
			resp.StatusCode, resp.Header.Get("Content-Length"), resp.Header.Get("Accept-Ranges"), len(body), n)
	}
	resp, _ = get(t, "GET", url, map[string]string{"Range": fmt.Sprintf("bytes=%d-", n)})
	if resp.StatusCode != 416 {
		t.Errorf("range past the end: %d, want 416", resp.StatusCode)
	}
	resp, _ = get(t, "GET", url, map[string]string{"If-None-Match": etag})
	if etag == "" || resp.StatusCode != 304 {
		t.Errorf("If-None-Match %q: %d, want 304", etag, resp.StatusCode)
	}
	resp, _ = get(t, "GET", w.streamURL(0, catalog.RenditionHigh), map[string]string{"If-None-Match": etag})
	if resp.StatusCode != 200 {
		t.Errorf("another rendition with the low one's ETag: %d, want 200", resp.StatusCode)
	}
}

// Issue 19, acceptance 1: a share token (in the query, where <audio> and
// players can carry it) streams its playlist's tracks and nothing else; an
// owner's bearer token is never taken from a URL.
func TestStreamShareScope(t *testing.T) {
	w := newStreamWorld(t)
	base := w.r.base + "/api/v1/tracks/"
	var album string
	if err := w.db.QueryRow(`SELECT album_id FROM tracks WHERE id = ?`, w.ids[0]).Scan(&album); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, url string
		hdr       map[string]string
		want      int
	}{
		{"shared track", w.streamURL(1, "high"), nil, 200},
		{"default quality", base + w.ids[0] + "/stream?share=" + w.share, nil, 200},
		{"share token as bearer", base + w.ids[0] + "/stream", map[string]string{"Authorization": "Bearer " + w.share}, 200},
		{"track outside the playlist", base + w.ids[2] + "/stream?share=" + w.share, nil, 403},
		{"share token in a non-stream URL", base + w.ids[0] + "/manifest?share=" + w.share, nil, 401},
		{"no token", base + w.ids[0] + "/stream", nil, 401},
		{"owner token in the URL", base + w.ids[0] + "/stream?share=" + w.owner, nil, 401},
		{"unknown share token", base + w.ids[0] + "/stream?share=" + strings.Repeat("x", 22), nil, 401},
		{"owner bearer", base + w.ids[2] + "/stream?quality=low", map[string]string{"Authorization": "Bearer " + w.owner}, 200},
		{"bad quality", w.streamURL(0, "lossless"), nil, 400},
		{"cover of a shared track's album (it has none)", w.r.base + "/api/v1/albums/" + album + "/cover?share=" + w.share, nil, 404},
		{"cover of an album outside the playlist", w.r.base + "/api/v1/albums/alnotinthelist/cover?share=" + w.share, nil, 403},
		{"unknown track", base + "nosuchtrack/stream", map[string]string{"Authorization": "Bearer " + w.owner}, 404},
	} {
		resp, body := get(t, "GET", c.url, c.hdr)
		if resp.StatusCode != c.want {
			t.Errorf("%s: %d %s, want %d", c.name, resp.StatusCode, body, c.want)
		}
		if c.want != 200 && resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: error answer is %q, want JSON", c.name, resp.Header.Get("Content-Type"))
		}
	}
}

// BenchmarkStream serves the high rendition of a 60 s track over loopback:
// B/op shows the stream is read a segment at a time (a 32 KiB copy buffer),
// not held whole (the body is about 2.4 MB).
func BenchmarkStream(b *testing.B) {
	needFFmpeg(b)
	lib, data := b.TempDir(), b.TempDir()
	writeSource(b, lib, source{name: "long.flac", root: 220, seconds: 60})
	ingest(b, lib, data)
	var id string
	if err := openTestCatalog(b, data).QueryRow(`SELECT id FROM tracks`).Scan(&id); err != nil {
		b.Fatal(err)
	}
	r := startServer(b, ServerOptions{DataDir: data}, "127.0.0.1:0")
	url := r.base + "/api/v1/tracks/" + id + "/stream?quality=high"
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		resp, err := http.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("%d after %d bytes: %v", resp.StatusCode, n, err)
		}
		b.SetBytes(n)
	}
}
