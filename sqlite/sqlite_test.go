package sqlite

import (
	"path/filepath"
	"testing"
)

func TestOpenMigratesOnceAndKeepsWAL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	migs := []string{
		"CREATE TABLE a(x INTEGER)",
		"CREATE VIRTUAL TABLE f USING fts5(body); INSERT INTO a VALUES (1)",
	}
	for range 2 { // the second open must not re-run migrations
		db, err := Open(path, Options{IncrementalVacuum: true}, migs)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRow("SELECT count(*) FROM a").Scan(&n); err != nil || n != 1 {
			t.Fatalf("rows in a = %d, %v; want 1", n, err)
		}
		var mode string
		var av int
		db.QueryRow("PRAGMA journal_mode").Scan(&mode)
		db.QueryRow("PRAGMA auto_vacuum").Scan(&av)
		if mode != "wal" || av != 2 {
			t.Fatalf("journal_mode %q auto_vacuum %d; want wal, 2", mode, av)
		}
		db.Close()
	}
	if _, err := Open(path, Options{}, migs[:1]); err == nil {
		t.Fatal("opening a newer schema with fewer migrations should fail")
	}
}
