package origin

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"segue/origin/blobs"
	"segue/origin/blobs/miniotest"
	"segue/origin/pgtest"
)

// Issue 18, acceptance 4: a single-machine origin migrated into PostgreSQL
// and MinIO answers the same API; a stopped run resumes; a damaged source
// blob is refused by its hash.
func TestMigrateToPostgresAndMinIO(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	pl, err := NewPlaylists(w.db).Create(ctx, "local", "Mix")
	must(t, err)
	_, err = NewPlaylists(w.db).Add(ctx, "local", pl.ID, []string{w.formation, w.joga}, -1)
	must(t, err)
	_, err = NewPlaylists(w.db).Share(ctx, "local", pl.ID)
	must(t, err)
	_, _, err = CreateToken(ctx, w.db, "laptop")
	must(t, err)
	// a Subsonic user's bookmark (origin/subsonic's own table)
	_, err = w.db.ExecContext(ctx, `INSERT INTO bookmarks (owner, track_id, position_ms, comment, created_at, changed_at)
		VALUES ('u1', ?, 61500, 'here', 1, 2)`, w.formation)
	must(t, err)
	_, err = w.db.ExecContext(ctx, `INSERT INTO ratings (owner, item_id, rating, rated_at) VALUES ('u1', ?, 4, 3)`, w.formation)
	must(t, err)
	_, err = w.db.ExecContext(ctx, `INSERT INTO subsonic_users (name, id, pass_sealed, api_key_sha, created_at, name_key)
		VALUES ('Ann', 'u1', NULL, 'sha', 1, 'usfolded')`)
	must(t, err)
	endpoint := miniotest.Start(t)
	loc, err := blobs.ParseS3URL("s3://migrated/segue?endpoint=" + endpoint + "&region=us-east-1")
	must(t, err)
	store, err := blobs.OpenS3(ctx, loc)
	must(t, err)
	catalogURL := pgtest.Database(t)
	o := MigrateOptions{From: w.dir, ToCatalog: catalogURL, ToBlobs: store}

	// The first run stops after the blobs (as if interrupted).
	stopped, cancel := context.WithCancel(ctx)
	o.Progress = func(p MigrateProgress) {
		if p.Stage == "blobs" && p.Done == p.Total {
			cancel()
		}
	}
	if _, err := Migrate(stopped, o); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted migration: %v, want context.Canceled", err)
	}
	o.Progress = nil
	sum, err := Migrate(ctx, o)
	if err != nil {
		t.Fatalf("resumed migration: %v", err)
	}
	if sum.BlobsCopied != 0 || sum.BlobsPresent != 8 || sum.Rows["tracks"] != 6 || sum.Rows["search"] != 12 || sum.Rows["playlist_tracks"] != 2 ||
		sum.Rows["bookmarks"] != 1 || sum.Rows["ratings"] != 1 || sum.Rows["subsonic_users"] != 1 {
		t.Errorf("resumed migration: %+v; want the 8 blobs (7 segments, 1 cover) already there and 6 tracks, 12 search rows, 2 playlist entries, 1 bookmark, 1 rating, 1 Subsonic user", sum)
	}

	pg, err := OpenCatalogAt(ctx, catalogURL, t.TempDir())
	must(t, err)
	if got := tableColumn(t, pg, `SELECT name || ' ' || id || ' ' || name_key FROM subsonic_users`); len(got) != 1 || got[0] != "Ann u1 usfolded" {
		t.Errorf("Subsonic users after migration: %q, want Ann with her ID and name_key", got)
	}
	pg.Close()

	before := startServer(t, w.serverOptions(), "127.0.0.1:0")
	after := startServer(t, ServerOptions{DataDir: t.TempDir(), Catalog: catalogURL, Blobs: store}, "127.0.0.1:0")
	for _, path := range []string{"/api/v1/artists", "/api/v1/artists/" + w.beyonce, "/api/v1/albums/" + w.lemonade,
		"/api/v1/tracks/" + w.formation, "/api/v1/tracks/" + w.formation + "/manifest", "/api/v1/albums/" + w.lemonade + "/cover",
		"/api/v1/search?q=beyo", "/api/v1/search?q=random+mem", "/api/v1/playlists", "/api/v1/playlists/" + pl.ID,
		"/chunks/" + w.formationM.Renditions[0].Segments[1].Hash} {
		// Share URLs name the server answering.
		a := strings.ReplaceAll(body(t, before.base+path), before.base, "ORIGIN")
		b := strings.ReplaceAll(body(t, after.base+path), after.base, "ORIGIN")
		if a != b {
			t.Errorf("GET %s after migration:\n%s\nwant, as before:\n%s", path, b, a)
		}
	}
	// Rowids continue past the copied ones.
	if _, _, err := CreateToken(ctx, after.srv.db, "phone"); err != nil {
		t.Errorf("a new token after migration: %v", err)
	}

	// A source blob whose bytes no longer match its hash is not copied.
	p, err := w.blobs.Path(w.formationM.Renditions[0].Segments[0].Hash)
	must(t, err)
	must(t, os.WriteFile(p, []byte("damaged"), 0o644))
	_, err = Migrate(ctx, MigrateOptions{From: w.dir, ToCatalog: pgtest.Database(t), ToBlobs: blobs.FS{Dir: filepath.Join(t.TempDir(), "blobs")}})
	if !errors.Is(err, ErrMigrateVerify) {
		t.Errorf("migrating a damaged blob: %v, want ErrMigrateVerify", err)
	}
}

// body GETs url and returns its status line and body.
func body(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	must(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(t, err)
	return resp.Status + "\n" + string(b)
}

// Migrate copies every column of each table it copies: a column added to
// the schema but not to migrateTables (tracks.high_bytes, say) would come
// out of a migration as its default, and verifyTable, which compares the
// listed columns only, would not see it.
func TestMigrateCopiesEveryColumn(t *testing.T) {
	db, err := OpenCatalog(t.TempDir())
	must(t, err)
	defer db.Close()
	for _, m := range migrateTables {
		listed := map[string]bool{}
		for _, c := range strings.Split(m.from, ",") {
			listed[strings.TrimSpace(c)] = true
		}
		for _, c := range tableColumn(t, db, `SELECT name FROM pragma_table_info('`+m.table+`')`) {
			if !listed[c] {
				t.Errorf("migrateTables leaves out column %s of %s", c, m.table)
			}
		}
	}
}

// TestMigrateOfAChangingSourceSaysSo: a play recorded in the source after
// its events were copied (an origin still serving the data dir) fails the
// verification saying the source changed while migrate ran and to stop
// the origin's commands, then run it again (which then succeeds); it said
// "did the target hold another catalog?", which sent a host looking at
// the wrong database.
func TestMigrateOfAChangingSourceSaysSo(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	o := MigrateOptions{From: w.dir, ToCatalog: pgtest.Database(t)}
	played := false
	o.Progress = func(p MigrateProgress) {
		if p.Stage == "verify artists" && !played {
			played = true
			_, err := w.db.ExecContext(ctx, `INSERT INTO events (id, listener, track_id, played_ms, completed, at, session) VALUES ('late', 'local', ?, 1000, 1, 5, 's')`, w.joga)
			must(t, err)
		}
	}
	_, err := Migrate(ctx, o)
	if !errors.Is(err, ErrMigrateVerify) || !strings.Contains(err.Error(), "the source changed while migrate ran (0 rows when copied, 1 now): stop segue origin serve") {
		t.Fatalf("migrate of a source that changed: %v; want ErrMigrateVerify saying the source changed and to stop serve", err)
	}
	o.Progress = nil
	if sum, err := Migrate(ctx, o); err != nil || sum.Rows["events"] != 1 {
		t.Errorf("migrate again: %+v, %v; want it to succeed with the 1 event", sum, err)
	}
}

// TestMigrateMovesCatalogChangedOn: when the catalog's music last changed
// (catalog_changed, Subsonic's lastModified and lastScan) was not migrated.
// A target opened before the migration (an origin served on it, empty)
// kept the time its schema was made, so a Subsonic client that had synced
// the empty catalog and asks getIndexes ifModifiedSince that time was told
// nothing changed after the whole library arrived; and a source that
// changed after the target was made came out older than it was.
func TestMigrateMovesCatalogChangedOn(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	changed := func(db *sql.DB) time.Time {
		t.Helper()
		at, err := NewReader(db).Changed(ctx)
		must(t, err)
		return at
	}

	// A target served empty before the migration.
	served := pgtest.Database(t)
	pg, err := OpenCatalogAt(ctx, served, t.TempDir())
	must(t, err)
	defer pg.Close()
	seen := changed(pg)
	if _, err := Migrate(ctx, MigrateOptions{From: w.dir, ToCatalog: served}); err != nil {
		t.Fatal(err)
	}
	if got := changed(pg); !got.After(seen) {
		t.Errorf("catalog changed at %v after the library was migrated into a catalog served empty at %v; want later", got, seen)
	}

	// A source changed after the target was made: the target is no older.
	fresh := pgtest.Database(t)
	pg2, err := OpenCatalogAt(ctx, fresh, t.TempDir())
	must(t, err)
	defer pg2.Close()
	later := time.Now().Add(24 * time.Hour).Truncate(time.Millisecond).UTC()
	_, err = w.db.ExecContext(ctx, `UPDATE catalog_changed SET at = ?`, later.UnixMilli())
	must(t, err)
	if _, err := Migrate(ctx, MigrateOptions{From: w.dir, ToCatalog: fresh}); err != nil {
		t.Fatal(err)
	}
	if got := changed(pg2); !got.Equal(later) {
		t.Errorf("catalog changed at %v after migrating a source changed at %v; want the source's", got, later)
	}
	// A run again copies nothing and leaves it so.
	if _, err := Migrate(ctx, MigrateOptions{From: w.dir, ToCatalog: fresh}); err != nil {
		t.Fatal(err)
	}
	if got := changed(pg2); !got.Equal(later) {
		t.Errorf("catalog changed at %v after migrating again; want %v as before", got, later)
	}
}

// TestMigrateNamesEveryTable: each table of the SQLite catalog is copied
// (migrateTables) or left out on purpose, so a table added to the schema
// is not left behind unnoticed as catalog_changed was.
func TestMigrateNamesEveryTable(t *testing.T) {
	db, err := OpenCatalog(t.TempDir())
	must(t, err)
	defer db.Close()
	known := map[string]bool{
		"peers": true, "peer_tracks": true, // announces live 90 s
		"catalog_changed": true, // moved on by markMigrated
	}
	for _, m := range migrateTables {
		known[m.table] = true
	}
	for _, name := range tableColumn(t, db, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'search_fts%' AND name NOT LIKE 'sqlite_%'`) {
		if !known[name] {
			t.Errorf("table %s is neither migrated (migrateTables) nor left out on purpose", name)
		}
	}
}

// TestMigrateIntoAnotherCatalogIsRefused: migrate --to-catalog of a
// database that holds another origin's catalog (a mistyped database name,
// the one a scale-out ingest filled) copied artists and albums into it,
// then failed "insert or update on table tracks violates foreign key
// constraint" and said to run the same command again to resume, which
// failed the same way every time. Now it is refused before anything is
// copied, saying what the target holds and what to do, and a resumed
// migrate of the same source still goes on.
func TestMigrateIntoAnotherCatalogIsRefused(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	other := newFixtureOn(t, postgresEngine)
	a := other.artist("Someone Else")
	al := other.album(a, "Someone Else", "Elsewhere", 2001, nil)
	other.track(a, "Someone Else", al, "Elsewhere", "Not Yours", 1, 1, seg("x1", 1000))
	var before int
	must(t, other.db.QueryRowContext(ctx, `SELECT count(*) FROM artists`).Scan(&before))

	_, err := Migrate(ctx, MigrateOptions{From: w.dir, ToCatalog: other.catalog})
	if !errors.Is(err, ErrMigrateTargetHolds) || !strings.Contains(err.Error(), "1 track") || !strings.Contains(err.Error(), "createdb") {
		t.Fatalf("migrate into a catalog holding another's track: %v; want ErrMigrateTargetHolds naming the track and createdb", err)
	}
	var after int
	must(t, other.db.QueryRowContext(ctx, `SELECT count(*) FROM artists`).Scan(&after))
	if after != before {
		t.Errorf("the refused migrate copied artists into the other catalog: %d, had %d", after, before)
	}

	// A run that stopped part way (the target holds some of the source's
	// tracks and nothing else) resumes as before.
	target := pgtest.Database(t)
	o := MigrateOptions{From: w.dir, ToCatalog: target}
	if _, err := Migrate(ctx, o); err != nil {
		t.Fatal(err)
	}
	pg, err := OpenCatalogAt(ctx, target, t.TempDir())
	must(t, err)
	defer pg.Close()
	_, err = pg.ExecContext(ctx, `DELETE FROM tracks WHERE id = ?`, w.joga)
	must(t, err)
	if _, err := Migrate(ctx, o); err != nil {
		t.Errorf("migrate resumed into its own partial copy: %v", err)
	}
}
