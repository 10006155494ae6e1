package cache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"segue/internal/testkit"
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

func openAt(t testing.TB, path string, max int64, log *testkit.Buffer) *Cache {
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

// PinCost: the bytes pinned now, and what the hashes add, each counted
// once; a hash stored and pinned adds nothing, one stored but not pinned or
// pinned but not stored yet adds its size (offline add checks the cap with
// it before fetching anything).
func TestPinCost(t *testing.T) {
	c, _ := openTemp(t, 10000)
	held, hb := segment(20, 1000)
	loose, lb := segment(21, 700)
	waiting, _ := segment(22, 500)
	absent, _ := segment(23, 300)
	mustPut(t, c, held, hb)
	mustPut(t, c, loose, lb)
	if err := c.Pin(held, waiting); err != nil {
		t.Fatal(err)
	}
	sizes := map[string]int64{held: 1000, loose: 700, waiting: 500, absent: 300}
	for _, tc := range []struct {
		hashes []string
		more   int64
	}{
		{[]string{held, loose, waiting, absent, loose, held}, 1500},
		{[]string{held}, 0},
		{nil, 0},
	} {
		pinned, more, err := c.PinCost(tc.hashes, sizes)
		if err != nil || pinned != 1000 || more != tc.more {
			t.Errorf("PinCost of %d hashes: pinned %d, more %d, %v; want 1000, %d", len(tc.hashes), pinned, more, err, tc.more)
		}
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

// Offline pinning pins documents by key too: a pinned manifest survives
// eviction pressure that removes an unpinned one, before or after it is stored.
func TestPinnedDocNeverEvicted(t *testing.T) {
	c, _ := openTemp(t, 3000)
	body := make([]byte, 1000)
	if err := c.Pin("http://o/manifest/late"); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"http://o/manifest/a", "http://o/manifest/b", "http://o/manifest/late"} {
		if err := c.PutDoc(k, Doc{Body: body, ETag: `"x"`}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Pin("http://o/manifest/a"); err != nil {
		t.Fatal(err)
	}
	s, err := c.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if s.PinnedBytes != 2000 || s.PinsWaiting != 0 {
		t.Fatalf("pinned bytes %d waiting %d, want 2000 0", s.PinnedBytes, s.PinsWaiting)
	}
	for i := range 5 { // pressure: three segments of 1000 bytes in a 3000-byte cache
		h, b := segment(uint64(40+i), 1000)
		if err := c.Put(h, b); err != nil {
			t.Fatal(err)
		}
	}
	for k, want := range map[string]bool{"http://o/manifest/a": true, "http://o/manifest/late": true, "http://o/manifest/b": false} {
		if _, err := c.GetDoc(k); (err == nil) != want {
			t.Errorf("doc %s present=%v, want %v", k, err == nil, want)
		}
	}
}

// Only segments count as waiting pins: a pinned document that never came
// (the cover of an album that has none) is not waiting for a download.
func TestPinsWaitingCountsSegments(t *testing.T) {
	c, _ := openTemp(t, 1<<20)
	h, b := segment(1, 100)
	missing, _ := segment(2, 100)
	if err := c.Pin(h, missing, "http://origin/api/v1/albums/al1/cover", "http://origin/api/v1/albums/al1"); err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, h, b)
	if err := c.PutDoc("http://origin/api/v1/albums/al1", Doc{Body: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	s, err := c.Stats()
	if err != nil || s.PinsWaiting != 1 {
		t.Fatalf("stats %+v, %v; want 1 pin waiting (the missing segment)", s, err)
	}
}

// TestOpenANewCacheAtOnce opens one new cache file from 16 goroutines at
// once, 30 times, as three `segue offline add`s run together do: the WAL
// conversion does not wait out another opener's lock, and before
// sqlite.Connect one or two of the 480 opens failed "database is locked"
// in two runs of three.
func TestOpenANewCacheAtOnce(t *testing.T) {
	for range 30 {
		path := filepath.Join(t.TempDir(), "cache.db")
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range 16 {
			wg.Go(func() {
				<-start
				c, err := Open(path, Options{})
				if err != nil {
					t.Error(err)
					return
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
