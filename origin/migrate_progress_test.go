package origin

import (
	"database/sql"
	"fmt"
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
	err := copyBlobs(t.Context(), db, blobs.FS{Dir: filepath.Join(dir, BlobDir)}, to, &sum, func(p MigrateProgress) { got = append(got, p) })
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
	removed, err := collectGarbage(t.Context(), db, store, func(done, total int, _ string) { got = append(got, report{done, total}) })
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
