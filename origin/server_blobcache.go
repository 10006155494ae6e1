package origin

import (
	"container/list"
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
type blobCache struct {
	mu   sync.Mutex               // guards everything below
	max  int64                    // byte budget
	size int64                    // bytes held
	ll   *list.List               // of *cachedBlob, most recent first
	m    map[string]*list.Element // hash -> element of ll
}

type cachedBlob struct {
	hash string
	data []byte
}

func newBlobCache(max int64) *blobCache {
	return &blobCache{max: max, ll: list.New(), m: map[string]*list.Element{}}
}

// get returns the cached bytes of hash; the caller must not modify them.
func (c *blobCache) get(hash string) ([]byte, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok {
		return nil, false
	}
	c.ll.MoveToFront(e)
	return e.Value.(*cachedBlob).data, true
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
