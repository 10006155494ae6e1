package cache

import (
	"os"
	"path/filepath"
	"testing"
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
