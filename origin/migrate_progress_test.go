package origin

import (
	"fmt"
	"path/filepath"
	"testing"

	"segue/origin/blobs"
)

// coverStore makes a SQLite catalog in a new data dir whose n albums each
// have a cover of their own, stored in the dir's blob store: n blobs the
// catalog references. It returns the data dir.
func coverStore(t *testing.T, n int) string {
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
	return dir
}

// TestMigrateBlobsProgressCadence: the blobs step of origin migrate says
// how far it is at the tables' cadence (at 0, every 500 and at the end);
// it said it every 100 blobs, ten thousand lines on a store of a million.
func TestMigrateBlobsProgressCadence(t *testing.T) {
	const n = 1203
	dir := coverStore(t, n)
	db, err := OpenCatalog(dir)
	must(t, err)
	defer db.Close()
	var got []MigrateProgress
	var sum MigrateSummary
	to := blobs.FS{Dir: t.TempDir()}
	err = copyBlobs(t.Context(), db, blobs.FS{Dir: filepath.Join(dir, BlobDir)}, to, &sum, func(p MigrateProgress) { got = append(got, p) })
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
