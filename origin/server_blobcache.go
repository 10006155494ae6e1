package origin

import (
	"container/list"
	"hash/maphash"
	"sync"
)

// maxCachedBlob is the largest blob kept in memory: segments (50-120 KB)
// and covers fit; anything bigger is sent from its file with sendfile(2).
const maxCachedBlob = 1 << 20

// blobCache keeps recently served blobs in memory, least recently used
// dropped first, so a hot segment costs no open, stat, read or close. A
// blob's bytes never change under its hash, so an entry is never stale; one
// whose file was garbage-collected may still be served until evicted, which
// is harmless (the bytes still match the hash).
//
// Once full, a missed blob is read into memory only when it is asked for
// clearly more often than the entry it would push out (admit; after
// TinyLFU's rule over a count-min sketch of recent requests). Reading a blob whole costs more than
// sending its file with sendfile(2), so on a set larger than the cache
// churning every miss through memory was slower than no cache at all
// (issue 14: 0.77x nginx with the cache, 0.87x without, on a set 4.5x the
// cache).
type blobCache struct {
	mu   sync.Mutex               // guards everything below
	max  int64                    // byte budget
	size int64                    // bytes held
	ll   *list.List               // of *cachedBlob, most recent first
	m    map[string]*list.Element // hash -> element of ll
	freq sketch                   // how often each hash was asked for lately
}

type cachedBlob struct {
	hash string
	data []byte
}

func newBlobCache(max int64) *blobCache {
	return &blobCache{max: max, ll: list.New(), m: map[string]*list.Element{}, freq: newSketch()}
}

// get returns the cached bytes of hash; the caller must not modify them.
func (c *blobCache) get(hash string) ([]byte, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.freq.add(hash)
	e, ok := c.m[hash]
	if !ok {
		return nil, false
	}
	c.ll.MoveToFront(e)
	return e.Value.(*cachedBlob).data, true
}

// admit says whether a missed blob of size bytes should be read into the
// cache: when it fits without evicting, or when it was asked for more than
// twice as often lately as the least recently used entry (the first put
// would evict). TinyLFU admits on "more often"; on a set requested evenly,
// as BenchmarkChunksVsNginx/large is, that still let about a third of the
// misses churn through memory, while a blob that is really popular clears
// twice easily.
func (c *blobCache) admit(hash string, size int64) bool {
	if c == nil || size > c.max {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.size+size <= c.max {
		return true
	}
	victim := c.ll.Back()
	return victim != nil && int(c.freq.estimate(hash)) > 2*int(c.freq.estimate(victim.Value.(*cachedBlob).hash))
}

// put keeps data under hash, evicting the least recently used to fit.
func (c *blobCache) put(hash string, data []byte) {
	if c == nil || int64(len(data)) > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[hash]; ok {
		return
	}
	c.m[hash] = c.ll.PushFront(&cachedBlob{hash: hash, data: data})
	c.size += int64(len(data))
	for c.size > c.max {
		e := c.ll.Back()
		b := e.Value.(*cachedBlob)
		c.ll.Remove(e)
		delete(c.m, b.hash)
		c.size -= int64(len(b.data))
	}
}

// sketch counts requests per key approximately in fixed memory: a
// count-min sketch of 4-bit-like saturating counters, halved every
// sketchSample additions so that it follows what is asked for lately
// (TinyLFU, Einziger et al. 2017).
type sketch struct {
	rows  [sketchRows][]uint8
	added int
	seed  maphash.Seed
}

const (
	sketchRows   = 4
	sketchWidth  = 1 << 13 // counters a row: several times the blobs a 64 MiB cache holds
	sketchMax    = 15
	sketchSample = 10 * sketchWidth
)

func newSketch() sketch {
	s := sketch{seed: maphash.MakeSeed()}
	for i := range s.rows {
		s.rows[i] = make([]uint8, sketchWidth)
	}
	return s
}

// slots are key's counter in each row, from 16-bit slices of one hash.
func (s *sketch) slots(key string) [sketchRows]int {
	h := maphash.String(s.seed, key)
	var at [sketchRows]int
	for i := range at {
		at[i] = int(h>>(16*i)) & (sketchWidth - 1)
	}
	return at
}

func (s *sketch) add(key string) {
	for i, j := range s.slots(key) {
		if s.rows[i][j] < sketchMax {
			s.rows[i][j]++
		}
	}
	if s.added++; s.added >= sketchSample {
		s.added = 0
		for _, r := range s.rows {
			for j := range r {
				r[j] /= 2
			}
		}
	}
}

// estimate is at least how often key was added lately (collisions only
// raise it).
func (s *sketch) estimate(key string) uint8 {
	least := uint8(sketchMax)
	for i, j := range s.slots(key) {
		least = min(least, s.rows[i][j])
	}
	return least
}
