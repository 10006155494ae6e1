package cache

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// footprint is what the cache takes on disk: the database file, its WAL
// and the shared-memory index.
func footprint(path string) int64 {
	var n int64
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if fi, err := os.Stat(f); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// Acceptance 4 of issue 11: while playing (segments stored one after the
// other, read back by the player meanwhile), the cache's footprint on disk,
// WAL included, stays within the cap plus FootprintMargin. Before the fix
// the WAL alone grew to 17 MB over a 5 MB cap.
func TestFootprintWithinCap(t *testing.T) {
	const capBytes = 5 << 20
	path := filepath.Join(t.TempDir(), "cache.db")
	c := openAt(t, path, capBytes, nil)
	defer c.Close()
	limit := capBytes + FootprintMargin(capBytes)
	var wg sync.WaitGroup
	stored := make(chan string)
	wg.Add(1)
	go func() { // the player reading each segment once it is stored
		defer wg.Done()
		for h := range stored {
			if _, err := c.Get(h); err != nil {
				t.Error(err)
			}
		}
	}()
	var worst int64
	// 40 MB of 100 KB segments (320 kbit/s, 2.5 s each): eight times the cap.
	for i := range 400 {
		h, b := segment(uint64(7000+i), 100<<10)
		mustPut(t, c, h, b)
		stored <- h
		if i%8 == 0 {
			if err := c.flush(); err != nil { // the flusher's access-time writes
				t.Fatal(err)
			}
		}
		worst = max(worst, footprint(path))
	}
	close(stored)
	wg.Wait()
	t.Logf("cap %d, margin %d: worst footprint %d (db %d, wal %d)", capBytes, FootprintMargin(capBytes), worst,
		fileSizeOr0(path), fileSizeOr0(path+"-wal"))
	if worst > limit {
		t.Fatalf("footprint reached %d bytes; want at most cap %d + margin %d = %d", worst, capBytes, FootprintMargin(capBytes), limit)
	}
}

func fileSizeOr0(p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return fi.Size()
}
