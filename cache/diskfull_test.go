package cache

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"segue/internal/testkit"
)

// Issue 11, a full cache disk: the cache still opens (one warning, and
// DiskFull says so), reads work, Put fails with ErrDiskFull, and a lower
// cap, GC and Clear each work on the full disk and give space back.
func TestFullDisk(t *testing.T) {
	disk := testkit.SmallDisk(t, "8m")
	path := filepath.Join(disk, "cache.db")
	c := openAt(t, path, 4<<20, nil)
	fill(t, c, 100, 40, 64<<10) // 2.5 MiB
	c.Close()
	if fi, err := os.Stat(reservePath(path)); err != nil || fi.Size() != reserveFor(4<<20) {
		t.Fatalf("no reserve file beside the cache: %v", err)
	}

	testkit.FillDisk(t, disk)
	var log testkit.Buffer
	c = openAt(t, path, 16<<20, &log) // a cap the disk cannot hold: Puts must find it full
	if !c.DiskFull() {
		t.Error("DiskFull is false on a full disk")
	}
	if s, err := c.Stats(); err != nil || s.Segments != 40 {
		t.Fatalf("stats on a full disk: %+v, %v", s, err)
	}
	if _, err := c.Get(func() string { h, _ := segment(100, 64<<10); return h }()); err != nil {
		t.Fatalf("get on a full disk: %v", err)
	}
	var fails int
	for i := range 60 { // more than the released reserve holds
		h, b := segment(uint64(5000+i), 64<<10)
		if err := c.Put(h, b); err != nil {
			if !errors.Is(err, ErrDiskFull) {
				t.Fatalf("Put on a full disk: %v, want ErrDiskFull", err)
			}
			fails++
		}
	}
	c.Close()
	if fails == 0 || strings.Count(log.String(), "level=WARN") != 1 {
		t.Fatalf("%d Puts failed; log %q; want failures and one warning", fails, log.String())
	}
	// Said at Open, in one sentence with the space left: no key=value pairs.
	if !regexp.MustCompile(`msg="the disk holding the cache ` + regexp.QuoteMeta(path) + ` is full \(\d+ KiB free\): new segments are not cached and play from the network; free space on that disk or lower --cache-size \(cache.size in config.toml\)"\n$`).MatchString(log.String()) {
		t.Errorf("the warning at Open on a full disk: %q; want one sentence with the space left", log.String())
	}

	for _, op := range []struct {
		name string
		max  int64
		run  func(*Cache) error
	}{
		{"a lower cap", 1 << 20, func(*Cache) error { return nil }},
		{"gc", 1 << 20, (*Cache).GC},
		{"clear", 4 << 20, func(c *Cache) error { return c.Clear(false) }},
	} {
		// The disk fills up (another program) while segue has its reserve.
		if err := os.Remove(filepath.Join(disk, "filler")); err != nil {
			t.Fatal(err)
		}
		openAt(t, path, 4<<20, nil).Close()
		if fi, err := os.Stat(reservePath(path)); err != nil || fi.Size() != reserveFor(4<<20) {
			t.Fatalf("no reserve before %s: %v", op.name, err)
		}
		testkit.FillDisk(t, disk)
		before := footprint(path)
		c := openAt(t, path, op.max, nil)
		if err := op.run(c); err != nil {
			t.Fatalf("%s on a full disk: %v", op.name, err)
		}
		s, _ := c.Stats()
		c.Close()
		after := footprint(path)
		t.Logf("%s on a full disk: footprint %d -> %d, %d bytes stored", op.name, before, after, s.Bytes)
		if s.Bytes > op.max {
			t.Errorf("%s on a full disk: %d bytes stored over a cap of %d", op.name, s.Bytes, op.max)
		}
		if op.name != "gc" && after >= before { // gc comes after the lower cap did the work
			t.Errorf("%s on a full disk gave no space back: footprint %d -> %d", op.name, before, after)
		}
	}

	// Room again: segments are stored and the reserve is back.
	if err := os.Remove(filepath.Join(disk, "filler")); err != nil {
		t.Fatal(err)
	}
	c = openAt(t, path, 4<<20, nil)
	defer c.Close()
	if c.DiskFull() {
		t.Error("DiskFull with room on the disk")
	}
	h, b := segment(7, 64<<10)
	mustPut(t, c, h, b)
	if fi, err := os.Stat(reservePath(path)); err != nil || fi.Size() != reserveFor(4<<20) {
		t.Fatalf("the reserve was not made again: %v", err)
	}
}

// The same behaviour from a cache on disk and one in memory (what segue
// plays through when the cache file cannot be opened): store, read,
// documents, eviction under the cap, pins, verify, clear.
func TestContractDiskAndMemory(t *testing.T) {
	open := map[string]func(max int64) *Cache{
		"disk": func(max int64) *Cache { c, _ := openTemp(t, max); return c },
		"memory": func(max int64) *Cache {
			c, err := OpenMemory(Options{MaxBytes: max})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			return c
		},
	}
	for name, mk := range open {
		c := mk(1 << 20)
		pinned, pb := segment(1, 100<<10)
		if err := c.Pin(pinned); err != nil {
			t.Fatal(err)
		}
		mustPut(t, c, pinned, pb)
		fill(t, c, 10, 30, 100<<10) // 3 MiB through a 1 MiB cache
		s, err := c.Stats()
		if err != nil || s.Bytes > 1<<20 || !c.Has(pinned) {
			t.Fatalf("%s: stats %+v, %v, pinned kept %v; want at most 1 MiB with the pin kept", name, s, err, c.Has(pinned))
		}
		if b, err := c.Get(pinned); err != nil || len(b) != len(pb) {
			t.Fatalf("%s: get pinned: %d bytes, %v", name, len(b), err)
		}
		if err := c.PutDoc("k", Doc{Body: []byte(`{}`), ContentType: "application/json"}); err != nil {
			t.Fatal(err)
		}
		if d, err := c.GetDoc("k"); err != nil || string(d.Body) != "{}" {
			t.Fatalf("%s: doc %q, %v", name, d.Body, err)
		}
		if r, err := c.Verify(); err != nil || r.Bad != 0 {
			t.Fatalf("%s: verify %+v, %v", name, r, err)
		}
		if err := c.Clear(false); err != nil {
			t.Fatal(err)
		}
		if s, _ := c.Stats(); s.Entries != 0 {
			t.Fatalf("%s: %d entries after clear", name, s.Entries)
		}
	}
}
