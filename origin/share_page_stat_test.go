package origin

import (
	"context"
	"maps"
	"strings"
	"testing"

	"segue/origin/blobs"
	"segue/origin/blobs/miniotest"
)

// A share page on an S3 blob store learns whether its album's cover is
// there with one HEAD of the object and no GET, whether the cover is there
// or gone: the page opened the cover's object only to close it unread, a
// GET whose body (a cover can be megabytes) the store began to send on
// every view. The requests are counted by a real proxy between the origin
// and MinIO.
func TestSharePageAsksS3ForItsCoverWithAHEAD(t *testing.T) {
	counter := miniotest.Count(t, miniotest.Start(t))
	f := newFixtureOn(t, sqliteEngine)
	band := f.artist("Band")
	kept := f.album(band, "Band", "Kept", 2020, tinyPNG(t))
	here, _ := f.track(band, "Band", kept, "Kept", "Here", 1, 1, seg("k1", 1000))
	lostCover := append(tinyPNG(t), "and then some"...)
	lost := f.album(band, "Band", "Lost", 2021, lostCover)
	gone, _ := f.track(band, "Band", lost, "Lost", "Gone", 1, 1, seg("g1", 1000))
	store := s3Copy(counter.Endpoint)(t, f.dir)
	if err := store.Remove(context.Background(), blobs.Hash(lostCover)); err != nil {
		t.Fatal(err)
	}
	r := startServer(t, ServerOptions{DataDir: f.dir, Blobs: store}, "127.0.0.1:0")
	for _, c := range []struct {
		name, id, want string
	}{
		{"its cover there", here, "<img"},
		{"its cover gone", gone, `<div class="nocover"></div>`},
	} {
		_, link := shared(t, r.base, "", c.name, []string{c.id})
		counter.Take()
		resp, body := get(t, "GET", link.String(), map[string]string{"Accept": "text/html"})
		if resp.StatusCode != 200 || !strings.Contains(string(body), c.want) {
			t.Fatalf("share page with %s: %d, without %s:\n%s", c.name, resp.StatusCode, c.want, body)
		}
		if got := counter.Take(); !maps.Equal(got, map[string]int{"HEAD": 1}) {
			t.Errorf("a view of a share page with %s asked the blob store %v; want one HEAD", c.name, got)
		}
	}
}
