package testkit

import (
	"bytes"
	"database/sql"
	"net/url"
	"os"
	"testing"
)

// ForeignSQLite writes at path an SQLite database of another program (a
// contacts table, no application ID): what a mistyped path to segue's own
// database may name. The test binary must have the "sqlite3" driver
// registered (github.com/mattn/go-sqlite3, as segue's packages do).
func ForeignSQLite(path string) error {
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec(`CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('Ada')`)
	return err
}

// DamagePage overwrites, with bytes that are no SQLite page, the root page
// of the table or index called name in the SQLite database at path (closed,
// its WAL checkpointed), leaving its header and every other page as they
// are: what a disk's bad sector or a crash of the file system leaves, met
// only by what reads that page. The test binary must have the "sqlite3"
// driver registered.
func DamagePage(t testing.TB, path, name string) {
	t.Helper()
	if st, err := os.Stat(path + "-wal"); err == nil && st.Size() > 0 {
		t.Fatalf("damage %s of %s: its WAL holds pages yet: close every connection first", name, path)
	}
	db, err := sql.Open("sqlite3", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro&immutable=1")
	if err != nil {
		t.Fatal(err)
	}
	var root, size int64
	err = db.QueryRow(`SELECT rootpage, (SELECT page_size FROM pragma_page_size) FROM sqlite_master WHERE name = ?`, name).Scan(&root, &size)
	db.Close()
	if err != nil {
		t.Fatalf("damage %s of %s: %v", name, path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	garbage := bytes.Repeat([]byte{0xA5, 0x13, 0xFF, 0x00, 0x7E}, int(size)/5+1)[:size]
	if _, err := f.WriteAt(garbage, (root-1)*size); err != nil {
		t.Fatal(err)
	}
}
