package origin

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"segue/origin/blobs"
	"segue/origin/blobs/miniotest"
)

// tinyJPEG is a 4x4 JPEG image.
func tinyJPEG(t testing.TB) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// GET and HEAD /chunks/{hash} of a cover image answer with the image's
// type, of an audio segment with audio/mpeg: on the fast path and on
// net/http, from a blob's file (opened, then kept open), from the memory
// cache and from S3 (a real MinIO; read as it streams, and cached), with
// the same headers on both paths (an origin on S3 has no fast path: both
// connections are net/http's); a Range of it too.
func TestChunksAnswerTheirBlobsType(t *testing.T) {
	t.Run("files", func(t *testing.T) { testChunksType(t, -1, nil) })
	t.Run("memory", func(t *testing.T) { testChunksType(t, 0, nil) })
	endpoint := miniotest.Start(t)
	t.Run("s3", func(t *testing.T) { testChunksType(t, -1, s3Copy(endpoint)) })
	t.Run("s3-memory", func(t *testing.T) { testChunksType(t, 0, s3Copy(endpoint)) })
}

func testChunksType(t *testing.T, mem int64, store func(t *testing.T, dataDir string) blobs.Store) {
	w := newWorld(t)
	jpg := tinyJPEG(t)
	jpgHash, err := w.blobs.Put(context.Background(), jpg)
	if err != nil {
		t.Fatal(err)
	}
	blobsOf := []struct {
		hash, want string
		data       []byte
	}{
		{blobs.Hash(w.cover), "image/png", w.cover},
		{jpgHash, "image/jpeg", jpg},
		{w.formationM.Renditions[0].Segments[0].Hash, "audio/mpeg", seg("f1", 2000)},
	}
	o := ServerOptions{DataDir: w.dir, MemoryCache: mem}
	if store != nil {
		o.Blobs = store(t, w.dir)
	}
	r := startServer(t, o, "127.0.0.1:0")
	for _, b := range blobsOf {
		chunk := "/chunks/" + b.hash
		slow := dialRaw(t, r.base)
		slow.do("GET", "/api/v1/artists") // net/http serves the connection
		before := fastConns(r.srv)
		fast := dialRaw(t, r.base)
		for i, method := range []string{"GET", "HEAD", "GET", "HEAD"} {
			resp, body := fast.do(method, chunk)
			if i == 0 {
				if n := fastConns(r.srv); before >= 0 && n != before+1 { // -1: S3 has no fast path
					t.Fatalf("%d connections on the fast path; want %d (this test's too)", n, before+1)
				}
			}
			want, _ := slow.do(method, chunk)
			for path, resp := range map[string]*http.Response{"the fast path": resp, "net/http": want} {
				if got := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || got != b.want {
					t.Errorf("%s %s of a %s blob on %s: %d, Content-Type %q; want 200 and %q",
						method, chunk, b.want, path, resp.StatusCode, got, b.want)
				}
			}
			if method == "GET" && !bytes.Equal(body, b.data) {
				t.Errorf("fast GET %s: %d bytes, not the blob's %d", chunk, len(body), len(b.data))
			}
			h, wh := resp.Header.Clone(), want.Header.Clone()
			h.Del("Date")
			wh.Del("Date")
			if !maps.EqualFunc(h, wh, slices.Equal) {
				t.Errorf("fast %s %s headers %v; want net/http's %v", method, chunk, h, wh)
			}
		}
		// A Range, which the fast path hands back to net/http.
		resp, body := fast.do("GET", chunk, "Range: bytes=2-9\r\n")
		if got := resp.Header.Get("Content-Type"); resp.StatusCode != 206 || got != b.want || !bytes.Equal(body, b.data[2:10]) {
			t.Errorf("GET %s, Range bytes=2-9: %d, Content-Type %q, %d bytes; want 206, %q and 8 bytes", chunk, resp.StatusCode, got, len(body), b.want)
		}
	}
}

// openFiles reads a blob's type from its first file's first bytes and
// keeps it with the blob's entry: a file opened while every kept one is
// lent takes it from there, unread.
func TestOpenFilesKeepTheBlobsType(t *testing.T) {
	dir := t.TempDir()
	open := func(name string, data []byte) *os.File {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	o := newOpenFiles(4)
	png := tinyPNG(t)
	k, err := o.lend("cover", open("cover", png), int64(len(png)), 0, false)
	if err != nil {
		t.Fatal(err)
	}
	if k.typ != blobPNG {
		t.Fatalf("type read from a PNG file: %v; want %v", k.typ.MIME(), blobPNG.MIME())
	}
	k.Close() // kept
	f, typ, known := o.take("cover")
	if f == nil || typ != blobPNG || !known {
		t.Fatalf("take of the kept cover: file %v, type %v, known %v; want the file, %v, known", f != nil, typ.MIME(), known, blobPNG.MIME())
	}
	if g, typ, known := o.take("cover"); g != nil || typ != blobPNG || !known {
		t.Fatalf("take with the cover's one file lent: file %v, type %v, known %v; want none, %v, known", g != nil, typ.MIME(), known, blobPNG.MIME())
	}
	// A second file of the blob: its bytes are not read (here they would say audio).
	k2, err := o.lend("cover", open("other", seg("x", 100)), int64(len(png)), blobPNG, true)
	if err != nil || k2.typ != blobPNG {
		t.Fatalf("second file of the cover, type known: %v, %v; want %v", k2.typ.MIME(), err, blobPNG.MIME())
	}
	if _, typ, known := o.take("segment"); known {
		t.Fatalf("take of a blob never lent: type %v known; want unknown", typ.MIME())
	}
	k2.Close()
	f.Close()
}
