package origin

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"segue/origin/blobs"
	"segue/origin/blobs/miniotest"
	"segue/origin/pgtest"
)

// countingStore is a blob store that counts the blobs it is asked to open
// or stat (found or not) and the bytes read from them, with Read and
// ReadAt alike.
type countingStore struct {
	blobs.Store
	opens, stats, read atomic.Int64
}

func (c *countingStore) Stat(ctx context.Context, hash string) (int64, bool, error) {
	c.stats.Add(1)
	return c.Store.Stat(ctx, hash)
}

// asks is how many blobs c was asked to open or stat.
func (c *countingStore) asks() int64 { return c.opens.Load() + c.stats.Load() }

func (c *countingStore) Open(ctx context.Context, hash string) (blobs.Blob, error) {
	c.opens.Add(1)
	b, err := c.Store.Open(ctx, hash)
	if err != nil {
		return b, err
	}
	counted := &countedBlob{ReadSeekCloser: b.ReadSeekCloser, read: &c.read}
	if ra, ok := b.ReadSeekCloser.(io.ReaderAt); ok {
		b.ReadSeekCloser = &countedReaderAt{countedBlob: counted, ra: ra}
	} else {
		b.ReadSeekCloser = counted
	}
	return b, nil
}

type countedBlob struct {
	io.ReadSeekCloser
	read *atomic.Int64
}

func (b *countedBlob) Read(p []byte) (int, error) {
	n, err := b.ReadSeekCloser.Read(p)
	b.read.Add(int64(n))
	return n, err
}

type countedReaderAt struct {
	*countedBlob
	ra io.ReaderAt
}

func (b *countedReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := b.ra.ReadAt(p, off)
	b.read.Add(int64(n))
	return n, err
}

// /chunks on net/http reads a blob's first bytes for its type once: a
// later HEAD reads nothing, a GET the blob's bytes once, a Range its
// bytes alone, and every answer keeps the blob's type. A blob that
// streams (S3) gives its first bytes to the body too, so even the first
// GET reads no byte twice; a file is read at its start (one pread) once.
func TestChunksReadABlobsTypeOnce(t *testing.T) {
	t.Run("files", func(t *testing.T) { testChunksTypeOnce(t, nil) })
	endpoint := miniotest.Start(t)
	t.Run("s3", func(t *testing.T) { testChunksTypeOnce(t, s3Copy(endpoint)) })
}

func testChunksTypeOnce(t *testing.T, store func(t *testing.T, dataDir string) blobs.Store) {
	w := newWorld(t)
	jpg := tinyJPEG(t)
	jpgHash, err := w.blobs.Put(context.Background(), jpg)
	if err != nil {
		t.Fatal(err)
	}
	var inner blobs.Store = blobs.FS{Dir: filepath.Join(w.dir, BlobDir)}
	if store != nil {
		inner = store(t, w.dir)
	}
	cs := &countingStore{Store: inner}
	r := startServer(t, ServerOptions{DataDir: w.dir, MemoryCache: -1, Blobs: cs}, "127.0.0.1:0")
	c := dialRaw(t, r.base)
	c.do("GET", "/api/v1/artists") // net/http serves the connection
	for _, b := range []struct {
		hash, want string
		data       []byte
	}{
		{blobs.Hash(w.cover), "image/png", w.cover},
		{jpgHash, "image/jpeg", jpg},
		{w.formationM.Renditions[0].Segments[0].Hash, "audio/mpeg", seg("f1", 2000)},
	} {
		chunk := "/chunks/" + b.hash
		firstMax := int64(len(b.data))
		if store == nil {
			firstMax += sniffHead // the file's start, read once for its type
		}
		for i, q := range []struct {
			method, hdr string
			status      int
			body        []byte
		}{
			{"GET", "", 200, b.data},
			{"HEAD", "", 200, nil},
			{"GET", "", 200, b.data},
			{"GET", "Range: bytes=2-9\r\n", 206, b.data[2:10]},
			{"HEAD", "", 200, nil},
		} {
			before := cs.read.Load()
			resp, body := c.do(q.method, chunk, q.hdr)
			read := cs.read.Load() - before
			if got := resp.Header.Get("Content-Type"); resp.StatusCode != q.status || got != b.want || !bytes.Equal(body, q.body) {
				t.Errorf("%s %s %q: %d, Content-Type %q, %d bytes; want %d, %q and %d bytes",
					q.method, chunk, q.hdr, resp.StatusCode, got, len(body), q.status, b.want, len(q.body))
			}
			want := int64(len(q.body))
			if i == 0 && read <= firstMax && read >= want {
				continue
			}
			if read != want {
				t.Errorf("request %d, %s %s %q of a %s blob read %d bytes of it; want %d (its type read once, on the first)",
					i+1, q.method, chunk, q.hdr, b.want, read, want)
			}
		}
	}
}

// A presigned URL of /chunks/{hash} says the blob's type: a cover's image
// type (from the catalog, SQLite or PostgreSQL, whose covers it learns
// again once the catalog changed) and audio/mpeg for a segment. HEAD is
// redirected to a URL signed for HEAD (one signed for GET answers 403).
func TestPresignedChunksCarryTheirType(t *testing.T) {
	endpoint := miniotest.Start(t)
	forEachEngine(t, func(t *testing.T, e engine) { testPresignedType(t, e, endpoint) })
}

func testPresignedType(t *testing.T, e engine, endpoint string) {
	w := newWorldOn(t, e)
	store := s3Copy(endpoint+"&presign=5m")(t, w.dir)
	o := w.serverOptions()
	o.Blobs = store
	r := startServer(t, o, "127.0.0.1:0")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	check := func(hash, want string, data []byte) {
		t.Helper()
		for _, method := range []string{"GET", "HEAD"} {
			req, err := http.NewRequest(method, r.base+"/chunks/"+hash, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := noFollow.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusTemporaryRedirect {
				t.Fatalf("%s /chunks/%s: %d; want 307 to a presigned URL", method, hash, resp.StatusCode)
			}
			resp, body := get(t, method, resp.Header.Get("Location"), nil)
			if method == "HEAD" {
				body = data
			}
			if got := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || got != want || !bytes.Equal(body, data) ||
				resp.ContentLength != int64(len(data)) {
				t.Errorf("presigned %s of %s: %d (%s), Content-Type %q, Content-Length %d, %d bytes; want 200, %q and its %d bytes",
					method, hash, resp.StatusCode, resp.Header.Get("X-Minio-Error-Code"), got, resp.ContentLength, len(body), want, len(data))
			}
		}
	}
	check(blobs.Hash(w.cover), "image/png", w.cover)
	check(w.formationM.Renditions[0].Segments[0].Hash, "audio/mpeg", seg("f1", 2000))

	// An album ingested now, with a JPEG cover: the catalog says it changed.
	jpg := tinyJPEG(t)
	ctx := context.Background()
	if _, err := store.Put(ctx, jpg); err != nil {
		t.Fatal(err)
	}
	id := w.album(w.daft, "Daft Punk", "Homework", 1997, jpg)
	w.exec(`UPDATE albums SET cover_mime = 'image/jpeg' WHERE id = ?`, id)
	if err := markChanged(ctx, w.db, time.Now(), true); err != nil {
		t.Fatal(err)
	}
	check(blobs.Hash(jpg), "image/jpeg", jpg)
}

// blobTypes holds at most maxBlobTypes types, the latest at least
// maxBlobTypes/2 of them, and one asked for again stays.
func TestBlobTypesAreBounded(t *testing.T) {
	ts := newBlobTypes()
	ts.put("first", blobPNG)
	for i := range 2 * maxBlobTypes {
		ts.put(strconv.Itoa(i), blobAudio)
		if i%(maxBlobTypes/4) == 0 {
			if typ, ok := ts.get("first"); !ok || typ != blobPNG {
				t.Fatalf("after %d more: the type of a blob asked for again is %v, %v; want kept, %v", i+1, typ.MIME(), ok, blobPNG.MIME())
			}
		}
	}
	if n := len(ts.new) + len(ts.old); n > maxBlobTypes {
		t.Errorf("%d types kept; want at most %d", n, maxBlobTypes)
	}
	for i := 2*maxBlobTypes - maxBlobTypes/2; i < 2*maxBlobTypes; i++ {
		if _, ok := ts.get(strconv.Itoa(i)); !ok {
			t.Fatalf("type %d of the last %d put was dropped", 2*maxBlobTypes-i, maxBlobTypes/2)
		}
	}
	if _, ok := ts.get("0"); ok {
		t.Errorf("the type put first of %d is still kept", 2*maxBlobTypes)
	}
}

// A presigning origin whose catalog (PostgreSQL) stopped still answers
// /chunks: redirected with the covers it listed before, and, on an
// origin that never listed them, with the bytes themselves and their type
// read off them; a redirect needed no catalog before it said covers' types.
func TestPresignedChunksWithoutTheCatalog(t *testing.T) {
	endpoint := miniotest.Start(t)
	cluster := pgtest.Start(t)
	w := newWorldIn(newFixtureAt(t, cluster.Database(t)))
	store := s3Copy(endpoint+"&presign=5m")(t, w.dir)
	o := w.serverOptions()
	o.Blobs = store
	listed, fresh := startServer(t, o, "127.0.0.1:0"), startServer(t, o, "127.0.0.1:0")
	cover, segment := blobs.Hash(w.cover), w.formationM.Renditions[0].Segments[0].Hash
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	fetch := func(r *running, hash string) (*http.Response, []byte) {
		t.Helper()
		resp, err := noFollow.Get(r.base + "/chunks/" + hash)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode == http.StatusTemporaryRedirect {
			return get(t, "GET", resp.Header.Get("Location"), nil)
		}
		return resp, body
	}
	fetch(listed, segment) // lists the covers
	cluster.Stop(t)
	defer cluster.Start(t)
	for _, r := range []*running{listed, fresh} {
		for _, b := range []struct {
			hash, want string
			data       []byte
		}{{cover, "image/png", w.cover}, {segment, "audio/mpeg", seg("f1", 2000)}} {
			resp, body := fetch(r, b.hash)
			if got := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || got != b.want || !bytes.Equal(body, b.data) {
				t.Errorf("GET /chunks/%s with the catalog stopped (covers listed before: %v): %d, Content-Type %q, %d bytes; want 200, %q and its %d bytes",
					b.hash, r == listed, resp.StatusCode, got, len(body), b.want, len(b.data))
			}
		}
	}
}

// streamBlob is a blob read as it streams (no ReadAt), as S3's are.
type streamBlob struct{ io.ReadSeeker }

func (streamBlob) Close() error { return nil }

// A streaming blob whose first bytes were read for its type reads and
// seeks as the blob itself, from anywhere, blobs shorter than those first
// bytes too.
func TestSniffedStreamReadsAsTheBlob(t *testing.T) {
	for _, data := range [][]byte{tinyJPEG(t), seg("s", 3000), []byte("ID3"), {}} {
		b, typ, err := sniffOpened(blobs.Blob{ReadSeekCloser: streamBlob{bytes.NewReader(data)}, Size: int64(len(data))})
		if err != nil {
			t.Fatal(err)
		}
		if want := sniffBlob(data); typ != want {
			t.Errorf("type of a %d-byte blob: %v; want %v", len(data), typ.MIME(), want.MIME())
		}
		if err := iotest.TestReader(b, data); err != nil {
			t.Errorf("a %d-byte blob read after its type: %v", len(data), err)
		}
	}
}
