package origin

import (
	"database/sql"
	"path/filepath"
	"strconv"
	"testing"

	"segue/sqlite"
)

// A catalog made before tracks kept when they were added (SQLite's schema
// step 16, PostgreSQL's 12) gives each track its file's time on upgrade,
// so the Subsonic API's newest albums keep the order they had.
func TestAddedAtFromFileTimeOnUpgrade(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		data, url := t.TempDir(), e.catalog(t)
		old := oldCatalog(t, e, data, url, 15, 11)
		const mtime = int64(1577836800123456789) // 2020-01-01, in nanoseconds
		for _, q := range []string{
			`INSERT INTO artists (id, name) VALUES ('ar1', 'Artist')`,
			`INSERT INTO albums (id, title, artist_id) VALUES ('al1', 'Album', 'ar1')`,
			`INSERT INTO tracks (id, path, title, artist_id, album_id, duration_ms, file_size, file_mtime, manifest)
				VALUES ('t1', 'a/01.flac', 'One', 'ar1', 'al1', 1000, 10, ` + strconv.FormatInt(mtime, 10) + `, '{}')`,
		} {
			_, err := old.Exec(q)
			must(t, err)
		}
		must(t, old.Close())

		db, err := OpenCatalogAt(t.Context(), url, data)
		must(t, err)
		defer db.Close()
		var added int64
		must(t, db.QueryRow(`SELECT added_at FROM tracks WHERE id = 't1'`).Scan(&added))
		if added != mtime {
			t.Errorf("added_at after the upgrade: %d, want the file's time %d", added, mtime)
		}
	})
}

// oldCatalog is a catalog of engine e at an older schema: the first
// sqliteSteps of migrations in DIR/catalog.db (SQLite), or the first
// pgSteps of pgMigrations in the database at url (PostgreSQL), for an
// upgrade test to fill in the old shape and then open with OpenCatalogAt.
func oldCatalog(t *testing.T, e engine, dir, url string, sqliteSteps, pgSteps int) *sql.DB {
	t.Helper()
	if e != postgresEngine {
		old, err := sqlite.Open(filepath.Join(dir, CatalogFile), sqlite.Options{Driver: searchDriver, Upgrade: upgradeCatalog}, migrations[:sqliteSteps])
		must(t, err)
		return old
	}
	return oldPostgresCatalog(t, url, pgSteps)
}

// oldPostgresCatalog is the PostgreSQL database at url at schema step
// steps (the first steps of pgMigrations).
func oldPostgresCatalog(t *testing.T, url string, steps int) *sql.DB {
	t.Helper()
	old, err := sql.Open("pgx", url)
	must(t, err)
	_, err = old.Exec(`CREATE TABLE schema_version (version integer NOT NULL)`)
	must(t, err)
	for i, step := range pgMigrations[:steps] {
		if _, err := old.Exec(step); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
	}
	_, err = old.Exec(`INSERT INTO schema_version VALUES ($1)`, steps)
	must(t, err)
	return old
}
