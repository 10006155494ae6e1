package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
)

// TestWaitTxEndsWithCtx: a transaction waiting for another connection's
// write lock returns ctx's error once ctx ends, having written nothing,
// and the connection keeps its busy timeout (SQLite's busy handler slept
// through go-sqlite3's interrupt: BeginTx waited out the whole timeout and
// said "database is locked").
func TestWaitTxEndsWithCtx(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	migrations := []string{`CREATE TABLE t (v INTEGER)`}
	holder, err := Open(path, Options{}, migrations)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	db, err := Open(path, Options{BusyTimeoutMS: 600000}, migrations)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // the connection that waited is the one asked after
	held, err := holder.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer held.Rollback()
	ctx, cancel := context.WithCancel(context.Background())
	busied := 0
	err = waitTx(ctx, db, func() { busied++; cancel() }, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO t VALUES (1)`)
		return err
	})
	if !errors.Is(err, context.Canceled) || busied != 1 {
		t.Fatalf("waitTx behind another's write lock, ctx cancelled when it said it waits: %v (told of the wait %d times); want context.Canceled, told once", err, busied)
	}
	held.Rollback()
	var n, timeout int
	if err := db.QueryRow(`SELECT count(*) FROM t`).Scan(&n); err != nil || n != 0 {
		t.Errorf("rows after the cancelled transaction: %d (%v); want 0", n, err)
	}
	if err := db.QueryRow(`PRAGMA busy_timeout`).Scan(&timeout); err != nil || timeout != 600000 {
		t.Errorf("busy timeout after the wait: %d (%v); want 600000 as the DSN set it", timeout, err)
	}
}
