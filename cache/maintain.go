package cache

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/mattn/go-sqlite3"
)

// VerifyReport is what Verify found and repaired.
type VerifyReport struct {
	Checked int64 `json:"checked"`
	// Bad entries had bytes that did not match their hash or size, no
	// bytes at all, or (documents) bytes that do not decode; they were
	// dropped.
	Bad      int64 `json:"bad"`
	BadBytes int64 `json:"bad_bytes"`
	// Orphans are stored bytes with no entry; they were dropped.
	Orphans int64 `json:"orphans"`
	// TotalsFixed says the running totals disagreed with the rows and were
	// recomputed.
	TotalsFixed bool `json:"totals_fixed"`
}

// Verify re-hashes every stored segment, checks every document's size,
// that it decodes (see docDecodes) and its CRC-32C (entries.crc, when it
// has one), drops what is bad, and recomputes the running totals if they
// drifted.
// It reads in small batches, so readers and writers carry on meanwhile.
func (c *Cache) Verify() (VerifyReport, error) { return c.VerifyEach(context.Background(), nil) }

// VerifyEach is Verify calling progress (when not nil) after each batch
// with the entries checked so far and how many there were when it began.
// When ctx ends it stops between two batches, drops the damaged entries
// found so far (one transaction) and returns its report with ctx's error.
func (c *Cache) VerifyEach(ctx context.Context, progress func(checked, total int64)) (VerifyReport, error) {
	var r VerifyReport
	if c.closed.Load() {
		return r, ErrClosed
	}
	var total int64
	if err := c.db.QueryRow(`SELECT count(*) FROM entries`).Scan(&total); err != nil {
		return r, c.damaged(fmt.Errorf("verify cache: %w", err))
	}
	var bad []int64
	last := int64(-1)
	for ctx.Err() == nil {
		n := 0
		rows, err := c.db.Query(`SELECT e.id, e.kind, e.key, e.size, e.content_type, e.crc, b.data
			FROM entries e LEFT JOIN blobs b ON b.id = e.id WHERE e.id > ? ORDER BY e.id LIMIT 16`, last)
		if err != nil {
			return r, c.damaged(fmt.Errorf("verify cache: %w", err))
		}
		for rows.Next() {
			var (
				id, size int64
				kind     int
				key, ct  string
				data     []byte
				crc      sql.NullInt64
			)
			if err := rows.Scan(&id, &kind, &key, &size, &ct, &crc, &data); err != nil {
				rows.Close()
				return r, c.damaged(fmt.Errorf("verify cache: %w", err))
			}
			n++
			last = id
			r.Checked++
			ok := data != nil && int64(len(data)) == size
			switch {
			case ok && kind == kindSegment:
				sum := sha256.Sum256(data)
				ok = hex.EncodeToString(sum[:]) == key
			case ok && kind == kindDoc: // a cover still an image may be damaged: its CRC says
				ok = docDecodes(ct, data) && docDamage(data, crc, ct) == ""
			}
			if !ok {
				bad = append(bad, id)
				r.BadBytes += size
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return r, c.damaged(fmt.Errorf("verify cache: %w", err))
		}
		if n == 0 {
			break
		}
		if progress != nil {
			progress(r.Checked, max(total, r.Checked))
		}
	}
	r.Bad = int64(len(bad))
	if ctx.Err() == nil {
		if err := c.quickCheck(ctx); err != nil {
			return r, err
		}
	}
	err := c.write(func(tx *sql.Tx) error {
		for _, id := range bad {
			if err := deleteEntry(tx, id); err != nil {
				return err
			}
		}
		res, err := tx.Exec(`DELETE FROM blobs WHERE id NOT IN (SELECT id FROM entries)`)
		if err != nil {
			return err
		}
		r.Orphans, _ = res.RowsAffected()
		fixed, err := fixTotals(tx)
		r.TotalsFixed = fixed
		return err
	})
	if err != nil {
		return r, c.wrapWriteErr("verify cache: drop bad entries", err)
	}
	return r, ctx.Err()
}

// checkedTables are the tables (with their indexes) quickCheck has SQLite
// check; not blobs, whose every page the read of every entry has read,
// and which is nearly all the file: checking it too held one read
// transaction across the whole file (seconds for 2 GiB), during which
// another process's WAL could not be reset.
var checkedTables = []string{"entries", "pins", "totals", "counters"}

// quickCheck has SQLite check the pages of checkedTables and their indexes
// (PRAGMA quick_check): damage in a page the read of every entry does not
// lead to (an index, the pins) passed verify, and showed only when a lookup
// of a key read it. Its findings are a *DamagedError.
func (c *Cache) quickCheck(ctx context.Context) error {
	for _, table := range checkedTables {
		var found string
		err := c.db.QueryRowContext(ctx, `PRAGMA quick_check(`+table+`)`).Scan(&found)
		switch {
		case err != nil:
			return c.damaged(fmt.Errorf("verify cache: check the pages of %s: %w", table, err))
		case found != "ok":
			return c.damaged(fmt.Errorf("verify cache: check the pages of %s: %s: %w", table, found, sqlite3.Error{Code: sqlite3.ErrCorrupt}))
		}
	}
	return nil
}

// fixTotals recomputes the running totals from the rows if they differ.
func fixTotals(tx *sql.Tx) (bool, error) {
	const sum = `SELECT coalesce(sum(size), 0), coalesce(sum(size * pinned), 0),
		count(*) FILTER (WHERE kind = 0), count(*) FILTER (WHERE kind = 1) FROM entries`
	var want, have [4]int64
	if err := tx.QueryRow(sum).Scan(&want[0], &want[1], &want[2], &want[3]); err != nil {
		return false, err
	}
	err := tx.QueryRow(`SELECT bytes, pinned_bytes, segments, docs FROM totals WHERE id = 1`).
		Scan(&have[0], &have[1], &have[2], &have[3])
	if err != nil || want == have {
		return false, err
	}
	_, err = tx.Exec(`UPDATE totals SET bytes = ?, pinned_bytes = ?, segments = ?, docs = ? WHERE id = 1`,
		want[0], want[1], want[2], want[3])
	return err == nil, err
}

// Clear drops every entry, or every unpinned one when keepPinned is set,
// and gives the freed space back to the filesystem. Clearing everything
// also forgets pins of hashes not stored yet.
func (c *Cache) Clear(keepPinned bool) error {
	return c.ClearEach(context.Background(), keepPinned, nil)
}

// clearBatch is how many entries ClearEach drops in one transaction.
const clearBatch = 32

// ClearEach is Clear in steps of clearBatch entries, each its own
// transaction, calling progress (when not nil) after each with the
// entries dropped so far and how many there were to drop. When ctx ends
// it stops between two steps with ctx's error: what it dropped stays
// dropped, the rest stays cached, and the file is not shrunk yet.
func (c *Cache) ClearEach(ctx context.Context, keepPinned bool, progress func(dropped, total int64)) error {
	if c.closed.Load() {
		return ErrClosed
	}
	err := withRoom(c.path, &c.full, func() error { return c.clear(ctx, keepPinned, progress) })
	if err != nil {
		return c.wrapWriteErr("clear the cache", err)
	}
	keepReserve(c.path, c.reserve())
	return nil
}

func (c *Cache) clear(ctx context.Context, keepPinned bool, progress func(dropped, total int64)) error {
	which := `1`
	if keepPinned {
		which = `pinned = 0`
	}
	var total, dropped int64
	if err := c.db.QueryRow(`SELECT count(*) FROM entries WHERE ` + which).Scan(&total); err != nil {
		return err
	}
	for more := true; more; {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := c.write(func(tx *sql.Tx) error {
			var last sql.NullInt64 // the last entry of this step
			err := tx.QueryRow(`SELECT max(id) FROM (SELECT id FROM entries WHERE `+which+` ORDER BY id LIMIT ?)`, clearBatch).Scan(&last)
			if err != nil || !last.Valid {
				more = false
				return err
			}
			if _, err := tx.Exec(`DELETE FROM blobs WHERE id IN (SELECT id FROM entries WHERE id <= ? AND `+which+`)`, last.Int64); err != nil {
				return err
			}
			res, err := tx.Exec(`DELETE FROM entries WHERE id <= ? AND `+which, last.Int64)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			dropped += n
			return nil
		})
		if err != nil {
			return err
		}
		if more && progress != nil {
			progress(dropped, max(total, dropped))
		}
	}
	if !keepPinned {
		err := c.write(func(tx *sql.Tx) error {
			for _, s := range []string{`DELETE FROM blobs`, `DELETE FROM pins`} { // bytes with no entry, pins of what is not stored
				if _, err := tx.Exec(s); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return c.vacuum(ctx, 0, true)
}

// GC writes pending access times, evicts down to the cap, and gives every
// free page back to the filesystem (incremental vacuum and a WAL
// checkpoint).
func (c *Cache) GC() error { return c.GCEach(context.Background(), nil) }

// GCEach is GC evicting in steps, each its own transaction, and calling
// progress (when not nil) after each with the bytes evicted so far and
// how many were over the cap. When ctx ends it stops between two steps
// (of eviction or of giving pages back) with ctx's error: what it evicted
// stays evicted, and the file is consistent.
func (c *Cache) GCEach(ctx context.Context, progress func(evicted, over int64)) error {
	if c.closed.Load() {
		return ErrClosed
	}
	err := withRoom(c.path, &c.full, func() error {
		if err := c.flush(); err != nil {
			return err
		}
		if err := c.evictEach(ctx, progress); err != nil {
			return err
		}
		return c.vacuum(ctx, 0, true)
	})
	if err != nil {
		return c.wrapWriteErr("collect cache garbage", err)
	}
	keepReserve(c.path, c.reserve())
	return nil
}

// freePagesToKeep is how many free bytes trimFreePages leaves in the file
// for the next Puts to reuse: 1/32 of the cap, within [1 MiB, 64 MiB].
func (c *Cache) freePagesToKeep() int64 { return freeReserve(c.opts.MaxBytes) }

func freeReserve(maxBytes int64) int64 { return min(max(maxBytes/32, 1<<20), 64<<20) }

// walLimit is the WAL size at which the cache checkpoints, and the size the
// WAL file is cut back to: 1/16 of the cap, within [256 KiB, 16 MiB].
func walLimit(maxBytes int64) int64 { return min(max(maxBytes/16, 256<<10), 16<<20) &^ (pageSize - 1) }

// FootprintMargin is how far beyond maxBytes (the cap) the cache's files
// on disk (database, WAL and shared-memory index) may grow while it is in
// use: the WAL up to its limit plus the transaction being written, the
// free pages kept for reuse, and B-tree overhead (interior pages, partly
// filled overflow pages), about 1/16 of what is stored. For a 5 MiB cap
// that is 2.6 MiB; for the default 2 GiB, 208 MiB. TestFootprintWithinCap
// measures it.
func FootprintMargin(maxBytes int64) int64 {
	return walLimit(maxBytes) + freeReserve(maxBytes) + maxBytes/16 + 1<<20
}

// trimFreePages gives free pages beyond a small reserve back to the
// filesystem, so the file shrinks after heavy eviction. Errors are only
// logged: this is housekeeping.
func (c *Cache) trimFreePages() {
	if err := c.damaged(c.vacuum(context.Background(), c.freePagesToKeep(), false)); err != nil {
		c.opts.Logger.Debug("cache: give free pages back", "err", err)
	}
}

// vacuum frees all but keep bytes of free pages, then checkpoints the WAL,
// truncating it when truncate is set or it has grown large. When ctx ends
// it stops between two steps with ctx's error.
func (c *Cache) vacuum(ctx context.Context, keep int64, truncate bool) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	var free, pageSize int64
	if err := c.db.QueryRow(`PRAGMA freelist_count`).Scan(&free); err != nil {
		return fmt.Errorf("vacuum cache: %w", err)
	}
	if err := c.db.QueryRow(`PRAGMA page_size`).Scan(&pageSize); err != nil {
		return fmt.Errorf("vacuum cache: %w", err)
	}
	// Moving pages writes them to the WAL: in steps of a WAL's worth, each
	// checkpointed, the WAL never holds more than one step (which matters
	// on a disk that is nearly full).
	step := max(walLimit(c.opts.MaxBytes)/pageSize, 64)
	for n := free - keep/pageSize; n > 0; n -= step {
		if err := ctx.Err(); err != nil {
			return err
		}
		// incremental_vacuum frees one page per row: drain its rows.
		rows, err := c.db.Query(fmt.Sprintf(`PRAGMA incremental_vacuum(%d)`, min(n, step)))
		if err != nil {
			return fmt.Errorf("vacuum cache: %w", err)
		}
		for rows.Next() {
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("vacuum cache: %w", err)
		}
		if err := c.checkpoint(); err != nil {
			return err
		}
		truncate = false // just done
	}
	if c.path == "" {
		return nil // in memory: no WAL
	}
	if !truncate {
		if fi, err := os.Stat(c.path + "-wal"); err != nil || fi.Size() <= walLimit(c.opts.MaxBytes) {
			return nil
		}
	}
	return c.checkpoint()
}

// checkpoint copies the WAL into the database and truncates it.
func (c *Cache) checkpoint() error {
	var busy, logPages, done int
	if err := c.db.QueryRow(`PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logPages, &done); err != nil {
		return fmt.Errorf("checkpoint cache: %w", err)
	}
	return nil
}

// docDecodes tells a document segue can use from what a broken proxy may
// have left: an image (cover) must start like one, anything else must be
// valid JSON (catalog answers, manifests, playlists). An HTML error page
// or a truncated body fails.
func docDecodes(contentType string, body []byte) bool {
	if strings.HasPrefix(contentType, "image/") {
		return strings.HasPrefix(http.DetectContentType(body), "image/")
	}
	return json.Valid(body)
}
