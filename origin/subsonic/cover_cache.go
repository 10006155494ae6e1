package subsonic

import (
	"container/list"
	"sync"
)

// coverCacheBytes bounds the scaled covers getCoverArt keeps in memory:
// 4 MiB. A Subsonic app asks for the covers of a screen of albums at one
// size, and for the same ones again as its user scrolls back or reopens
// a page; at the sizes apps ask (100 to 600 px, some 5 to 100 KB each at
// coverQuality) 4 MiB holds a few screens of them, the ones asked again
// soon. More would keep memory for covers a scale serves again in tens
// of milliseconds, and the origin's memory goes to decodes first (up to
// 128 MB each, see API.scaling).
const coverCacheBytes = 4 << 20

// coverKey names a scaled cover: the stored cover's content hash (a new
// cover of the album has another) and the size it was scaled to fit.
type coverKey struct {
	hash string
	size int
}

type coverEntry struct {
	key  coverKey
	data []byte
}

// coverCache keeps scaled covers by coverKey up to max bytes of them,
// evicting the least recently used first; a cover larger than max is not
// kept. It is safe for concurrent use; mu guards all but max.
type coverCache struct {
	max int

	mu    sync.Mutex
	bytes int                        // the data kept, summed
	order *list.List                 // of *coverEntry, the most recently used first
	byKey map[coverKey]*list.Element // into order
}

// newCoverCache returns an empty cache keeping up to max bytes.
func newCoverCache(max int) *coverCache {
	return &coverCache{max: max, order: list.New(), byKey: map[coverKey]*list.Element{}}
}

// get returns the cover kept for k, which becomes the most recently used.
// The bytes are shared: callers must not change them.
func (c *coverCache) get(k coverKey) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[k]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*coverEntry).data, true
}

// put keeps data for k, evicting the least recently used covers until the
// bound holds. It keeps data itself, which callers must not change after.
func (c *coverCache) put(k coverKey, data []byte) {
	if len(data) > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[k]; ok { // two requests scaled it at once
		c.bytes += len(data) - len(e.Value.(*coverEntry).data)
		e.Value.(*coverEntry).data = data
		c.order.MoveToFront(e)
	} else {
		c.byKey[k] = c.order.PushFront(&coverEntry{key: k, data: data})
		c.bytes += len(data)
	}
	for c.bytes > c.max {
		last := c.order.Back()
		old := c.order.Remove(last).(*coverEntry)
		delete(c.byKey, old.key)
		c.bytes -= len(old.data)
	}
}
