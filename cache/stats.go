package cache

import (
	"database/sql"
	"fmt"
	"os"
	"strings"
)

// Sources that AddSourceBytes expects; others are counted under their own
// name.
const (
	SourceCache  = "cache"
	SourcePeer   = "peer"
	SourceOrigin = "origin"
)

// Stats describe a cache file: counters since it was created (summed over
// every process that used it) and what it holds now.
type Stats struct {
	Hits          int64            `json:"hits"`
	Misses        int64            `json:"misses"`
	BytesBySource map[string]int64 `json:"bytes_by_source"`
	Entries       int64            `json:"entries"`
	Segments      int64            `json:"segments"`
	Docs          int64            `json:"docs"`
	Bytes         int64            `json:"bytes"`
	PinnedBytes   int64            `json:"pinned_bytes"`
	// PinsWaiting counts pinned segments that are not stored yet: what a
	// download can still bring (documents are stored as they are read, and
	// a pinned one that never came, such as the cover of an album that has
	// none, is not waiting for anything).
	PinsWaiting int64 `json:"pins_waiting"`
	// PeerBans counts peers banned for sending bytes with the wrong sha256.
	PeerBans  int64  `json:"peer_bans"`
	MaxBytes  int64  `json:"max_bytes"`
	FileBytes int64  `json:"file_bytes"` // the database file with its WAL
	Path      string `json:"path"`
}

// AddSourceBytes counts n bytes of segments delivered from source
// (SourceCache, SourcePeer or SourceOrigin) for Stats. Get does not count
// bytes itself: the caller that decides where a segment came from does.
func (c *Cache) AddSourceBytes(source string, n int64) {
	c.mu.Lock()
	c.pending.sources[source] += n
	c.mu.Unlock()
	c.noted()
}

// peerBansCounter names the counter AddPeerBans adds to.
const peerBansCounter = "peer_bans"

// AddPeerBans counts n peers banned for bad bytes, for Stats.
func (c *Cache) AddPeerBans(n int64) {
	c.mu.Lock()
	c.pending.bans += n
	c.mu.Unlock()
	c.noted()
}

// Stats reads the counters and totals, including what this process has
// not flushed yet.
func (c *Cache) Stats() (Stats, error) {
	if c.closed.Load() {
		return Stats{}, ErrClosed
	}
	s := Stats{BytesBySource: map[string]int64{SourceCache: 0, SourcePeer: 0, SourceOrigin: 0},
		MaxBytes: c.opts.MaxBytes, Path: c.path}
	err := c.db.QueryRow(`SELECT bytes, pinned_bytes, segments, docs,
			(SELECT count(*) FROM pins WHERE length(hash) = 64 AND hash NOT GLOB '*[^0-9a-f]*'
				AND hash NOT IN (SELECT key FROM entries WHERE kind = 0))
		FROM totals WHERE id = 1`).
		Scan(&s.Bytes, &s.PinnedBytes, &s.Segments, &s.Docs, &s.PinsWaiting)
	if err != nil {
		return Stats{}, c.damaged(fmt.Errorf("read cache totals: %w", err))
	}
	s.Entries = s.Segments + s.Docs
	rows, err := c.db.Query(`SELECT name, value FROM counters`)
	if err != nil {
		return Stats{}, c.damaged(fmt.Errorf("read cache counters: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var v int64
		if err := rows.Scan(&name, &v); err != nil {
			return Stats{}, c.damaged(fmt.Errorf("read cache counters: %w", err))
		}
		s.add(name, v)
	}
	if err := rows.Err(); err != nil {
		return Stats{}, c.damaged(fmt.Errorf("read cache counters: %w", err))
	}
	c.mu.Lock()
	s.Hits += c.pending.hits
	s.Misses += c.pending.misses
	s.PeerBans += c.pending.bans
	for src, n := range c.pending.sources {
		s.BytesBySource[src] += n
	}
	c.mu.Unlock()
	for _, f := range []string{c.path, c.path + "-wal"} {
		if fi, err := os.Stat(f); err == nil && c.path != "" {
			s.FileBytes += fi.Size()
		}
	}
	return s, nil
}

// add applies one row of the counters table.
func (s *Stats) add(name string, v int64) {
	switch {
	case name == "hits":
		s.Hits += v
	case name == "misses":
		s.Misses += v
	case name == peerBansCounter:
		s.PeerBans += v
	case strings.HasPrefix(name, "bytes:"):
		s.BytesBySource[strings.TrimPrefix(name, "bytes:")] += v
	}
}

// takeTouches hands the pending access times to a writer.
func (c *Cache) takeTouches() map[int64]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.pending.touches
	if len(t) == 0 {
		return nil
	}
	c.pending.touches = map[int64]int64{}
	return t
}

// restoreTouches gives back access times a failed transaction did not
// write, keeping the newer time where a reader touched the entry again.
func (c *Cache) restoreTouches(t map[int64]int64) {
	if len(t) == 0 {
		return
	}
	c.mu.Lock()
	for id, at := range t {
		if at > c.pending.touches[id] {
			c.pending.touches[id] = at
		}
	}
	c.mu.Unlock()
	c.noted()
}

func applyTouches(tx *sql.Tx, t map[int64]int64) error {
	if len(t) == 0 {
		return nil
	}
	stmt, err := tx.Prepare(`UPDATE entries SET last_access = ? WHERE id = ? AND last_access < ?`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for id, at := range t {
		if _, err := stmt.Exec(at, id, at); err != nil {
			return fmt.Errorf("write access times: %w", err)
		}
	}
	return nil
}

// flush writes pending access times and counters in one transaction. On
// failure they stay pending for the next try.
func (c *Cache) flush() error {
	c.mu.Lock()
	p := c.pending
	c.pending = newPending()
	c.mu.Unlock()
	if len(p.touches) == 0 && p.hits == 0 && p.misses == 0 && p.bans == 0 && len(p.sources) == 0 {
		return nil // an idle cache writes nothing
	}
	counts := map[string]int64{"hits": p.hits, "misses": p.misses, peerBansCounter: p.bans}
	for src, n := range p.sources {
		counts["bytes:"+src] = n
	}
	err := c.write(func(tx *sql.Tx) error {
		if err := applyTouches(tx, p.touches); err != nil {
			return err
		}
		for name, n := range counts {
			if n == 0 {
				continue
			}
			_, err := tx.Exec(`INSERT INTO counters (name, value) VALUES (?, ?)
				ON CONFLICT (name) DO UPDATE SET value = value + excluded.value`, name, n)
			if err != nil {
				return fmt.Errorf("write counters: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		c.restoreTouches(p.touches)
		c.mu.Lock()
		c.pending.hits += p.hits
		c.pending.misses += p.misses
		c.pending.bans += p.bans
		for src, n := range p.sources {
			c.pending.sources[src] += n
		}
		c.mu.Unlock()
		return fmt.Errorf("flush cache access times: %w", err)
	}
	return nil
}
