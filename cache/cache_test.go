package cache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// segment returns deterministic bytes of length n for seed, and their hash.
func segment(seed uint64, n int) (string, []byte) {
	r := rand.New(rand.NewPCG(seed, 0x5e9e))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], r.Uint64())
	}
	for i := n &^ 7; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), b
}

// syncBuffer is a log sink tests can read while the cache writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func openAt(t testing.TB, path string, max int64, log *syncBuffer) *Cache {
	t.Helper()
	o := Options{MaxBytes: max, FlushInterval: time.Hour}
	if log != nil {
		o.Logger = slog.New(slog.NewTextHandler(log, nil))
	}
	c, err := Open(path, o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func openTemp(t testing.TB, max int64) (*Cache, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "segue", "cache.db")
	c := openAt(t, path, max, nil)
	t.Cleanup(func() { c.Close() })
	return c, path
}

func mustPut(t testing.TB, c *Cache, h string, b []byte) {
	t.Helper()
	if err := c.Put(h, b); err != nil {
		t.Fatal(err)
	}
}

func TestPutGetRoundTrip(t *testing.T) {
	c, _ := openTemp(t, 1<<20)
	h, b := segment(1, 1000)
	if _, err := c.Get(h); !errors.Is(err, ErrMiss) {
		t.Fatalf("Get before Put: err %v, want ErrMiss", err)
	}
	mustPut(t, c, h, b)
	got, err := c.Get(h)
	if err != nil || !bytes.Equal(got, b) {
		t.Fatalf("Get: %d bytes, err %v; want the %d bytes put", len(got), err, len(b))
	}
	if !c.Has(h) {
		t.Fatal("Has after Put = false")
	}
	mustPut(t, c, h, b) // again: no duplicate
	s, err := c.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if s.Segments != 1 || s.Bytes != 1000 || s.Hits != 1 || s.Misses != 1 {
		t.Fatalf("stats %+v, want 1 segment of 1000 bytes, 1 hit, 1 miss", s)
	}
}

func TestPutRejectsWrongHash(t *testing.T) {
	c, _ := openTemp(t, 1<<20)
	h, b := segment(1, 100)
	b[0] ^= 1
	if err := c.Put(h, b); !errors.Is(err, ErrHashMismatch) {
		t.Fatalf("Put of altered bytes: err %v, want ErrHashMismatch", err)
	}
	if c.Has(h) {
		t.Fatal("altered bytes were stored")
	}
}

// Acceptance 2: the least recently read unpinned segment is evicted.
func TestEvictsLeastRecentlyRead(t *testing.T) {
	c, _ := openTemp(t, 3000)
	var hs [4]string
	var bs [4][]byte
	for i := range hs {
		hs[i], bs[i] = segment(uint64(i), 1000)
	}
	for i := range 3 {
		mustPut(t, c, hs[i], bs[i])
	}
	// Read 0 then 1: 2 is now the least recently used.
	for _, i := range []int{0, 1} {
		if _, err := c.Get(hs[i]); err != nil {
			t.Fatal(err)
		}
	}
	mustPut(t, c, hs[3], bs[3])
	for i, want := range []bool{true, true, false, true} {
		if got := c.Has(hs[i]); got != want {
			t.Errorf("segment %d present = %v, want %v", i, got, want)
		}
	}
	// The same after the access times were flushed to disk.
	if err := c.flush(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(hs[3]); err != nil {
		t.Fatal(err)
	}
	if err := c.flush(); err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, hs[2], bs[2]) // evicts 0, read before 1
	if c.Has(hs[0]) || !c.Has(hs[1]) || !c.Has(hs[3]) {
		t.Errorf("after flushes: present 0=%v 1=%v 3=%v, want false true true", c.Has(hs[0]), c.Has(hs[1]), c.Has(hs[3]))
	}
}

func TestPinnedNeverEvictedAndCapped(t *testing.T) {
	c, _ := openTemp(t, 3000)
	a, ab := segment(10, 1000)
	b, bb := segment(11, 1000)
	late, lb := segment(12, 1500)
	mustPut(t, c, a, ab)
	if err := c.Pin(a, late); err != nil { // late is not stored yet
		t.Fatal(err)
	}
	mustPut(t, c, b, bb)
	mustPut(t, c, late, lb) // arrives pinned; evicts b, not a
	if !c.Has(a) || c.Has(b) || !c.Has(late) {
		t.Fatalf("present a=%v b=%v late=%v, want true false true", c.Has(a), c.Has(b), c.Has(late))
	}
	s, _ := c.Stats()
	if s.PinnedBytes != 2500 || s.PinsWaiting != 0 {
		t.Fatalf("pinned bytes %d waiting %d, want 2500 0", s.PinnedBytes, s.PinsWaiting)
	}
	big, bigb := segment(13, 600)
	if err := c.Pin(big); err != nil {
		t.Fatal(err)
	}
	if err := c.Put(big, bigb); !errors.Is(err, ErrPinFull) {
		t.Fatalf("pinning past the cap: err %v, want ErrPinFull", err)
	}
	other, ob := segment(14, 600)
	if err := c.Put(other, ob); !errors.Is(err, ErrFull) {
		t.Fatalf("unpinned Put beside a full pinned set: err %v, want ErrFull", err)
	}
	if err := c.Unpin(a); err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, big, bigb) // a is evictable now
	if c.Has(a) || !c.Has(big) {
		t.Fatal("after Unpin, a should have made room for big")
	}
}

// Acceptance 7: a document stored with its ETag is returned after reopen.
func TestDocSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	c := openAt(t, path, 1<<20, nil)
	key := "http://127.0.0.1:8080/api/v1/tracks/abc/manifest"
	want := Doc{Body: []byte(`{"track":"abc"}`), ETag: `"v1-abc"`, ContentType: "application/json",
		Stored: time.Unix(1700000000, 123)}
	if err := c.PutDoc(key, want); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c = openAt(t, path, 1<<20, nil)
	defer c.Close()
	got, err := c.GetDoc(key)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Body, want.Body) || got.ETag != want.ETag || got.ContentType != want.ContentType ||
		!got.Stored.Equal(want.Stored) {
		t.Fatalf("GetDoc after reopen = %+v, want %+v", got, want)
	}
	if _, err := c.GetDoc(key + "?other"); !errors.Is(err, ErrMiss) {
		t.Fatalf("absent doc: err %v, want ErrMiss", err)
	}
	want.ETag = `"v2"`
	if err := c.PutDoc(key, want); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.GetDoc(key); got.ETag != `"v2"` {
		t.Fatalf("replaced doc ETag %q, want v2", got.ETag)
	}
	if s, _ := c.Stats(); s.Docs != 1 || s.Bytes != int64(len(want.Body)) {
		t.Fatalf("stats after replace: %d docs %d bytes", s.Docs, s.Bytes)
	}
}

// Acceptance 5: garbage at the cache path is moved aside with a warning.
func TestGarbageFileMovedAside(t *testing.T) {
	for name, content := range map[string]func(path string) error{
		"garbage": func(path string) error {
			return os.WriteFile(path, bytes.Repeat([]byte("not a database "), 500), 0o600)
		},
		"foreign": func(path string) error {
			db, err := openDB(path + ".tmp") // a valid SQLite file...
			if err != nil {
				return err
			}
			db.Exec(`PRAGMA application_id = 42`) // ...of another program
			db.Close()
			return os.Rename(path+".tmp", path)
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "cache.db")
			if err := content(path); err != nil {
				t.Fatal(err)
			}
			var log syncBuffer
			c := openAt(t, path, 1<<20, &log)
			defer c.Close()
			h, b := segment(1, 100)
			mustPut(t, c, h, b)
			if !strings.Contains(log.String(), "moved it aside") || strings.Count(log.String(), "level=WARN") != 1 {
				t.Fatalf("want one warning about moving the file aside, log: %q", log.String())
			}
			aside, _ := filepath.Glob(filepath.Join(dir, "cache.db.corrupt-*"))
			if len(aside) != 1 {
				t.Fatalf("moved-aside files: %v, want one", aside)
			}
		})
	}
}

func TestOpenLeavesGoodFileAlone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	var log syncBuffer
	c := openAt(t, path, 1<<20, &log)
	h, b := segment(1, 100)
	mustPut(t, c, h, b)
	c.Close()
	c = openAt(t, path, 1<<20, &log)
	defer c.Close()
	if !c.Has(h) || log.String() != "" {
		t.Fatalf("reopen lost data (%v) or warned: %q", c.Has(h), log.String())
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func fill(t *testing.T, c *Cache, seed uint64, n, size int) {
	t.Helper()
	for i := range n {
		h, b := segment(seed+uint64(i), size)
		mustPut(t, c, h, b)
	}
}

// Acceptance 6: the file shrinks after clear and after heavy eviction.
func TestFileShrinks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	c := openAt(t, path, 8<<20, nil)
	fill(t, c, 1000, 120, 64<<10) // 7.5 MiB
	c.Close()
	full := fileSize(t, path)
	if full < 7<<20 {
		t.Fatalf("filled file is %d bytes, want >= 7 MiB", full)
	}

	// Heavy eviction: the cap drops to 1 MiB.
	c = openAt(t, path, 1<<20, nil)
	if s, _ := c.Stats(); s.Bytes > 1<<20 {
		t.Fatalf("after lowering the cap: %d bytes stored", s.Bytes)
	}
	c.Close()
	evicted := fileSize(t, path)
	if evicted > 3<<20 {
		t.Fatalf("file after evicting to 1 MiB: %d bytes (was %d), want <= 3 MiB", evicted, full)
	}

	c = openAt(t, path, 8<<20, nil)
	fill(t, c, 2000, 120, 64<<10)
	if err := c.Clear(false); err != nil {
		t.Fatal(err)
	}
	s, _ := c.Stats()
	c.Close()
	cleared := fileSize(t, path)
	if s.Entries != 0 || s.Bytes != 0 || cleared > 256<<10 {
		t.Fatalf("after clear: %d entries, %d bytes, file %d bytes; want empty and < 256 KiB", s.Entries, s.Bytes, cleared)
	}
}

func TestClearKeepPinned(t *testing.T) {
	c, _ := openTemp(t, 1<<20)
	a, ab := segment(1, 100)
	b, bb := segment(2, 100)
	mustPut(t, c, a, ab)
	mustPut(t, c, b, bb)
	if err := c.Pin(a); err != nil {
		t.Fatal(err)
	}
	if err := c.Clear(true); err != nil {
		t.Fatal(err)
	}
	if !c.Has(a) || c.Has(b) {
		t.Fatalf("after Clear(true): pinned %v unpinned %v, want true false", c.Has(a), c.Has(b))
	}
	if err := c.GC(); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyDropsBadBytes(t *testing.T) {
	c, _ := openTemp(t, 1<<20)
	fill(t, c, 1, 10, 500)
	bad, bb := segment(99, 500)
	mustPut(t, c, bad, bb)
	// Damage one blob and the totals behind the cache's back.
	if _, err := c.db.Exec(`UPDATE blobs SET data = zeroblob(500) WHERE id = (SELECT id FROM entries WHERE key = ?)`, bad); err != nil {
		t.Fatal(err)
	}
	if _, err := c.db.Exec(`UPDATE totals SET bytes = bytes + 7`); err != nil {
		t.Fatal(err)
	}
	r, err := c.Verify()
	if err != nil {
		t.Fatal(err)
	}
	if r.Checked != 11 || r.Bad != 1 || r.BadBytes != 500 || !r.TotalsFixed {
		t.Fatalf("verify report %+v, want 11 checked, 1 bad of 500 bytes, totals fixed", r)
	}
	if c.Has(bad) {
		t.Fatal("bad segment still stored")
	}
	checkConsistent(t, c)
}

// Disk full on Put: an error saying so, and one warning however many Puts.
func TestDiskFullWarnsOnce(t *testing.T) {
	var log syncBuffer
	c := openAt(t, filepath.Join(t.TempDir(), "cache.db"), 64<<20, &log)
	defer c.Close()
	c.db.SetMaxOpenConns(1) // the page limit below is per connection
	if _, err := c.db.Exec(`PRAGMA max_page_count = 40`); err != nil {
		t.Fatal(err)
	}
	var fails int
	for i := range 20 {
		h, b := segment(uint64(i), 64<<10)
		if err := c.Put(h, b); err != nil {
			if !errors.Is(err, ErrDiskFull) {
				t.Fatalf("Put on a full disk: %v, want ErrDiskFull", err)
			}
			fails++
		}
	}
	if fails == 0 || strings.Count(log.String(), "level=WARN") != 1 || !strings.Contains(log.String(), "disk is full") {
		t.Fatalf("%d failed Puts, log %q; want failures and one warning", fails, log.String())
	}
	if _, err := c.Stats(); err != nil {
		t.Fatalf("the cache should still read after a full disk: %v", err)
	}
}

func TestCountersPersistAcrossProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	for range 2 {
		c := openAt(t, path, 1<<20, nil)
		c.Get("0000")
		c.AddSourceBytes(SourceOrigin, 100)
		c.AddSourceBytes(SourcePeer, 10)
		c.Close()
	}
	c := openAt(t, path, 1<<20, nil)
	defer c.Close()
	s, err := c.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if s.Misses != 2 || s.BytesBySource[SourceOrigin] != 200 || s.BytesBySource[SourcePeer] != 20 {
		t.Fatalf("stats %+v, want 2 misses, 200 origin bytes, 20 peer bytes", s)
	}
}

func TestClosedCache(t *testing.T) {
	c, _ := openTemp(t, 1<<20)
	c.Close()
	if _, err := c.Get("x"); !errors.Is(err, ErrClosed) {
		t.Fatalf("Get after Close: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// Get hands out the driver's slice without copying it: later reads must
// not overwrite what an earlier Get returned.
func TestReturnedBytesStayValid(t *testing.T) {
	c, _ := openTemp(t, 1<<20)
	a, ab := segment(1, 5000)
	b, bb := segment(2, 5000)
	mustPut(t, c, a, ab)
	mustPut(t, c, b, bb)
	got, err := c.Get(a)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if _, err := c.Get(b); err != nil {
			t.Fatal(err)
		}
		c.Get(a)
	}
	if !bytes.Equal(got, ab) {
		t.Fatal("bytes returned by an earlier Get changed after later reads")
	}
}

// Many goroutines of one process reading and writing at once, while the
// flusher runs often: no error, and the cap holds.
func TestConcurrentGoroutines(t *testing.T) {
	c, err := Open(filepath.Join(t.TempDir(), "cache.db"), Options{MaxBytes: 64 << 10, FlushInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 9))
			for range 150 {
				h, b := segment(uint64(r.IntN(40)), 2000+r.IntN(4000))
				var err error
				if r.IntN(2) == 0 {
					err = c.Put(h, b)
				} else if got, gerr := c.Get(h); gerr == nil && !bytes.Equal(got, b) {
					err = errors.New("Get returned other bytes")
				} else if !errors.Is(gerr, ErrMiss) {
					err = gerr
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if s, _ := c.Stats(); s.Bytes > 64<<10 {
		t.Fatalf("%d bytes over the cap", s.Bytes)
	}
	checkConsistent(t, c)
}
