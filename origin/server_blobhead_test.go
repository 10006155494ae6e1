package origin

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"segue/origin/blobs"
	"segue/origin/blobs/miniotest"
)

// A HEAD of a blob whose type is known (a cover; a chunk once read) is
// answered from the store's Stat: on S3 one HEAD of the object and no GET,
// where the origin opened the object (a GET whose body the store began to
// send) only to close it unread. The answer is still a GET's without its
// body: status and headers alike, with Range, preconditions and a blob
// gone from the store.
func TestBlobHEADAsksTheStoreForNoBody(t *testing.T) {
	t.Run("files", func(t *testing.T) { testBlobHEAD(t, nil) })
	counter := miniotest.Count(t, miniotest.Start(t))
	t.Run("s3", func(t *testing.T) { testBlobHEAD(t, counter) })
}

// testBlobHEAD checks HEAD against GET on the world's blobs in the data
// dir, or copied to S3 behind counter when it is not nil.
func testBlobHEAD(t *testing.T, counter *miniotest.Counter) {
	w := newWorld(t)
	lostCover := append(tinyPNG(t), "lost"...)
	lost := w.album(w.daft, "Daft Punk", "Lost", 2001, lostCover)
	o := ServerOptions{DataDir: w.dir, MemoryCache: -1} // every answer from the store
	if counter != nil {
		o.Blobs = s3Copy(counter.Endpoint)(t, w.dir)
	}
	store := o.Blobs
	if store == nil {
		store = w.blobs
	}
	if err := store.Remove(context.Background(), blobs.Hash(lostCover)); err != nil {
		t.Fatal(err)
	}
	r := startServer(t, o, "127.0.0.1:0")
	chunk := w.formationM.Renditions[0].Segments[0].Hash
	get(t, "GET", r.base+"/chunks/"+chunk, nil) // reads the chunk's type
	cover := blobs.Hash(w.cover)
	for _, path := range []string{"/api/v1/albums/" + w.lemonade + "/cover", "/chunks/" + chunk, "/api/v1/albums/" + lost + "/cover"} {
		for _, hdr := range []map[string]string{
			nil,
			{"Range": "bytes=2-9"},
			{"Range": "bytes=0-1,4-5"},
			{"Range": "bytes=100000-"},
			{"If-None-Match": `"` + cover + `"`},
			{"If-None-Match": `"` + chunk + `"`},
		} {
			got, _ := get(t, "GET", r.base+path, hdr)
			if counter != nil {
				counter.Take()
			}
			head, body := get(t, "HEAD", r.base+path, hdr)
			if len(body) != 0 {
				t.Errorf("HEAD %s %v: %d bytes of body", path, hdr, len(body))
			}
			if head.StatusCode != got.StatusCode {
				t.Errorf("HEAD %s %v: %d; GET answers %d", path, hdr, head.StatusCode, got.StatusCode)
			}
			for _, k := range []string{"Content-Type", "Content-Length", "Content-Range", "Accept-Ranges", "ETag", "Cache-Control"} {
				g, h := got.Header.Get(k), head.Header.Get(k)
				if k == "Content-Type" { // a multipart boundary is new each time
					g, _, _ = strings.Cut(g, ";")
					h, _, _ = strings.Cut(h, ";")
				}
				if g != h {
					t.Errorf("HEAD %s %v: %s %q; GET answers %q", path, hdr, k, h, g)
				}
			}
			if counter == nil {
				continue
			}
			if asked := counter.Take(); asked[http.MethodGet] != 0 || asked[http.MethodHead] != 1 {
				t.Errorf("HEAD %s %v asked the blob store %v; want one HEAD and no GET", path, hdr, asked)
			}
		}
	}
}
