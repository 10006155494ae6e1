package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"path/filepath"
	"runtime/debug"
	"sync"
	"testing"

	"segue/cache"
	"segue/sqlite"
)

// TestClientSQLiteHeapStaysUnderLimit reads 20 MB of segments through the
// cache with four readers, as the interface's fetches and read-ahead do,
// after limitClientMemory: SQLite's heap stays within a quarter of
// clientSQLiteHeap past the limit (or past what it held before, should an
// earlier test have left a connection open). Without the limit the
// connections' page caches grew to 5 MB.
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

// TestSteadyHeapLowersGCPercent checks that steady play runs Go's
// collector at steadyGCPercent, whose heap goal's floor (4 MB at GOGC
// 100) is what kept the interface's heap resident, and that a GOGC the
// user set stays.
func TestSteadyHeapLowersGCPercent(t *testing.T) {
	prev := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(prev) })
	for _, tc := range []struct {
		gogc string
		want int
	}{{"", steadyGCPercent}, {"100", 100}} {
		t.Setenv("GOGC", tc.gogc)
		debug.SetGCPercent(100)
		newSteadyHeap().drop()
		if got := debug.SetGCPercent(100); got != tc.want {
			t.Errorf("GOGC=%q: GC percent after steadyHeap is %d, want %d", tc.gogc, got, tc.want)
		}
	}
}
