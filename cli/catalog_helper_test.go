package cli

import (
	"testing"

	"segue/origin"
)

// makeCatalog makes an empty SQLite catalog in dir (made too), as origin
// serve --data dir does on its first start: the origin commands that
// change a catalog (token create, user add, events import) make none.
func makeCatalog(t *testing.T, dir string) {
	t.Helper()
	db, err := origin.OpenCatalog(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}
