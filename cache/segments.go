package cache

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
)

// Get returns the segment stored under hash, or ErrMiss. It checks the
// bytes against the CRC-32C Put stored with them (entries.crc), or, stored
// before the cache kept one, against hash itself. Put checked them when
// they were stored, and SQLite's transactions make a torn write
// impossible, but bytes changed on disk since (a bad sector) were
// returned as the segment, played as noise or refused by the decoder,
// and served to peers, while offline list said their pin was complete.
// The CRC costs a few µs for 100 KB (SSE 4.2); the sha256 cost about 90
// µs, which doubled a warm read (BenchmarkGetWarm, 100 KB: p50 147-157 µs
// against 57-65); with the CRC the p50 is a read's (76-92 against 69-86
// without a check, 3 alternating runs on the 2-core build machine under
// load, 2026-12-07).
// Such a segment is dropped and Get fails with a *BadEntryError, which
// wraps ErrMiss. A hit counts as an access for LRU order and in Stats.
func (c *Cache) Get(hash string) ([]byte, error) {
	if c.closed.Load() {
		return nil, ErrClosed
	}
	id, data, crc, err := c.read(hash)
	if errors.Is(err, sql.ErrNoRows) {
		c.mu.Lock()
		c.pending.misses++
		c.mu.Unlock()
		c.noted()
		return nil, ErrMiss
	}
	if err != nil {
		return nil, c.damaged(fmt.Errorf("read segment %.12s from the cache: %w", hash, err))
	}
	if !intact(hash, data, crc) {
		c.mu.Lock()
		c.pending.misses++
		c.mu.Unlock()
		c.noted()
		return nil, c.badEntry(kindSegment, hash, whyChecksum)
	}
	c.touch(id, true)
	return data, nil
}

// read runs the prepared segment query. It scans the blob as sql.RawBytes
// to skip database/sql's defensive copy: go-sqlite3 hands every row a fresh
// slice made by C.GoBytes and never reuses it, so the caller may keep it
// (TestReturnedBytesStayValid guards this).
func (c *Cache) read(hash string) (id int64, data []byte, crc sql.NullInt64, err error) {
	rows, err := c.get.Query(hash)
	if err != nil {
		return 0, nil, crc, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return 0, nil, crc, err
		}
		return 0, nil, crc, sql.ErrNoRows
	}
	var raw sql.RawBytes
	if err := rows.Scan(&id, &raw, &crc); err != nil {
		return 0, nil, crc, err
	}
	return id, []byte(raw), crc, rows.Close()
}

// Drop deletes the segment stored under hash, pinned or not, for a caller
// that found its bytes do not match it (see Verify); a hash not stored is
// not an error. A pin on hash stays: the segment arrives pinned when it is
// next Put.
func (c *Cache) Drop(hash string) error {
	if c.closed.Load() {
		return ErrClosed
	}
	if err := c.drop(kindSegment, hash); err != nil {
		return c.wrapWriteErr(fmt.Sprintf("drop segment %.12s", hash), err)
	}
	return nil
}

// drop deletes the entry of kind stored under key, pinned or not; one not
// stored is not an error.
func (c *Cache) drop(kind int, key string) error {
	return c.write(func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRow(`SELECT id FROM entries WHERE kind = ? AND key = ?`, kind, key).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		return deleteEntry(tx, id)
	})
}

// Has reports whether hash is stored. It does not count as an access.
func (c *Cache) Has(hash string) bool {
	if c.closed.Load() {
		return false
	}
	var one int
	err := c.db.QueryRow(`SELECT 1 FROM entries WHERE kind = 0 AND key = ?`, hash).Scan(&one)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		c.damaged(err) // recorded for Damage; not stored, as far as a caller can use it
	}
	return err == nil
}

// touch records an access to entry id, to be written by the next flush.
func (c *Cache) touch(id int64, hit bool) {
	t := c.now()
	c.mu.Lock()
	c.pending.touches[id] = t
	if hit {
		c.pending.hits++
	}
	n := len(c.pending.touches)
	c.mu.Unlock()
	c.noted()
	if n >= maxPendingTouches {
		select {
		case c.kick <- struct{}{}:
		default:
		}
	}
}

// Put stores data under hash after checking that sha256(data) is hash,
// evicting the least recently used unpinned entries so that stored bytes
// stay within MaxBytes when Put returns. A hash that was pinned before it
// was stored arrives pinned, and fails with ErrPinFull when pinned bytes
// would exceed the cap. Storing a present hash only counts as an access.
// On a full disk Put fails with ErrDiskFull and warns once.
func (c *Cache) Put(hash string, data []byte) error {
	if c.closed.Load() {
		return ErrClosed
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != hash {
		return fmt.Errorf("store segment %.12s: %w", hash, ErrHashMismatch)
	}
	if err := c.roomToWrite(); err != nil {
		return fmt.Errorf("store segment %.12s in the cache: %w", hash, err)
	}
	size := int64(len(data))
	err := c.write(func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRow(`SELECT id FROM entries WHERE kind = 0 AND key = ?`, hash).Scan(&id)
		if err == nil {
			_, err = tx.Exec(`UPDATE entries SET last_access = ? WHERE id = ?`, c.now(), id)
			return err
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var pinned bool
		err = tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM pins WHERE hash = ?)`, hash).Scan(&pinned)
		if err != nil {
			return err
		}
		if err := c.makeRoom(tx, size, pinned); err != nil {
			return err
		}
		return insert(tx, entry{kind: kindSegment, key: hash, size: size, access: c.now(), pinned: pinned}, data)
	})
	if err != nil {
		return c.wrapWriteErr(fmt.Sprintf("store segment %.12s in the cache", hash), err)
	}
	return nil
}

const (
	kindSegment = 0
	kindDoc     = 1
)

// entry is one row of the entries table.
type entry struct {
	kind              int
	key               string
	size, access      int64
	pinned            bool
	etag, contentType string
	stored            int64
}

func insert(tx *sql.Tx, e entry, data []byte) error {
	var id int64
	err := tx.QueryRow(`INSERT INTO entries (kind, key, size, last_access, pinned, etag, content_type, stored, crc)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		e.kind, e.key, e.size, e.access, e.pinned, e.etag, e.contentType, e.stored, crc32.Checksum(data, castagnoli)).Scan(&id)
	if err != nil {
		return err
	}
	_, err = tx.Exec(`INSERT INTO blobs (id, data) VALUES (?, ?)`, id, data)
	return err
}

// castagnoli is CRC-32C's table (entries.crc): hash/crc32 computes it with
// SSE 4.2 or ARMv8's CRC instructions where the CPU has them.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// intact reports whether data is the segment stored under hash: its
// CRC-32C is crc, or, stored before the cache kept one (crc not valid),
// its sha256 is hash.
func intact(hash string, data []byte, crc sql.NullInt64) bool {
	if crc.Valid {
		return int64(crc32.Checksum(data, castagnoli)) == crc.Int64
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]) == hash
}

// makeRoom evicts least recently used unpinned entries until size more
// bytes fit under the cap. It fails, changing nothing, when pinned entries
// leave too little room.
func (c *Cache) makeRoom(tx *sql.Tx, size int64, pinned bool) error {
	var bytes, pinnedBytes int64
	if err := tx.QueryRow(`SELECT bytes, pinned_bytes FROM totals WHERE id = 1`).Scan(&bytes, &pinnedBytes); err != nil {
		return err
	}
	max := c.opts.MaxBytes
	if size > 0 && pinnedBytes+size > max {
		if pinned {
			return fmt.Errorf("%w: %d pinned bytes + %d new > cap %d; unpin something or raise cache.size",
				ErrPinFull, pinnedBytes, size, max)
		}
		return fmt.Errorf("%w: %d bytes do not fit beside %d pinned bytes under the cap of %d; unpin something or raise cache.size",
			ErrFull, size, pinnedBytes, max)
	}
	need := bytes + size - max
	for need > 0 {
		freed, n, err := evictOldest(tx, need)
		if err != nil {
			return fmt.Errorf("evict: %w", err)
		}
		if n == 0 {
			break // only pinned entries left; covered by the check above
		}
		need -= freed
	}
	return nil
}

// evictOldest deletes least recently used unpinned entries until need
// bytes are freed or one batch is done, and returns what it freed.
func evictOldest(tx *sql.Tx, need int64) (freed int64, n int, err error) {
	rows, err := tx.Query(`SELECT id, size FROM entries WHERE pinned = 0 ORDER BY last_access LIMIT 64`)
	if err != nil {
		return 0, 0, err
	}
	var ids []int64
	for rows.Next() && freed < need {
		var id, size int64
		if err := rows.Scan(&id, &size); err != nil {
			rows.Close()
			return 0, 0, err
		}
		ids = append(ids, id)
		freed += size
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	for _, id := range ids {
		if err := deleteEntry(tx, id); err != nil {
			return 0, 0, err
		}
	}
	return freed, len(ids), nil
}

func deleteEntry(tx *sql.Tx, id int64) error {
	if _, err := tx.Exec(`DELETE FROM blobs WHERE id = ?`, id); err != nil {
		return err
	}
	_, err := tx.Exec(`DELETE FROM entries WHERE id = ?`, id)
	return err
}

// Pin keeps keys in the cache for offline use: segment hashes or document
// keys, which never collide. Pinned entries are never evicted. A key not
// stored yet is remembered and arrives pinned when it is Put (or PutDoc).
// Pinned bytes count toward the cap; see Put and ErrPinFull.
func (c *Cache) Pin(hashes ...string) error {
	return c.setPinned(hashes, true)
}

// Unpin lets keys be evicted again, and forgets pins of keys not stored
// yet.
func (c *Cache) Unpin(hashes ...string) error {
	return c.setPinned(hashes, false)
}

func (c *Cache) setPinned(hashes []string, pin bool) error {
	if c.closed.Load() {
		return ErrClosed
	}
	what := "unpin"
	pinSQL := `DELETE FROM pins WHERE hash = ?`
	if pin {
		what = "pin"
		pinSQL = `INSERT OR IGNORE INTO pins (hash) VALUES (?)`
	}
	err := c.write(func(tx *sql.Tx) error {
		for _, h := range hashes {
			if _, err := tx.Exec(pinSQL, h); err != nil {
				return err
			}
			if _, err := tx.Exec(`UPDATE entries SET pinned = ? WHERE kind IN (0, 1) AND key = ?`, pin, h); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return c.wrapWriteErr(fmt.Sprintf("%s %d segments", what, len(hashes)), err)
	}
	return nil
}

// PinCost says what pinning hashes would take of the cap before any of them
// is downloaded: the bytes pinned now, and how many more the hashes add
// (sizes gives each one's size; a hash stored and pinned already adds
// nothing). Pinned bytes may not exceed MaxBytes (Put fails ErrPinFull),
// so a caller compares pinned+more with MaxBytes before fetching anything.
func (c *Cache) PinCost(hashes []string, sizes map[string]int64) (pinned, more int64, err error) {
	if c.closed.Load() {
		return 0, 0, ErrClosed
	}
	if err := c.db.QueryRow(`SELECT pinned_bytes FROM totals WHERE id = 1`).Scan(&pinned); err != nil {
		return 0, 0, c.damaged(fmt.Errorf("read the cache's totals: %w", err))
	}
	// one query for the whole list: offline add asks it of every segment of
	// an album at once (2,000 hashes: 10-20 ms, against 37-60 ms asked one
	// at a time)
	list, _ := json.Marshal(hashes) // a []string always marshals
	rows, err := c.db.Query(`SELECT key FROM entries WHERE kind = 0 AND pinned = 1 AND key IN (SELECT value FROM json_each(?))`, string(list))
	if err != nil {
		return 0, 0, c.damaged(fmt.Errorf("read the cache's pins: %w", err))
	}
	defer rows.Close()
	counted := make(map[string]bool, len(hashes)) // held, or added once
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return 0, 0, c.damaged(fmt.Errorf("read the cache's pins: %w", err))
		}
		counted[h] = true
	}
	if err := rows.Err(); err != nil {
		return 0, 0, c.damaged(fmt.Errorf("read the cache's pins: %w", err))
	}
	for _, h := range hashes {
		if !counted[h] {
			counted[h] = true
			more += sizes[h]
		}
	}
	return pinned, more, nil
}

// PinnedKeys returns every key pinned (stored or not), in no order.
func (c *Cache) PinnedKeys() ([]string, error) {
	return c.keys("read the cache's pins", `SELECT hash FROM pins`)
}

// Pinned reports whether hash is pinned (stored or not).
func (c *Cache) Pinned(hash string) (bool, error) {
	var pinned bool
	err := c.db.QueryRow(`SELECT EXISTS (SELECT 1 FROM pins WHERE hash = ?)`, hash).Scan(&pinned)
	if err != nil {
		return false, c.damaged(fmt.Errorf("read pin of %.12s: %w", hash, err))
	}
	return pinned, nil
}
