package cache

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestGetDropsASegmentDamagedOnDisk: bytes of a stored, pinned segment
// changed in the file by hand (SQLite sees nothing wrong) were returned
// by Get as the segment. Now Get checks them: it fails with a
// *BadEntryError that wraps ErrMiss, drops the segment (Has is false),
// keeps its pin (stored again, it is pinned), and calls OnBadEntry once.
// A segment stored before the cache kept CRCs (schema 1: crc is NULL) is
// checked against its sha256 instead, and so found damaged too.
func TestGetDropsASegmentDamagedOnDisk(t *testing.T) {
	for _, crc := range []bool{true, false} {
		t.Run(map[bool]string{true: "checked by its CRC-32C", false: "stored before CRCs"}[crc], func(t *testing.T) {
			getDropsDamaged(t, crc)
		})
	}
}

func getDropsDamaged(t *testing.T, crc bool) {
	path := filepath.Join(t.TempDir(), "cache.db")
	c, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	seg := make([]byte, 20<<10)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range seg {
		seg[i] = byte(r.IntN(256))
	}
	sum := sha256.Sum256(seg)
	hash := hex.EncodeToString(sum[:])
	if err := c.Pin(hash); err != nil {
		t.Fatal(err)
	}
	if err := c.Put(hash, seg); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if !crc {
		forgetCRCs(t, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, seg[100:164])
	if i < 0 {
		t.Fatal("the segment's bytes are not in the file")
	}
	b[i+10] ^= 0xff
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}

	var said []*BadEntryError
	c, err = Open(path, Options{OnBadEntry: func(be *BadEntryError) { said = append(said, be) }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	data, err := c.Get(hash)
	var be *BadEntryError
	if !errors.As(err, &be) || !errors.Is(err, ErrMiss) || data != nil || be.Key != hash || be.Doc || be.Path != path {
		t.Fatalf("Get of a damaged segment: %d bytes, %v; want a *BadEntryError for %.12s wrapping ErrMiss", len(data), err, hash)
	}
	if c.Has(hash) {
		t.Fatal("the damaged segment is still stored")
	}
	if _, err := c.Get(hash); err != ErrMiss {
		t.Fatalf("Get once the damaged segment was dropped: %v, want ErrMiss", err)
	}
	if len(said) != 1 || c.BadEntry() != said[0] {
		t.Errorf("OnBadEntry was called %d times, want once", len(said))
	}
	if err := c.Put(hash, seg); err != nil {
		t.Fatal(err)
	}
	got, err := c.Get(hash)
	if err != nil || !bytes.Equal(got, seg) {
		t.Fatalf("Get after the segment was stored again: %v", err)
	}
	keys, err := c.PinnedKeys()
	if err != nil || !slices.Contains(keys, hash) {
		t.Errorf("pinned keys after the segment was dropped and stored again: %v, %v; want it pinned", keys, err)
	}
}

// TestSchema1CacheIsUpgraded: a cache made before blobs kept a CRC opens,
// gains the column (NULL for what it holds) and its segments read back
// whole, checked against their sha256.
func TestSchema1CacheIsUpgraded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(migrations[0]); err != nil {
		t.Fatal(err)
	}
	seg := []byte("a segment stored by schema 1")
	sum := sha256.Sum256(seg)
	hash := hex.EncodeToString(sum[:])
	for _, q := range []string{
		fmt.Sprintf("PRAGMA user_version = 1; PRAGMA application_id = %d", appID),
		fmt.Sprintf("INSERT INTO entries (kind, key, size, last_access) VALUES (0, '%s', %d, 1)", hash, len(seg)),
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`INSERT INTO blobs (id, data) VALUES (1, ?)`, seg); err != nil {
		t.Fatal(err)
	}
	db.Close()
	c, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, err := c.Get(hash)
	if err != nil || !bytes.Equal(got, seg) {
		t.Fatalf("Get of a schema 1 segment after the upgrade: %q, %v", got, err)
	}
	var version int
	if err := c.db.QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != len(migrations) {
		t.Fatalf("schema version %d (%v); want %d", version, err, len(migrations))
	}
}

// forgetCRCs clears every entry's stored CRC-32C in the cache file at path,
// as a cache an older segue (schema 1) filled holds none.
func forgetCRCs(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE entries SET crc = NULL`); err != nil {
		t.Fatal(err)
	}
}

// TestGoodCopyStoredMeanwhileStays: two readers found one segment (or
// document) damaged; the first dropped it and a good copy, fetched again,
// was stored before the second dropped "it": the drop took the good copy,
// by its key, and the next read fetched again what was stored. badEntry
// now drops only an entry still damaged. Here the second reader's drop
// comes with the good copy stored.
func TestGoodCopyStoredMeanwhileStays(t *testing.T) {
	c, err := Open(filepath.Join(t.TempDir(), "cache.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	seg := bytes.Repeat([]byte("segment "), 1000)
	sum := sha256.Sum256(seg)
	hash := hex.EncodeToString(sum[:])
	if err := c.Put(hash, seg); err != nil {
		t.Fatal(err)
	}
	if err := c.PutDoc("http://o/doc", Doc{Body: []byte(`{"a":1}`), ContentType: "application/json"}); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(c.badEntry(kindSegment, hash, whyChecksum), ErrMiss) || !errors.Is(c.badEntry(kindDoc, "http://o/doc", whyChecksum), ErrMiss) {
		t.Error("badEntry's error does not wrap ErrMiss")
	}
	if got, err := c.Get(hash); err != nil || !bytes.Equal(got, seg) {
		t.Errorf("Get after a stale drop: %d bytes, %v; want the good copy stored meanwhile", len(got), err)
	}
	if d, err := c.GetDoc("http://o/doc"); err != nil || string(d.Body) != `{"a":1}` {
		t.Errorf("GetDoc after a stale drop: %q, %v; want the good copy stored meanwhile", d.Body, err)
	}
}
