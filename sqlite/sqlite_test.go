package sqlite

import (
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestOpenANewFileAtOnce opens one new file from 16 connections at once, 50
// times: before Connect, 3–6 of the 800 opens failed "database is locked"
// (the WAL conversion does not wait out the lock), and two processes could
// both apply migration 1 ("table a already exists"). Each process of
// `segue offline add` run three at once opens the cache so.
func TestOpenANewFileAtOnce(t *testing.T) {
	migs := []string{"CREATE TABLE a(x INTEGER)", "INSERT INTO a VALUES (1)"}
	for range 50 {
		path := filepath.Join(t.TempDir(), "x.db")
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range 16 {
			wg.Go(func() {
				<-start
				db, err := Open(path, Options{}, migs)
				if err != nil {
					t.Error(err)
					return
				}
				defer db.Close()
				var n int
				if err := db.QueryRow("SELECT count(*) FROM a").Scan(&n); err != nil || n != 1 {
					t.Errorf("rows in a = %d, %v; want 1 (each migration applied once)", n, err)
				}
			})
		}
		close(start)
		wg.Wait()
		if t.Failed() {
			return
		}
	}
}

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

// An upgrade step runs once per version inside the step's transaction: its
// failure leaves the schema at the previous version, and a later open
// retries it.
func TestOpenRunsUpgradeInTheStepsTransaction(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	migs := []string{"CREATE TABLE a(x TEXT)", "ALTER TABLE a ADD COLUMN y TEXT"}
	db, err := Open(path, Options{}, migs[:1])
	if err != nil {
		t.Fatal(err)
	}
	db.Exec("INSERT INTO a (x) VALUES ('v1')")
	db.Close()
	fail := func(tx *sql.Tx, v int) error {
		if _, err := tx.Exec("UPDATE a SET y = 'upgraded'"); err != nil {
			return err
		}
		return errors.New("boom")
	}
	if _, err := Open(path, Options{Upgrade: fail}, migs); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("failed upgrade: err %v, want boom", err)
	}
	var versions []int
	ok := func(tx *sql.Tx, v int) error {
		versions = append(versions, v)
		_, err := tx.Exec("UPDATE a SET y = 'upgraded'")
		return err
	}
	db, err = Open(path, Options{Upgrade: ok}, migs)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var y string
	if err := db.QueryRow("SELECT y FROM a").Scan(&y); err != nil || y != "upgraded" || len(versions) != 1 || versions[0] != 2 {
		t.Fatalf("y = %q (%v), upgrade ran for versions %v; want upgraded once, for version 2", y, err, versions)
	}
}
