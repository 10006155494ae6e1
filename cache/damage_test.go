package cache

import (
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"segue/internal/testkit"
)

// TestDamageFoundLaterIsDamagedError: a cache file damaged in a page that
// opening does not read (here the index of keys) opened, and then each
// operation that read the page failed in SQLite's words, "read the
// cache's pins: database disk image is malformed", which every command
// said as it was or, where its caller took a failure for a miss (a
// segment fetched again from the network), not at all. Each such failure
// is now a *DamagedError naming the file, said as one sentence
// (Plain), OnDamaged hears of the first, and Verify finds the damage
// whatever page holds it.
func TestDamageFoundLaterIsDamagedError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	c := openAt(t, path, 1<<20, nil)
	var hashes []string
	for i := range 8 {
		h, b := segment(uint64(i), 3000)
		mustPut(t, c, h, b)
		hashes = append(hashes, h)
	}
	if err := c.PutDoc("http://o/doc", Doc{Body: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if err := c.Pin(hashes[:2]...); err != nil {
		t.Fatal(err)
	}
	c.Close()
	testkit.DamagePage(t, path, "sqlite_autoindex_entries_1")

	var heard atomic.Int32
	c, err := Open(path, Options{MaxBytes: 1 << 20, OnDamaged: func(de *DamagedError) {
		heard.Add(1)
		if de.Path != path {
			t.Errorf("OnDamaged heard of %s, want %s", de.Path, path)
		}
	}})
	if err != nil {
		t.Fatalf("Open of a file damaged past what opening reads: %v", err)
	}
	defer c.Close()
	newHash, newBytes := segment(99, 100)
	for name, op := range map[string]func() error{
		"Get":     func() error { _, err := c.Get(hashes[3]); return err },
		"GetDoc":  func() error { _, err := c.GetDoc("http://o/doc"); return err },
		"Put":     func() error { return c.Put(newHash, newBytes) },
		"PutDoc":  func() error { return c.PutDoc("http://o/other", Doc{Body: []byte(`{}`)}) },
		"Drop":    func() error { return c.Drop(hashes[4]) },
		"PinCost": func() error { _, _, err := c.PinCost(hashes, nil); return err },
		"Stats":   func() error { _, err := c.Stats(); return err },
		"Verify":  func() error { _, err := c.Verify(); return err },
	} {
		err := op()
		var de *DamagedError
		if !errors.As(err, &de) || !Damaged(err) {
			t.Errorf("%s: %v; want a *DamagedError", name, err)
			continue
		}
		want := "the cache file " + path + " is damaged (database disk image is malformed): segue cache clear empties it and starts afresh"
		if !strings.HasPrefix(de.Plain(), want) {
			t.Errorf("%s: said %q; want %q...", name, de.Plain(), want)
		}
	}
	if c.Has(hashes[5]) {
		t.Error("Has read a key through the damaged index as stored")
	}
	if n := heard.Load(); n != 1 {
		t.Errorf("OnDamaged called %d times, want once", n)
	}
	if c.Damage() == nil {
		t.Error("Damage() is nil after the operations met it")
	}
}

// TestDamageOpenMeetsIsMovedAside: a file damaged in a page start reads
// (the totals its eviction reads) failed Open with "open cache P: evict
// down to the cap: database disk image is malformed", which every command
// said with the advice to give another cache file; Open's promise is that
// a damaged cache never makes it fail: it is moved aside as one damaged
// where opening reads is, and a fresh cache takes its place.
func TestDamageOpenMeetsIsMovedAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cache.db")
	c := openAt(t, path, 1<<20, nil)
	fill(t, c, 1, 5, 1000)
	c.Close()
	testkit.DamagePage(t, path, "totals")
	var log testkit.Buffer
	c = openAt(t, path, 1<<20, &log)
	defer c.Close()
	h, b := segment(1, 100)
	mustPut(t, c, h, b)
	aside, _ := filepath.Glob(filepath.Join(dir, "cache.db.corrupt-*"))
	if len(aside) != 1 {
		t.Fatalf("moved-aside files: %v, want one", aside)
	}
	want := "the cache file " + path + " is damaged (database disk image is malformed): moved it aside to " + aside[0] + " and started a fresh cache"
	if !strings.Contains(log.String(), want) {
		t.Errorf("log %q; want %q", log.String(), want)
	}
}

// TestVerifyFindsDamageAnywhere: verify read every entry and its bytes,
// and said "0 damaged" of a file whose eviction index (or pins) was
// damaged, which the next eviction (or pin), in any segue, then failed on;
// it now has SQLite check those pages too.
func TestVerifyFindsDamageAnywhere(t *testing.T) {
	for _, page := range []string{"entries_lru", "pins"} {
		t.Run(page, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cache.db")
			c := openAt(t, path, 1<<20, nil)
			fill(t, c, 1, 8, 3000)
			h, _ := segment(1, 3000)
			if err := c.Pin(h); err != nil {
				t.Fatal(err)
			}
			c.Close()
			testkit.DamagePage(t, path, page)
			c = openAt(t, path, 1<<20, nil)
			defer c.Close()
			r, err := c.Verify()
			if !errors.As(err, new(*DamagedError)) {
				t.Fatalf("Verify: %+v, %v; want a *DamagedError", r, err)
			}
		})
	}
}
