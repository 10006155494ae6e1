package cache

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/mattn/go-sqlite3"
)

// DamagedError is the failure of an operation that found pages of the
// cache file damaged (SQLite's SQLITE_CORRUPT or SQLITE_NOTADB) after the
// file opened: Open moves a file damaged where opening reads aside, but
// damage in a page read later (a segment's, an index's) shows only when
// that page is read, by whichever operation reads it. Every such failure
// of an open cache is one, so that a caller says it one way whatever the
// operation was.
type DamagedError struct {
	Path string // the cache file
	Err  error  // what was being done, wrapping SQLite's error
}

func (e *DamagedError) Error() string { return e.Err.Error() }

// Unwrap returns what was being done, wrapping SQLite's error.
func (e *DamagedError) Unwrap() error { return e.Err }

// Plain is the damage as the one sentence every command and the
// interface say, whatever the operation that met it was: which file,
// SQLite's words, and the way to start afresh.
func (e *DamagedError) Plain() string {
	return fmt.Sprintf("the cache file %s is damaged (%v): %s", e.Path, e.Cause(), StartAfresh)
}

// StartAfresh is what to do about a damaged cache file.
const StartAfresh = "segue cache clear empties it and starts afresh (what was pinned for offline use goes too: segue offline add downloads it again)"

// Cause is SQLite's own words for the damage ("database disk image is
// malformed"), without what was being done.
func (e *DamagedError) Cause() error { return innermost(e.Err) }

// innermost is the error at the end of err's chain: SQLite's own words.
func innermost(err error) error {
	for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(u) {
		err = u
	}
	return err
}

// corrupt tells SQLite finding pages of a file it opened damaged.
func corrupt(err error) bool {
	if code, ok := sqliteCode(err); ok {
		return code == sqlite3.ErrCorrupt || code == sqlite3.ErrNotADB
	}
	msg := err.Error()
	return strings.Contains(msg, "database disk image is malformed") || strings.Contains(msg, "file is not a database")
}

// damaged returns err as a *DamagedError when it is SQLite finding the
// cache file damaged, recording the first one (Damage) and calling
// Options.OnDamaged with it; any other err, and nil, as it is. Every
// method of an open cache passes its failures through it.
func (c *Cache) damaged(err error) error {
	if err == nil || c.path == "" || !corrupt(err) {
		return err
	}
	if errors.As(err, new(*DamagedError)) {
		return err // a step already said it
	}
	de := &DamagedError{Path: c.path, Err: err}
	if c.damage.CompareAndSwap(nil, de) && c.opts.OnDamaged != nil {
		c.opts.OnDamaged(de)
	}
	return de
}

// Damage returns the first *DamagedError an operation on the cache met,
// or nil: what a caller whose operations treat any failure as a miss (a
// fetch falling back to the network) says once.
func (c *Cache) Damage() *DamagedError { return c.damage.Load() }

// BadEntryError is the failure of Get, or GetDoc, for an entry whose
// stored bytes were changed on disk after they were stored (a bad sector,
// a file system's crash, another program), where SQLite sees nothing
// wrong, so that the rest of the file is sound: its bytes no longer match
// the checksum stored with them (entries.crc, a CRC-32C; for a segment
// stored before schema 2, its sha256), or, for a JSON document stored
// before schema 2, they no longer decode. The entry is dropped (a pin on
// it stays, so it is pinned again when it is next stored) and the error
// wraps ErrMiss, so a fetcher or the origin client takes it from the
// network.
type BadEntryError struct {
	Path string // the cache file
	Key  string // the segment's sha256 (hex), or the document's key (its URL)
	Doc  bool   // a document, not a segment
	Why  string // what was wrong with its bytes: whyChecksum or whyUndecodable's words
}

// The words of BadEntryError.Why.
const (
	whyChecksum    = "its bytes no longer match the checksum stored with them"
	whyUndecodable = "its bytes no longer decode"
)

func (e *BadEntryError) Error() string {
	return fmt.Sprintf("read %s from the cache: %s: %v", e.what(), e.Why, ErrMiss)
}

func (e *BadEntryError) what() string {
	if e.Doc {
		return "the stored document " + e.Key
	}
	return fmt.Sprintf("segment %.12s", e.Key)
}

// Unwrap returns ErrMiss: the entry is no longer stored.
func (e *BadEntryError) Unwrap() error { return ErrMiss }

// Plain is the damage as the one sentence a command says.
func (e *BadEntryError) Plain() string {
	return fmt.Sprintf("the cache file %s held %s with damaged bytes (%s): it was dropped and is fetched again "+
		"(an offline pin holding it is partial until then); segue cache verify checks every other entry", e.Path, e.what(), e.Why)
}

// badEntry drops the entry of kind stored under key, whose bytes Get or
// GetDoc found damaged (why: whyChecksum or whyUndecodable), and returns
// their error for it, recording the first one (BadEntry) and calling
// Options.OnBadEntry with it. The entry is checked again in the write:
// another reader may have found it damaged first, dropped it, and a good
// copy fetched again been stored under key since, which stays.
func (c *Cache) badEntry(kind int, key, why string) error {
	be := &BadEntryError{Path: c.path, Key: key, Doc: kind == kindDoc, Why: why}
	err := c.write(func(tx *sql.Tx) error {
		var (
			id          int64
			data        []byte
			crc         sql.NullInt64
			contentType string
		)
		err := tx.QueryRow(`SELECT e.id, b.data, e.crc, COALESCE(e.content_type, '') FROM entries e JOIN blobs b ON b.id = e.id
			WHERE e.kind = ? AND e.key = ?`, kind, key).Scan(&id, &data, &crc, &contentType)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if (kind == kindSegment && intact(key, data, crc)) || (kind == kindDoc && docDamage(data, crc, contentType) == "") {
			return nil
		}
		return deleteEntry(tx, id)
	})
	if err != nil {
		c.opts.Logger.Warn("drop a damaged cache entry", "key", key, "err", c.wrapWriteErr("drop "+be.what(), err))
	}
	if c.badSeg.CompareAndSwap(nil, be) && c.opts.OnBadEntry != nil {
		c.opts.OnBadEntry(be)
	}
	return be
}

// BadEntry returns the first entry Get or GetDoc found damaged (see
// BadEntryError), or nil.
func (c *Cache) BadEntry() *BadEntryError { return c.badSeg.Load() }
