// Package sqlite opens SQLite databases the one way segue does: a single DSN
// builder for the pragmas (WAL, busy timeout, foreign keys), numbered
// migrations applied in order inside a transaction, and a transaction helper
// that rolls back on error. It knows nothing of any schema.
package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"syscall"
	"time"

	"github.com/mattn/go-sqlite3" // also registers the "sqlite3" driver
)

// Options tune Open. The zero value is fine for most stores.
type Options struct {
	// BusyTimeoutMS is how long a writer waits for another process's lock
	// before SQLITE_BUSY surfaces (default 10000).
	BusyTimeoutMS int
	// Synchronous is the synchronous pragma (default NORMAL, safe with WAL).
	Synchronous string
	// IncrementalVacuum sets auto_vacuum=INCREMENTAL; it only takes effect
	// when set before the first table is created.
	IncrementalVacuum bool
	// Upgrade, when set, runs after the SQL of each migration step, inside
	// that step's transaction, with the step's schema version: for data
	// changes SQL cannot express (Unicode normalization, say). Its error
	// rolls the step back.
	Upgrade func(tx *sql.Tx, version int) error
	// StatementCache is how many prepared statements each connection keeps
	// for reuse by SQL text (go-sqlite3's _stmt_cache_size; default none).
	StatementCache int
	// Driver is the database/sql driver name (default "sqlite3"): a store
	// whose schema calls Go functions registers go-sqlite3 under its own
	// name with a ConnectHook that defines them.
	Driver string
}

const defaultBusyTimeoutMS = 10000

// DSN builds the go-sqlite3 data source name for path with segue's pragmas.
func DSN(path string, o Options) string {
	if o.BusyTimeoutMS == 0 {
		o.BusyTimeoutMS = defaultBusyTimeoutMS
	}
	if o.Synchronous == "" {
		o.Synchronous = "NORMAL"
	}
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(o.BusyTimeoutMS))
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", o.Synchronous)
	q.Set("_foreign_keys", "on")
	q.Set("_txlock", "immediate")
	if o.IncrementalVacuum {
		q.Set("_auto_vacuum", "incremental")
	}
	if o.StatementCache > 0 {
		q.Set("_stmt_cache_size", fmt.Sprint(o.StatementCache))
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Open opens the database at path and applies migrations: migrations[i] is
// schema version i+1, and only those above the file's user_version run.
func Open(path string, o Options, migrations []string) (*sql.DB, error) {
	driver := o.Driver
	if driver == "" {
		driver = "sqlite3"
	}
	db, err := sql.Open(driver, DSN(path, o))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := Connect(db, o); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := migrate(db, migrations, o.Upgrade); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// Connect opens db's first connection, which applies the DSN's pragmas.
// PRAGMA journal_mode=WAL turns a new file to WAL under an exclusive lock
// for which SQLite does not call the busy handler, so processes that open
// one new file at once get SQLITE_BUSY ("database is locked") from it.
// Connect retries that for up to o's busy timeout; once the file is in WAL
// mode the pragma takes no such lock. Other errors return at once.
func Connect(db *sql.DB, o Options) error {
	wait := time.Duration(cmp.Or(o.BusyTimeoutMS, defaultBusyTimeoutMS)) * time.Millisecond
	deadline := time.Now().Add(wait)
	for pause := 5 * time.Millisecond; ; pause = min(2*pause, 100*time.Millisecond) {
		err := db.Ping()
		if !Busy(err) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(pause)
	}
}

// Busy reports whether err is SQLite's SQLITE_BUSY or SQLITE_LOCKED:
// another connection holds the lock.
func Busy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
}

// Migrate brings db's schema to len(migrations), one transaction per step.
func Migrate(db *sql.DB, migrations []string) error { return migrate(db, migrations, nil) }

// migrate applies one step per transaction, reading the version inside it:
// another process opening the same new file may have applied the step first.
// An up-to-date file is only read, without waiting for the write lock.
func migrate(db *sql.DB, migrations []string, upgrade func(*sql.Tx, int) error) error {
	var version int
	if err := db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	for version != len(migrations) {
		err := Tx(context.Background(), db, func(tx *sql.Tx) error {
			if err := tx.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
				return fmt.Errorf("read schema version: %w", err)
			}
			if version > len(migrations) {
				return fmt.Errorf("schema version %d is newer than this segue knows (%d): upgrade segue", version, len(migrations))
			}
			if version == len(migrations) {
				return nil
			}
			if _, err := tx.Exec(migrations[version]); err != nil {
				return fmt.Errorf("migrate schema to version %d: %w", version+1, err)
			}
			if upgrade != nil {
				if err := upgrade(tx, version+1); err != nil {
					return fmt.Errorf("migrate schema to version %d: %w", version+1, err)
				}
			}
			if _, err := tx.Exec(fmt.Sprintf("PRAGMA user_version = %d", version+1)); err != nil {
				return err
			}
			version++
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Tx runs fn in a transaction, committing when fn returns nil and rolling
// back otherwise. Waiting for another connection's write lock ends with
// ctx (see waitTx).
func Tx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	return waitTx(ctx, db, nil, fn)
}

// waitTx is Tx calling busy (may be nil; the tests give one) once when another connection holds
// the write lock, which it then waits for until the connection's busy
// timeout passes (SQLITE_BUSY) or ctx ends (ctx's error). SQLite's own
// busy handler sleeps through the sqlite3_interrupt that go-sqlite3 sends
// when ctx ends, so a BeginTx whose ctx was cancelled waited out the whole
// timeout: the wait is in Go, with the connection's timeout at 0 meanwhile.
func waitTx(ctx context.Context, db *sql.DB, busy func(), fn func(*sql.Tx) error) error {
	if ctx.Done() == nil && busy == nil { // nothing would end or tell of the wait
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		return run(tx, fn)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var timeout int
	if err := conn.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&timeout); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA busy_timeout = 0"); err != nil {
		return err
	}
	restore := fmt.Sprintf("PRAGMA busy_timeout = %d", timeout)
	tx, err := begin(ctx, conn, time.Duration(timeout)*time.Millisecond, busy)
	if err != nil {
		_, rerr := conn.ExecContext(context.Background(), restore)
		return errors.Join(err, rerr)
	}
	// back before fn: its statements wait as the connection's always do
	if _, err := tx.ExecContext(context.Background(), restore); err != nil {
		tx.Rollback()
		return err
	}
	return run(tx, fn)
}

// begin starts a transaction on conn, whose busy timeout is 0, trying
// again while another connection holds the write lock, for up to timeout.
func begin(ctx context.Context, conn *sql.Conn, timeout time.Duration, busy func()) (*sql.Tx, error) {
	deadline := time.Now().Add(timeout)
	for pause := time.Millisecond; ; pause = min(2*pause, 50*time.Millisecond) {
		tx, err := conn.BeginTx(ctx, nil)
		if !Busy(err) || time.Now().After(deadline) {
			return tx, err
		}
		if busy != nil {
			busy()
			busy = nil
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// run runs fn in tx, committing when fn returns nil and rolling back
// otherwise.
func run(tx *sql.Tx, fn func(*sql.Tx) error) error {
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// DiskFull reports whether err comes from a disk (or quota) with no room
// left: SQLite's SQLITE_FULL, or ENOSPC / EDQUOT from a file write.
func DiskFull(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) && se.Code == sqlite3.ErrFull {
		return true
	}
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}
