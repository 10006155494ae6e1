package offline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"segue/cache"
	"segue/catalog"
	"segue/internal/testkit"
	"segue/net/fetch"
	"segue/net/originclient"
)

// fillingFetcher fills the disk (another program) before its first fetch.
type fillingFetcher struct {
	*fetch.Fetcher
	once *sync.Once
	fill func()
}

func (f fillingFetcher) Segment(ctx context.Context, hash string, u catalog.Urgency) ([]byte, catalog.Source, error) {
	f.once.Do(f.fill)
	return f.Fetcher.Segment(ctx, hash, u)
}

// offline add while the cache's disk fills up: the fetcher hands the bytes
// on when the cache cannot store them (play goes on from the network), so
// Download counted every segment done and offline add said the collection
// was pinned (exit 0) though the cache held none of it: with the origin
// down it did not play. Download now fails (ErrNotKept) saying the disk
// is full, and offline add undoes the pin and exits 1.
func TestDownloadOnAFullDiskFails(t *testing.T) {
	segs := map[string][]byte{}
	col := Collection{Ref: "al1", Kind: "album", Name: "Full"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 8 {
		b := make([]byte, 64<<10)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		sum := sha256.Sum256(b)
		h := hex.EncodeToString(sum[:])
		segs[h] = b
		col.Hashes = append(col.Hashes, h)
		col.Bytes += int64(len(b))
	}
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := segs[strings.TrimPrefix(r.URL.Path, "/chunks/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	defer origin.Close()
	client, err := originclient.New(origin.URL, originclient.Options{})
	if err != nil {
		t.Fatal(err)
	}

	disk := testkit.SmallDisk(t, "8m")
	var log testkit.Buffer
	c, err := cache.Open(filepath.Join(disk, "cache.db"), cache.Options{MaxBytes: 64 << 20, Logger: log.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	f := fillingFetcher{fetch.New(c, []fetch.Tier{{Source: catalog.SourceOrigin, Remote: client}}, fetch.Options{Logger: log.Logger()}), &sync.Once{}, func() { testkit.FillDisk(t, disk) }}
	err = Download(t.Context(), col, nil, c, f, nil)
	var held int
	for _, h := range col.Hashes {
		if c.Has(h) {
			held++
		}
	}
	if held == len(col.Hashes) {
		t.Fatalf("the cache holds all %d segments on a full disk: the test's disk is not full", held)
	}
	if !errors.Is(err, ErrNotKept) || !strings.Contains(err.Error(), "the disk it is on is full") {
		t.Errorf("download on a full disk: %v, with %d of %d segments in the cache; want ErrNotKept saying the disk is full", err, held, len(col.Hashes))
	}
	if t.Failed() {
		t.Log(log.String())
	}
}
