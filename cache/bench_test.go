package cache

import (
	"bufio"
	"context"
	"database/sql"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// reportPercentiles reports p50 and p99 of samples in microseconds.
func reportPercentiles(b *testing.B, samples []time.Duration) {
	slices.Sort(samples)
	at := func(q float64) float64 {
		return float64(samples[int(q*float64(len(samples)-1))].Nanoseconds()) / 1e3
	}
	b.ReportMetric(at(0.50), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
}

// filled returns a cache holding n segments of size bytes, and their hashes.
func filled(b *testing.B, n, size int) (*Cache, []string) {
	b.Helper()
	c, _ := openTemp(b, int64(n*size)*2)
	hashes := make([]string, n)
	for i := range n {
		var data []byte
		hashes[i], data = segment(uint64(i), size)
		mustPut(b, c, hashes[i], data)
	}
	return c, hashes
}

// BenchmarkGetWarm reads random 100 KB segments that are in the page cache.
func BenchmarkGetWarm(b *testing.B) {
	c, hashes := filled(b, 200, 100_000)
	for _, h := range hashes { // warm the OS and SQLite caches
		c.Get(h)
	}
	r := rand.New(rand.NewPCG(1, 1))
	var samples []time.Duration
	get := func() {
		h := hashes[r.IntN(len(hashes))]
		t0 := time.Now()
		if _, err := c.Get(h); err != nil {
			b.Fatal(err)
		}
		samples = append(samples, time.Since(t0))
	}
	b.SetBytes(100_000)
	b.ResetTimer()
	for range b.N {
		get()
	}
	b.StopTimer()
	for len(samples) < 5000 { // enough samples for a p99 even with -benchtime 1x
		get()
	}
	reportPercentiles(b, samples)
}

// BenchmarkGetCold reads random 100 KB segments after dropping the cache
// file's pages from the OS page cache (posix_fadvise DONTNEED) before
// each read. SQLite's own small page cache may still hold a few pages.
func BenchmarkGetCold(b *testing.B) {
	c, hashes := filled(b, 400, 100_000)
	if err := c.vacuum(context.Background(), 0, true); err != nil { // move everything from the WAL into the file
		b.Fatal(err)
	}
	f, err := os.Open(c.path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	r := rand.New(rand.NewPCG(1, 1))
	var samples []time.Duration
	b.ResetTimer()
	get := func() {
		if err := unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
			b.Fatal(err)
		}
		h := hashes[r.IntN(len(hashes))]
		t0 := time.Now()
		if _, err := c.Get(h); err != nil {
			b.Fatal(err)
		}
		samples = append(samples, time.Since(t0))
	}
	for range b.N {
		get()
	}
	b.StopTimer()
	for len(samples) < 1000 {
		get()
	}
	reportPercentiles(b, samples)
}

// BenchmarkPut stores new 100 KB segments (hash check included) in a cache
// with room, and in a full one where every Put evicts.
func BenchmarkPut(b *testing.B) {
	const size = 100_000
	for _, bc := range []struct {
		name string
		max  int64
	}{{"room", 1 << 40}, {"evicting", 10 << 20}} {
		b.Run(bc.name, func(b *testing.B) {
			c, _ := openTemp(b, bc.max)
			for i := range 120 { // fill past the small cap first
				h, d := segment(uint64(1e9+i), size)
				mustPut(b, c, h, d)
			}
			hs := make([]string, b.N)
			ds := make([][]byte, b.N)
			for i := range b.N {
				hs[i], ds[i] = segment(uint64(i), size)
			}
			b.SetBytes(size)
			b.ResetTimer()
			for i := range b.N {
				if err := c.Put(hs[i], ds[i]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// bulkFill inserts segments from..to-1 of size bytes in one transaction,
// through the same insert as Put, oldest first.
func bulkFill(b *testing.B, c *Cache, from, to, size int) {
	b.Helper()
	err := c.write(func(tx *sql.Tx) error {
		for i := from; i < to; i++ {
			h, d := segment(uint64(i), size)
			if err := insert(tx, entry{kind: kindSegment, key: h, size: int64(size), access: c.now()}, d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkEvict100k measures a Put into a cache of 100,000 entries,
// with ("evict1") and without ("room") evicting the oldest entry, so the
// difference is the eviction's cost; "evict10" evicts ten at once.
func BenchmarkEvict100k(b *testing.B) {
	const n, size = 100_000, 256
	for _, bc := range []struct {
		name    string
		max     int64
		newSize int
	}{{"room", 1 << 40, size}, {"evict1", n * size, size}, {"evict10", n * size, 10 * size}} {
		b.Run(bc.name, func(b *testing.B) {
			c, _ := openTemp(b, bc.max)
			bulkFill(b, c, 0, n, size)
			hs := make([]string, b.N)
			ds := make([][]byte, b.N)
			for i := range b.N {
				hs[i], ds[i] = segment(uint64(1e9+i), bc.newSize)
			}
			b.ResetTimer()
			for i := range b.N {
				if err := c.Put(hs[i], ds[i]); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if s, _ := c.Stats(); s.Bytes > bc.max {
				b.Fatalf("%d bytes over the cap", s.Bytes)
			}
		})
	}
}

// BenchmarkPinAlbum pins and unpins an album's segments (12 tracks of 4
// minutes at 2.5 s a segment: 1,152 hashes) in a cache of 100,000
// entries, as offline add and remove do.
func BenchmarkPinAlbum(b *testing.B) {
	const n, album = 100_000, 1152
	c, _ := openTemp(b, 1<<40)
	bulkFill(b, c, 0, n, 256)
	hashes := make([]string, album)
	for i := range hashes {
		hashes[i], _ = segment(uint64(i*(n/album)), 256)
	}
	b.ResetTimer()
	for range b.N {
		if err := c.Pin(hashes...); err != nil {
			b.Fatal(err)
		}
		if err := c.Unpin(hashes...); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMemoryAsCacheGrows grows a cache to 100,000 entries and, at
// 10k, 50k and 100k entries, runs 1,000 Puts and 5,000 random Gets, then
// reports the Go heap and the process RSS (which includes SQLite's page
// caches): both should stay flat, since the cache keeps no per-entry state
// in memory.
func BenchmarkMemoryAsCacheGrows(b *testing.B) {
	const size = 512
	for range b.N {
		c, _ := openTemp(b, 1<<40)
		r := rand.New(rand.NewPCG(3, 3))
		n := 0
		for _, step := range []int{10_000, 50_000, 100_000} {
			bulkFill(b, c, n, step-1000, size)
			for i := step - 1000; i < step; i++ {
				h, d := segment(uint64(i), size)
				mustPut(b, c, h, d)
			}
			n = step
			for range 5_000 {
				h, _ := segment(uint64(r.IntN(n)), size)
				if _, err := c.Get(h); err != nil {
					b.Fatal(err)
				}
			}
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			k := strconv.Itoa(step/1000) + "k"
			b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB@"+k)
			b.ReportMetric(float64(rssKiB("VmRSS:"))/1024, "rss-MiB@"+k)
			b.ReportMetric(float64(rssKiB("RssAnon:"))/1024, "anon-MiB@"+k)
		}
		c.Close()
	}
}

// rssKiB reads one field of /proc/self/status (VmRSS:, RssAnon:) in KiB.
func rssKiB(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
