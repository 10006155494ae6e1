package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"

	"segue/cache"
	"segue/sqlite"
)

// TestClientSQLiteHeapStaysUnderLimit reads 20 MB of segments through the
// cache with four readers, as the interface's fetches and read-ahead do,
// after limitClientMemory: SQLite's heap stays within a quarter of
// clientSQLiteHeap past the limit (or past what it held before, should an
// earlier test have left a connection open). Without the limit SQLite's
// heap reached 2.05 MB here.
func TestClientSQLiteHeapStaysUnderLimit(t *testing.T) {
	prev := sqlite.LimitHeap(-1) // a negative limit only reads it
	limitClientMemory()
	t.Cleanup(func() { sqlite.LimitHeap(prev) })
	before := sqlite.HeapUsed()
	c, err := cache.Open(filepath.Join(t.TempDir(), "cache.db"), cache.Options{MaxBytes: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const segments, size = 200, 100_000
	hashes := make([]string, segments)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range hashes {
		b := make([]byte, size)
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		sum := sha256.Sum256(b)
		hashes[i] = hex.EncodeToString(sum[:])
		if err := c.Put(hashes[i], b); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < len(hashes); i += 4 {
				if _, err := c.Get(hashes[i]); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	bound := max(before, clientSQLiteHeap) + clientSQLiteHeap/4
	if used := sqlite.HeapUsed(); used > bound {
		t.Fatalf("SQLite's heap is %d bytes after reading %d segments of %d bytes (%d before), want at most %d: the client's soft heap limit (%d) did not hold",
			used, segments, size, before, bound, clientSQLiteHeap)
	}
}
