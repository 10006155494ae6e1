package origin

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"segue/origin/blobs"
)

// coverStore makes a SQLite catalog in a new data dir whose n albums each
// have a cover of their own, stored in the dir's blob store: n blobs the
// catalog references. It returns the data dir and its open catalog.
func coverStore(t *testing.T, n int) (string, *sql.DB) {
	t.Helper()
	dir := t.TempDir()
	db, err := OpenCatalog(dir)
	must(t, err)
	t.Cleanup(func() { db.Close() })
	store := blobs.FS{Dir: filepath.Join(dir, BlobDir)}
	ctx := t.Context()
	tx, err := db.BeginTx(ctx, nil)
	must(t, err)
	_, err = tx.ExecContext(ctx, `INSERT INTO artists (id, name) VALUES ('ar1', 'Artist')`)
	must(t, err)
	for i := range n {
		h, err := store.Put(ctx, fmt.Appendf(nil, "cover %d", i))
		must(t, err)
		_, err = tx.ExecContext(ctx, `INSERT INTO albums (id, title, artist_id, cover_hash, cover_mime) VALUES (?, ?, 'ar1', ?, 'image/png')`,
			fmt.Sprintf("al%d", i), fmt.Sprintf("Album %d", i), h)
		must(t, err)
	}
	must(t, tx.Commit())
	return dir, db
}

// TestMigrateBlobsProgressCadence: the blobs step of origin migrate says
// how far it is at the tables' cadence (at 0, every 500 and at the end);
// it said it every 100 blobs, ten thousand lines on a store of a million.
func TestMigrateBlobsProgressCadence(t *testing.T) {
	const n = 1203
	dir, db := coverStore(t, n)
	var got []MigrateProgress
	var sum MigrateSummary
	to := blobs.FS{Dir: t.TempDir()}
	err := copyBlobs(t.Context(), db, blobs.FS{Dir: filepath.Join(dir, BlobDir)}, to, &sum, func(p MigrateProgress) {
		if p.Stage != "target blobs" { // the listing of an empty target: TestBlobWalksSayHowFar
			got = append(got, p)
		}
	})
	must(t, err)
	want := []int{0, 500, 1000, n}
	if len(got) != len(want) {
		t.Fatalf("reports %+v; want blobs at %v of %d", got, want, n)
	}
	for i, p := range got {
		if p.Stage != "blobs" || p.Done != want[i] || p.Total != n {
			t.Errorf("report %d: %+v; want blobs %d of %d", i, p, want[i], n)
		}
	}
	if sum.BlobsCopied != n {
		t.Errorf("copied %d blobs, want %d", sum.BlobsCopied, n)
	}
}

// TestCollectGarbageSaysHowFar: the deletion of the blobs no track uses
// after an ingest or a removal says how far it is, as ingest's other steps
// do: the total once the store is walked, then every 500 and at the end.
// It said nothing while it deleted a large store's blobs.
func TestCollectGarbageSaysHowFar(t *testing.T) {
	const n = 1203
	dir, db := coverStore(t, n)
	// the first 3 albums keep their covers; the others' are garbage
	_, err := db.ExecContext(t.Context(), `UPDATE albums SET cover_hash = NULL, cover_mime = NULL WHERE id NOT IN ('al0', 'al1', 'al2')`)
	must(t, err)
	store := blobs.FS{Dir: filepath.Join(dir, BlobDir)}
	type report struct{ done, total int }
	var got []report
	removed, err := collectGarbage(t.Context(), db, store, gcProgress{removed: func(done, total int, _ string) { got = append(got, report{done, total}) }})
	must(t, err)
	want := []report{{0, n - 3}, {500, n - 3}, {1000, n - 3}, {n - 3, n - 3}}
	if removed != n-3 || !slices.Equal(got, want) {
		t.Errorf("removed %d blobs, reports %v; want %d removed, reported as %v", removed, got, n-3, want)
	}
	left := 0
	must(t, store.Walk(t.Context(), func(string) error { left++; return nil }))
	if left != 3 {
		t.Errorf("%d blobs left, want the 3 covers still used", left)
	}
}

// fillStore writes n blobs into store's folder as files, without the
// fsync of each that Put does (tens of thousands of those take a minute).
func fillStore(t *testing.T, store blobs.FS, n int) {
	t.Helper()
	for i := range n {
		sum := sha256.Sum256(fmt.Appendf(nil, "blob %d", i))
		path, err := store.Path(hex.EncodeToString(sum[:]))
		must(t, err)
		must(t, os.MkdirAll(filepath.Dir(path), 0o755))
		must(t, os.WriteFile(path, fmt.Appendf(nil, "blob %d", i), 0o644))
	}
}

// TestBlobWalksSayHowFar: the walks of a whole blob store that come
// before any count is known say how far they are, every 10,000 blobs:
// garbage collection's (after an ingest or a removal) and origin
// migrate's listing of what its target holds already. Both were silent
// until the walk ended, minutes on a store of millions.
func TestBlobWalksSayHowFar(t *testing.T) {
	const n = walkReport + 5
	dir, db := coverStore(t, 3)
	store := blobs.FS{Dir: filepath.Join(dir, BlobDir)}
	fillStore(t, store, n) // garbage: no track or album uses them
	var walked []int
	var removed int
	got, err := collectGarbage(t.Context(), db, store, gcProgress{
		walked:  func(seen int) { walked = append(walked, seen) },
		removed: func(done, _ int, _ string) { removed = done },
	})
	must(t, err)
	if !slices.Equal(walked, []int{walkReport}) || got != n || removed != n {
		t.Errorf("garbage collection of %d blobs beside 3 covers: walk reports %v, removed %d (reported %d); want the walk reported at %d and %d removed",
			n, walked, got, removed, walkReport, n)
	}

	to := blobs.FS{Dir: t.TempDir()}
	fillStore(t, to, n) // a target holding blobs (say, another origin's)
	var reports []MigrateProgress
	var sum MigrateSummary
	must(t, copyBlobs(t.Context(), db, store, to, &sum, func(p MigrateProgress) { reports = append(reports, p) }))
	want := []MigrateProgress{
		{Stage: "target blobs", Done: 0, Total: -1},
		{Stage: "target blobs", Done: walkReport, Total: -1},
		{Stage: "target blobs", Done: n, Total: n},
		{Stage: "blobs", Done: 0, Total: 3},
		{Stage: "blobs", Done: 3, Total: 3},
	}
	if !slices.Equal(reports, want) || sum.BlobsCopied != 3 {
		t.Errorf("migrate into a store of %d blobs: reports %+v, %d copied; want %+v and the 3 covers copied", n, reports, sum.BlobsCopied, want)
	}
}

// TestMigrateVerifySaysHowFar: origin migrate's check of a table says how
// far it is every 500 rows, as its copy does; a table of millions was
// checked for minutes with nothing said between its start and its end.
// A row that differs still fails the check.
func TestMigrateVerifySaysHowFar(t *testing.T) {
	const n = 1203
	catalogs := make([]*sql.DB, 2)
	for i := range catalogs {
		db, err := OpenCatalog(t.TempDir())
		must(t, err)
		t.Cleanup(func() { db.Close() })
		for j := range n {
			_, err := db.ExecContext(t.Context(), `INSERT INTO artists (id, name, sort_key) VALUES (?, ?, ?)`,
				fmt.Sprintf("ar%04d", j), fmt.Sprintf("Artist %d", j), fmt.Sprintf("artist %d", j))
			must(t, err)
		}
		catalogs[i] = db
	}
	const cols = "rowid, id, name, sort_key"
	var got []int
	rows, err := verifyTable(t.Context(), catalogs[0], catalogs[1], "artists", cols, cols, "id", func(done int) { got = append(got, done) })
	if want := []int{500, 1000}; err != nil || rows != n || !slices.Equal(got, want) {
		t.Errorf("verify of %d equal rows: %d rows (%v), reports %v; want %d rows, reports %v", n, rows, err, got, n, want)
	}
	_, err = catalogs[1].ExecContext(t.Context(), `UPDATE artists SET name = 'Someone Else' WHERE id = 'ar0700'`)
	must(t, err)
	if _, err := verifyTable(t.Context(), catalogs[0], catalogs[1], "artists", cols, cols, "id", nil); !errors.Is(err, ErrMigrateVerify) {
		t.Errorf("verify with a row changed in the target: %v; want ErrMigrateVerify", err)
	}
}
