package cache

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"segue/sqlite"
)

// TestOpenContextEndsWaitForWriteLock: OpenContext behind another
// connection's write lock (BEGIN IMMEDIATE, as another segue process
// writing) returns an error wrapping context.Canceled once its ctx is
// cancelled, and the file opens as before once the lock is let go. Open
// waited in SQLite's busy handler, which nothing calls off, for up to 10 s
// and then said "database is locked": Ctrl-C went unheard meanwhile.
func TestOpenContextEndsWaitForWriteLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	c := openAt(t, path, 1<<20, nil)
	h, b := segment(1, 64<<10) // a file of more than one page
	mustPut(t, c, h, b)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	holder, err := sql.Open("sqlite3", sqlite.DSN(path, sqlite.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	held, err := holder.Begin() // _txlock=immediate: the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer held.Rollback()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(50*time.Millisecond, cancel) // while it waits (or before: the same answer)
	c, err = OpenContext(ctx, path, Options{MaxBytes: 1 << 20})
	if err == nil {
		c.Close()
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("OpenContext behind another connection's write lock, ctx cancelled: %v; want an error wrapping context.Canceled", err)
	}

	if err := held.Rollback(); err != nil {
		t.Fatal(err)
	}
	c = openAt(t, path, 1<<20, nil)
	defer c.Close()
	if _, err := c.Get(h); err != nil {
		t.Errorf("Get after the cancelled open: %v; want the segment stored before", err)
	}
}
