package cache

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"

	"segue/sqlite"
)

// migrations are the cache schema versions; migrations[i] is version i+1.
// Every statement is idempotent because two processes may create a fresh
// cache at the same moment.
var migrations = []string{`
CREATE TABLE IF NOT EXISTS entries (
	id           INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: a stale touch cannot hit a new entry
	kind         INTEGER NOT NULL,                  -- 0 segment (key = sha256 hex), 1 document (key = URL)
	key          TEXT    NOT NULL,
	size         INTEGER NOT NULL,
	last_access  INTEGER NOT NULL,                  -- unix ns
	pinned       INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
	etag         TEXT    NOT NULL DEFAULT '',
	content_type TEXT    NOT NULL DEFAULT '',
	stored       INTEGER NOT NULL DEFAULT 0,        -- unix ns, documents only
	UNIQUE (kind, key)
);
CREATE INDEX IF NOT EXISTS entries_lru ON entries (last_access) WHERE pinned = 0;
CREATE TABLE IF NOT EXISTS blobs (
	id   INTEGER PRIMARY KEY, -- entries.id
	data BLOB NOT NULL
);
-- Keys (segment hashes, document keys) the user wants offline; a pinned key
-- stored later arrives pinned.
CREATE TABLE IF NOT EXISTS pins (hash TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS totals (
	id           INTEGER PRIMARY KEY CHECK (id = 1),
	bytes        INTEGER NOT NULL,
	pinned_bytes INTEGER NOT NULL,
	segments     INTEGER NOT NULL,
	docs         INTEGER NOT NULL
);
INSERT OR IGNORE INTO totals VALUES (1, 0, 0, 0, 0);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS entries_insert AFTER INSERT ON entries BEGIN
	UPDATE totals SET bytes = bytes + NEW.size,
		pinned_bytes = pinned_bytes + NEW.pinned * NEW.size,
		segments = segments + (NEW.kind = 0), docs = docs + (NEW.kind = 1)
	WHERE id = 1;
END;
CREATE TRIGGER IF NOT EXISTS entries_delete AFTER DELETE ON entries BEGIN
	UPDATE totals SET bytes = bytes - OLD.size,
		pinned_bytes = pinned_bytes - OLD.pinned * OLD.size,
		segments = segments - (OLD.kind = 0), docs = docs - (OLD.kind = 1)
	WHERE id = 1;
END;
CREATE TRIGGER IF NOT EXISTS entries_pin AFTER UPDATE OF pinned ON entries BEGIN
	UPDATE totals SET pinned_bytes = pinned_bytes + (NEW.pinned - OLD.pinned) * NEW.size WHERE id = 1;
END;
`, `
-- The CRC-32C (Castagnoli) of the entry's blob, which Get checks a
-- segment's bytes against: a twentieth of the sha256's cost on a 100 KB
-- read. NULL for what was stored before version 2, whose bytes Get checks
-- against their sha256. In entries, a small row Get reads anyway, not
-- after the blob, which SQLite reaches only through the blob's overflow
-- pages.
ALTER TABLE entries ADD COLUMN crc INTEGER;
`}

// driverFor returns the name of a go-sqlite3 driver whose connections
// carry the pragmas a DSN cannot: the WAL checkpointed once it holds
// walBytes (SQLite's default, 4 MiB, let it grow far past a small cap:
// 17 MB beside a 5 MB cache), and cut back to walBytes after a checkpoint
// instead of keeping its largest size. One driver is registered per
// distinct limit, since sql.Register is process-wide. Memory-mapped reads
// (mmap_size) made a warm 100 KB Get about 20 µs faster but count every
// page read into the process's RSS, so they stay off.
func driverFor(walBytes int64) string {
	drivers.mu.Lock()
	defer drivers.mu.Unlock()
	name := fmt.Sprintf("sqlite3-segue-cache-wal%d", walBytes)
	if drivers.names[name] {
		return name
	}
	pragmas := fmt.Sprintf("PRAGMA wal_autocheckpoint = %d; PRAGMA journal_size_limit = %d", walBytes/pageSize, walBytes)
	sql.Register(name, &sqlite3.SQLiteDriver{ConnectHook: func(conn *sqlite3.SQLiteConn) error {
		_, err := conn.Exec(pragmas, nil)
		return err
	}})
	drivers.names[name] = true
	return name
}

var drivers = struct {
	mu    sync.Mutex // guards names
	names map[string]bool
}{names: map[string]bool{}}

// pageSize is SQLite's default page size, which the cache keeps.
const pageSize = 4096

// errForeign marks a valid SQLite file that is not a segue cache this
// segue can use; errOtherProgram, one of them, a database that is not a
// segue cache at all (another application ID).
var (
	errForeign      = errors.New("not a segue cache")
	errOtherProgram = fmt.Errorf("%w: another program's database", errForeign)
)

// sqliteMagic starts every SQLite database file (sqlite.org/fileformat.html,
// "The Database Header": offset 0, 16 bytes); the big-endian application
// ID is at offset 68.
const (
	sqliteMagic    = "SQLite format 3\x00"
	appIDOffset    = 68
	sqliteHeaderSz = 100
)

// notCache returns an error wrapping ErrNotCache when the file at path
// exists and is not a segue cache, else nil (no file, an empty one, which
// SQLite makes a database, or a segue cache). Before opening (openErr nil)
// it reads the header: a file that does not start as SQLite files do is
// not one. After openErr, an error of a file SQLite cannot use, it tells
// a damaged segue cache (moved aside) from another program's database: by
// the application ID in the header, as migrate tells them apart in a
// database it can read (and as otherProgram does before the file is opened
// for writing, which would turn on WAL in its header). The ID may be only in the WAL of a cache never
// checkpointed; such a damaged file is refused too, not moved.
func notCache(path string, openErr error) error {
	f, err := os.Open(path)
	if err != nil {
		return nil // Open says why when it tries
	}
	defer f.Close()
	head := make([]byte, sqliteHeaderSz)
	n, _ := io.ReadFull(f, head)
	switch {
	case n == 0:
		return nil
	case n < len(sqliteMagic) || string(head[:len(sqliteMagic)]) != sqliteMagic:
		return fmt.Errorf("%s is %w: it is not an SQLite file", path, ErrNotCache)
	case openErr == nil && n == sqliteHeaderSz && binary.BigEndian.Uint32(head[appIDOffset:]) != appID && otherProgram(path):
		return fmt.Errorf("%s is %w: it is another program's SQLite database", path, ErrNotCache)
	case openErr == nil:
		return nil
	case errors.Is(openErr, errOtherProgram):
		return fmt.Errorf("%s is %w: it is another program's SQLite database", path, ErrNotCache)
	case n < sqliteHeaderSz || binary.BigEndian.Uint32(head[appIDOffset:]) != appID:
		return fmt.Errorf("%s is %w: it is a damaged SQLite database that is not marked as segue's", path, ErrNotCache)
	}
	return nil
}

// openDB opens path and brings its schema up to date, its wait for
// another process's write lock ending with ctx. A new (or empty) file gets
// auto_vacuum=INCREMENTAL from the DSN before its first page is written;
// a file already made has its mode, and its connections are not given
// the pragma: on such a file it is a write, so each new connection waited
// in SQLite's busy handler, which no ctx ends, for another process's
// write lock (up to 10 s, then "database is locked"). migrate writes it
// once instead, inside its transaction.
func openDB(ctx context.Context, path string, walBytes int64) (*sql.DB, error) {
	// A statement cache per connection: preparing the INSERT compiles the
	// totals triggers, a third of a small Put's CPU without it.
	o := sqlite.Options{IncrementalVacuum: !made(path), StatementCache: 32}
	db, err := sql.Open(driverFor(walBytes), sqlite.DSN(path, o))
	if err != nil {
		return nil, err
	}
	// Each connection has its own SQLite page cache (2 MiB): a small pool
	// keeps memory bounded however many goroutines read.
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	if err := sqlite.Connect(db, o); err != nil {
		db.Close()
		return nil, err
	}
	return db, migrated(ctx, db)
}

// made reports whether the file at path has its first page (and with it
// its auto_vacuum mode): it exists and is not empty.
func made(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Size() > 0
}

// openMemDB opens a cache database held in memory. It has one connection:
// each connection to ":memory:" would be a database of its own.
func openMemDB() (*sql.DB, error) {
	db, err := sql.Open(driverFor(walLimit(MemoryMaxBytes)), "file::memory:?_txlock=immediate&_auto_vacuum=incremental&_stmt_cache_size=32")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	return db, migrated(context.Background(), db)
}

// migrated migrates db, closing it on failure.
func migrated(ctx context.Context, db *sql.DB) error {
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return err
	}
	return nil
}

// migrate checks that the file is ours and applies the missing schema
// versions in one write transaction, re-reading the version inside it;
// its wait for another process's write lock ends with ctx.
func migrate(ctx context.Context, db *sql.DB) error {
	return sqlite.Tx(ctx, db, func(tx *sql.Tx) error {
		var version, app, tables int
		if err := tx.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
			return err
		}
		if err := tx.QueryRow("PRAGMA application_id").Scan(&app); err != nil {
			return err
		}
		if err := tx.QueryRow("SELECT count(*) FROM sqlite_master").Scan(&tables); err != nil {
			return err
		}
		switch {
		case tables > 0 && app != appID:
			return errOtherProgram
		case version > len(migrations):
			return fmt.Errorf("%w: schema version %d is newer than this segue knows (%d)", errForeign, version, len(migrations))
		}
		// The mode the file has, written as every connection's DSN
		// pragma wrote it before (see openDB): a file this user may only
		// read fails here, at Open, as it did.
		if _, err := tx.Exec("PRAGMA auto_vacuum = INCREMENTAL"); err != nil {
			return err
		}
		if version == len(migrations) {
			return nil // up to date: write no schema (the disk may be full)
		}
		for i := version; i < len(migrations); i++ {
			if _, err := tx.Exec(migrations[i]); err != nil {
				return fmt.Errorf("migrate cache schema to version %d: %w", i+1, err)
			}
		}
		if _, err := tx.Exec(fmt.Sprintf("PRAGMA user_version = %d", len(migrations))); err != nil {
			return err
		}
		_, err := tx.Exec(fmt.Sprintf("PRAGMA application_id = %d", appID))
		return err
	})
}

// otherProgram reports whether path, read-only, holds tables under an
// application ID other than segue's; false when it cannot be read. The
// file is read as immutable, its WAL ignored: read-only, a WAL database
// would leave -wal and -shm files beside another program's database.
func otherProgram(path string) bool {
	db, err := sql.Open("sqlite3", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro&immutable=1")
	if err != nil {
		return false
	}
	defer db.Close()
	var app, tables int
	if db.QueryRow("PRAGMA application_id").Scan(&app) != nil || db.QueryRow("SELECT count(*) FROM sqlite_master").Scan(&tables) != nil {
		return false
	}
	return tables > 0 && app != appID
}

// isBadFile tells a file that must be moved aside from a failure that a new
// file would not fix (permissions, a full disk).
func isBadFile(err error) bool {
	if errors.Is(err, errForeign) {
		return true
	}
	return corrupt(err)
}

// Damaged reports whether err is SQLite finding the cache file damaged
// (SQLITE_CORRUPT, SQLITE_NOTADB) after it opened: a *DamagedError, which
// every operation of an open cache returns for it (see DamagedError).
func Damaged(err error) bool {
	return err != nil && (errors.As(err, new(*DamagedError)) || isBadFile(err))
}

// moveAside renames path (and any WAL and shared-memory files beside it)
// to path.corrupt-<time>, and returns the new name.
func moveAside(path string) (string, error) {
	aside := path + ".corrupt-" + time.Now().Format("20060102-150405.000000000")
	if err := os.Rename(path, aside); err != nil {
		return "", err
	}
	for _, ext := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(path + ext); err == nil {
			if err := os.Rename(path+ext, aside+ext); err != nil {
				return "", err
			}
		}
	}
	return aside, nil
}
