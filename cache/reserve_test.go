package cache

import (
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"segue/internal/testkit"
)

// The reserve file never exceeds what the cap allows: a quarter of the cap
// up to 2 MiB, none for a cap under four pages, and a cap lowered below an
// existing reserve shrinks it.
func TestReserveWithinCap(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	for _, tc := range []struct {
		max  int64
		want int64 // 0: no reserve file
	}{
		{2 << 30, 2 << 20},
		{4 << 20, 1 << 20},
		{1_000_000, 249856}, // 1MB/4 in whole pages
		{8 << 10, 0},        // under four pages: too small to keep one
		{1_000_000, 249856}, // made again once the cap allows it
	} {
		openAt(t, path, tc.max, nil).Close()
		fi, err := os.Stat(reservePath(path))
		switch {
		case tc.want == 0 && err == nil:
			t.Errorf("cap %d: a reserve of %d bytes; want none", tc.max, fi.Size())
		case tc.want != 0 && err != nil:
			t.Errorf("cap %d: no reserve: %v", tc.max, err)
		case tc.want != 0 && fi.Size() != tc.want:
			t.Errorf("cap %d: a reserve of %d bytes; want %d", tc.max, fi.Size(), tc.want)
		}
	}
}

// TestOpenAtOnceFindsNoFullDisk: segue processes opening one new cache at
// once (two plays, a cache stats and an offline add started together)
// said "the disk holding the cache ... is full (76623552 KiB free)": each
// made the reserve file by writing it in place, and another found it
// there, not yet its full size, and took the reserve for given back to a
// full disk. So did a process whose cap wants a smaller reserve than
// another's made.
func TestOpenAtOnceFindsNoFullDisk(t *testing.T) {
	for round := range 20 {
		path := filepath.Join(t.TempDir(), "cache.db")
		var wg sync.WaitGroup
		var log testkit.Buffer
		start := make(chan struct{})
		for i := range 8 {
			wg.Go(func() {
				<-start
				max := int64(DefaultMaxBytes)
				if i%2 == 1 {
					max = 3 << 20 // a smaller reserve than the others'
				}
				c, err := Open(path, Options{MaxBytes: max, Logger: slog.New(slog.NewTextHandler(&log, nil))})
				if err != nil {
					t.Error(err)
					return
				}
				if c.DiskFull() {
					t.Errorf("round %d: Open found the disk full; log: %s", round, log.String())
				}
				c.Close()
			})
		}
		close(start)
		wg.Wait()
		if t.Failed() {
			return
		}
	}
}
