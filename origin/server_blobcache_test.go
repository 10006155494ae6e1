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

// TestBlobCacheAdmitsByFrequency: a full cache takes a missed blob only
// when it was asked for more than twice as often lately as the entry it
// would push out; while there is room it takes everything.
func TestBlobCacheAdmitsByFrequency(t *testing.T) {
	c := newBlobCache(200)
	if !c.admit("a", 100) {
		t.Fatal("an empty cache refused a blob that fits")
	}
	c.put("a", make([]byte, 100))
	c.put("b", make([]byte, 100))
	for range 3 { // a and b asked for three times each
		c.get("a")
		c.get("b")
	}
	c.get("once") // a miss asked for once: less than the victim (a)
	if c.admit("once", 100) {
		t.Error("a blob asked for once would push out one asked for three times")
	}
	for range 6 {
		c.get("popular")
	}
	if c.admit("popular", 100) {
		t.Error("a blob asked for six times (not more than twice three) pushed out one asked for three times")
	}
	c.get("popular")
	if !c.admit("popular", 100) {
		t.Error("a blob asked for seven times was refused in favour of one asked for three times")
	}
	if c.admit("huge", 201) {
		t.Error("a blob larger than the whole cache was admitted")
	}
	var off *blobCache
	if off.admit("x", 1) {
		t.Error("a nil (disabled) cache admitted a blob")
	}
}

// TestSketchAges: the counts halve every sketchSample additions, so what
// was popular long ago does not stay ahead of what is asked for now.
func TestSketchAges(t *testing.T) {
	s := newSketch()
	for range 8 {
		s.add("old")
	}
	if got := s.estimate("old"); got != 8 {
		t.Fatalf("estimate after 8 adds = %d, want 8", got)
	}
	for range sketchSample - 8 {
		s.add("new") // another key fills the sample
	}
	if got := s.estimate("old"); got != 4 {
		t.Errorf("estimate after a full sample = %d, want 4 (halved)", got)
	}
	if got := s.estimate("new"); got != sketchMax/2 {
		t.Errorf("estimate of the key added most = %d, want %d (saturated, then halved)", got, sketchMax/2)
	}
}
