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
		var old *sql.DB
		var err error
		if e == postgresEngine {
			old, err = sql.Open("pgx", url)
			must(t, err)
			_, err = old.Exec(`CREATE TABLE schema_version (version integer NOT NULL)`)
			must(t, err)
			for i, step := range pgMigrations[:11] {
				if _, err := old.Exec(step); err != nil {
					t.Fatalf("step %d: %v", i+1, err)
				}
			}
			_, err = old.Exec(`INSERT INTO schema_version VALUES (11)`)
			must(t, err)
		} else {
			old, err = sqlite.Open(filepath.Join(data, CatalogFile), sqlite.Options{Driver: searchDriver, Upgrade: upgradeCatalog}, migrations[:15])
			must(t, err)
		}
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
