package testkit

import "database/sql"

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
