package cache

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"sort"
	"testing"
)

// checkConsistent asserts what must hold of any cache file: every stored
// segment's bytes hash to its key, every entry has its bytes, and the
// running totals equal the rows.
func checkConsistent(t testing.TB, c *Cache) {
	t.Helper()
	checkDB(t, c.db)
}

func checkDB(t testing.TB, db *sql.DB) {
	t.Helper()
	rows, err := db.Query(`SELECT e.kind, e.key, e.size, b.data FROM entries e LEFT JOIN blobs b ON b.id = e.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind int
		var key string
		var size int64
		var data []byte
		if err := rows.Scan(&kind, &key, &size, &data); err != nil {
			t.Fatal(err)
		}
		if data == nil || int64(len(data)) != size {
			t.Fatalf("entry %.12s: %d bytes stored, size says %d", key, len(data), size)
		}
		sum := sha256.Sum256(data)
		if kind == kindSegment && hex.EncodeToString(sum[:]) != key {
			t.Fatalf("entry %.12s holds bytes of another hash", key)
		}
	}
	var want, have [4]int64
	if err := db.QueryRow(`SELECT coalesce(sum(size), 0), coalesce(sum(size * pinned), 0),
		count(*) FILTER (WHERE kind = 0), count(*) FILTER (WHERE kind = 1) FROM entries`).
		Scan(&want[0], &want[1], &want[2], &want[3]); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT bytes, pinned_bytes, segments, docs FROM totals`).
		Scan(&have[0], &have[1], &have[2], &have[3]); err != nil {
		t.Fatal(err)
	}
	if want != have {
		t.Fatalf("running totals %v, rows say %v (bytes, pinned, segments, docs)", have, want)
	}
	var orphans int
	if err := db.QueryRow(`SELECT count(*) FROM blobs WHERE id NOT IN (SELECT id FROM entries)`).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if orphans != 0 {
		t.Fatalf("%d blobs without an entry", orphans)
	}
}

// model is the cache's specification: an exact LRU over unpinned entries.
type model struct {
	max     int64
	clock   int
	entries map[string]*modelEntry
	pins    map[string]bool
}

type modelEntry struct {
	size   int64
	access int
}

func (m *model) bytes() (all, pinned int64) {
	for h, e := range m.entries {
		all += e.size
		if m.pins[h] {
			pinned += e.size
		}
	}
	return all, pinned
}

// put returns the error class the cache must return.
func (m *model) put(h string, size int64) error {
	m.clock++
	if e, ok := m.entries[h]; ok {
		e.access = m.clock
		return nil
	}
	all, pinned := m.bytes()
	if pinned+size > m.max {
		if m.pins[h] {
			return ErrPinFull
		}
		return ErrFull
	}
	for all+size > m.max {
		var oldest string
		for k, e := range m.entries {
			if !m.pins[k] && (oldest == "" || e.access < m.entries[oldest].access) {
				oldest = k
			}
		}
		all -= m.entries[oldest].size
		delete(m.entries, oldest)
	}
	m.entries[h] = &modelEntry{size: size, access: m.clock}
	return nil
}

// Acceptance 1: thousands of random Put/Get/Pin/Unpin with a small cap;
// after every operation stored bytes are within the cap, pinned entries
// survive, and the stored set is exactly what an LRU would keep.
func TestRandomOperationsMatchModel(t *testing.T) {
	const max = 20_000
	c, _ := openTemp(t, max)
	m := &model{max: max, entries: map[string]*modelEntry{}, pins: map[string]bool{}}
	r := rand.New(rand.NewPCG(4, 2))
	const universe = 60
	hashes := make([]string, universe)
	blobs := make([][]byte, universe)
	for i := range universe {
		hashes[i], blobs[i] = segment(uint64(i), 200+r.IntN(2800))
	}
	ops := 3000
	if testing.Short() {
		ops = 500
	}
	for op := range ops {
		i := r.IntN(universe)
		h := hashes[i]
		switch k := r.IntN(10); {
		case k < 4:
			want := m.put(h, int64(len(blobs[i])))
			if err := c.Put(h, blobs[i]); !errors.Is(err, want) && !(want == nil && err == nil) {
				t.Fatalf("op %d: Put: err %v, want %v", op, err, want)
			}
		case k < 8:
			got, err := c.Get(h)
			e, ok := m.entries[h]
			switch {
			case ok && (err != nil || !bytes.Equal(got, blobs[i])):
				t.Fatalf("op %d: Get of a stored segment: %d bytes, err %v", op, len(got), err)
			case !ok && !errors.Is(err, ErrMiss):
				t.Fatalf("op %d: Get of an absent segment: err %v, want ErrMiss", op, err)
			case ok:
				m.clock++
				e.access = m.clock
			}
		case k < 9:
			if err := c.Pin(h); err != nil {
				t.Fatalf("op %d: Pin: %v", op, err)
			}
			m.pins[h] = true
		default:
			if err := c.Unpin(h); err != nil {
				t.Fatalf("op %d: Unpin: %v", op, err)
			}
			delete(m.pins, h)
		}
		if r.IntN(50) == 0 {
			if err := c.flush(); err != nil {
				t.Fatalf("op %d: flush: %v", op, err)
			}
		}
		s, err := c.Stats()
		if err != nil {
			t.Fatal(err)
		}
		all, pinned := m.bytes()
		if s.Bytes > max || s.Bytes != all || s.PinnedBytes != pinned {
			t.Fatalf("op %d: stored %d pinned %d; model %d pinned %d; cap %d", op, s.Bytes, s.PinnedBytes, all, pinned, max)
		}
		if op%100 == 0 || op == ops-1 {
			compareSets(t, op, c, m, hashes)
			checkConsistent(t, c)
		}
	}
}

func compareSets(t *testing.T, op int, c *Cache, m *model, hashes []string) {
	t.Helper()
	var got, want []string
	for _, h := range hashes {
		if c.Has(h) {
			got = append(got, h[:8])
		}
		if _, ok := m.entries[h]; ok {
			want = append(want, h[:8])
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if len(got) != len(want) {
		t.Fatalf("op %d: stored %v, model %v", op, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("op %d: stored %v, model %v", op, got, want)
		}
	}
}
