package origin

import (
	"bytes"
	"testing"
)

func TestBlobCacheEvictsLeastRecentlyUsed(t *testing.T) {
	c := newBlobCache(250)
	c.put("a", make([]byte, 100))
	c.put("b", make([]byte, 100))
	if _, ok := c.get("a"); !ok { // a is now more recent than b
		t.Fatal("a missing")
	}
	c.put("c", make([]byte, 100)) // over budget: b goes
	if _, ok := c.get("b"); ok {
		t.Error("b survived; it was the least recently used")
	}
	for _, k := range []string{"a", "c"} {
		if _, ok := c.get(k); !ok {
			t.Errorf("%s was evicted", k)
		}
	}
	c.put("big", make([]byte, 251)) // larger than the budget: not kept
	if _, ok := c.get("big"); ok || c.size != 200 {
		t.Errorf("oversized blob kept (size %d)", c.size)
	}
	c.put("a", []byte("other")) // a hash's bytes never change: first wins
	if d, _ := c.get("a"); !bytes.Equal(d, make([]byte, 100)) {
		t.Error("put replaced an existing entry")
	}
	var off *blobCache
	off.put("x", []byte("x"))
	if _, ok := off.get("x"); ok {
		t.Error("a nil (disabled) cache returned a blob")
	}
}
