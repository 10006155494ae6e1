// Package sqlite opens SQLite databases the one way segue does: a single DSN
// builder for the pragmas (WAL, busy timeout, foreign keys), numbered
// migrations applied in order inside a transaction, and a transaction helper
// that rolls back on error. It knows nothing of any schema.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"syscall"

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
	// ReadOnly opens the file read-only.
	ReadOnly bool
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

// DSN builds the go-sqlite3 data source name for path with segue's pragmas.
func DSN(path string, o Options) string {
	if o.BusyTimeoutMS == 0 {
		o.BusyTimeoutMS = 10000
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
	if o.ReadOnly {
		q.Set("mode", "ro")
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
	if err := migrate(db, migrations, o.Upgrade); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// Migrate brings db's schema to len(migrations), one transaction per step.
func Migrate(db *sql.DB, migrations []string) error { return migrate(db, migrations, nil) }

func migrate(db *sql.DB, migrations []string, upgrade func(*sql.Tx, int) error) error {
	var version int
	if err := db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if version > len(migrations) {
		return fmt.Errorf("schema version %d is newer than this segue knows (%d): upgrade segue", version, len(migrations))
	}
	for i := version; i < len(migrations); i++ {
		err := Tx(context.Background(), db, func(tx *sql.Tx) error {
			if _, err := tx.Exec(migrations[i]); err != nil {
				return err
			}
			if upgrade != nil {
				if err := upgrade(tx, i+1); err != nil {
					return err
				}
			}
			_, err := tx.Exec(fmt.Sprintf("PRAGMA user_version = %d", i+1))
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate schema to version %d: %w", i+1, err)
		}
	}
	return nil
}

// Tx runs fn in a transaction, committing when fn returns nil and rolling
// back otherwise.
func Tx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
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
