package origin

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// RemoveFolder on both catalog engines: a folder gone from the disk is
// taken out, and only it (Music2 beside Music shares its name as a prefix,
// which is not "under"); a folder no track comes from changes nothing.
func TestRemoveFolder(t *testing.T) { forEachEngine(t, testRemoveFolder) }

func testRemoveFolder(t *testing.T, e engine) {
	_, music, music2 := twoFolders(t)
	o := newTarget(t, e)
	o.ingest(t, music)
	o.ingest(t, music2)
	must(t, os.RemoveAll(music)) // a drive gone for good: ingest cannot take it out
	opts := IngestOptions{DataDir: o.data, Catalog: o.catalog}
	sum, err := RemoveFolder(t.Context(), music, opts)
	if err != nil || sum.Removed != 2 || sum.BlobsRemoved == 0 {
		t.Fatalf("RemoveFolder(Music): %+v, %v; want 2 tracks and their blobs removed", sum, err)
	}
	left := catalogPaths(t, o)
	if len(left) != 1 || left[filepath.Join(music2, "p/ep1.mp3")] == "" {
		t.Errorf("after removing Music the catalog holds %v, want Music2's one track", left)
	}
	var nf *NotInCatalogError
	_, err = RemoveFolder(t.Context(), music, opts)
	if !errors.As(err, &nf) || !errors.Is(err, ErrNotFound) || len(nf.Folders) != 1 || nf.Folders[0] != music2 {
		t.Errorf("RemoveFolder(Music) again: %v, want NotInCatalogError naming %s", err, music2)
	}
	if got := catalogPaths(t, o); len(got) != 1 {
		t.Errorf("a refused RemoveFolder changed the catalog: %v", got)
	}
}

// A data dir whose disk is full stops RemoveFolder with ErrDiskFull, whose
// words say to run remove again (they said ingest, as ingest's do); once
// there is room, remove finishes.
func TestRemoveFolderDiskFull(t *testing.T) {
	needFFmpeg(t)
	lib := t.TempDir()
	writeSource(t, lib, source{name: "a.flac", root: 220, seconds: 4})
	writeSource(t, lib, source{name: "b.flac", root: 330, seconds: 4})
	data := mountTmpfs(t, "4m")
	ingest(t, lib, data)
	filler := filepath.Join(data, "filler")
	f, err := os.Create(filler)
	must(t, err)
	size := int64(0)
	for chunk := make([]byte, 4096); err == nil; size += 4096 {
		_, err = f.Write(chunk)
	}
	// room to open the catalog (its shared-memory index), not to write to it
	must(t, f.Truncate(size-48<<10))
	must(t, f.Close())
	_, err = RemoveFolder(t.Context(), lib, IngestOptions{DataDir: data})
	if !errors.Is(err, ErrDiskFull) || !strings.HasSuffix(err.Error(), "; free space in "+data+" and run remove again") {
		t.Fatalf("RemoveFolder on a full disk: %v; want ErrDiskFull ending \"free space in %s and run remove again\"", err, data)
	}
	must(t, os.Remove(filler))
	if sum, err := RemoveFolder(t.Context(), lib, IngestOptions{DataDir: data}); err != nil || sum.Removed != 2 {
		t.Errorf("RemoveFolder with room again: %+v, %v; want the 2 tracks removed", sum, err)
	}
}

// A user took one album folder of a library ingested whole out of the
// catalog (origin remove --folder Music/x), then ingested that folder
// again, as the README says brings the tracks back under their IDs: they
// came back under new IDs (from their paths inside Music/x, not Music), so
// playlists and plays lost them. A new file of a folder inside a library
// is now filed under that library, as ingesting the library would.
func TestRemoveThenIngestSubfolderKeepsIDs(t *testing.T) {
	_, music, _ := twoFolders(t)
	writeSource(t, music, source{name: "y/other.mp3", root: 500, seconds: 2, tags: map[string]string{"artist": "B", "album": "y"}})
	o := target{data: t.TempDir()}
	o.ingest(t, music)
	before := catalogPaths(t, o)
	album := filepath.Join(music, "x")
	if sum, err := RemoveFolder(t.Context(), album, IngestOptions{DataDir: o.data}); err != nil || sum.Removed != 2 {
		t.Fatalf("RemoveFolder(Music/x): %+v, %v; want 2 removed", sum, err)
	}
	if sum := o.ingest(t, album); sum.Added != 2 || len(sum.Skipped) != 0 {
		t.Fatalf("ingest Music/x after removing it: %+v, want 2 added", sum)
	}
	if got := catalogPaths(t, o); !sameMap(got, before) {
		t.Errorf("after remove and ingest of Music/x the catalog holds %v, want the IDs it had: %v", got, before)
	}
	if sum := o.ingest(t, music); sum.Unchanged != 3 || sum.Added+sum.Removed+len(sum.Skipped) != 0 {
		t.Errorf("ingest Music after: %+v, want its 3 tracks unchanged", sum)
	}
}

// TestChangedAfterKilledRemoval: a run killed after it deleted a track
// (its file gone) and before it settled the catalog leaves Reader.Changed
// past the time read before, so a Subsonic client asking ifModifiedSince
// then fetches the artists again; the next ingest, with nothing left to
// do, does not need to. On SQLite and PostgreSQL.
func TestChangedAfterKilledRemoval(t *testing.T) { forEachEngine(t, testChangedAfterKilledRemoval) }

func testChangedAfterKilledRemoval(t *testing.T, e engine) {
	_, music, _ := twoFolders(t)
	o := newTarget(t, e)
	o.ingest(t, music)
	db := o.open(t)
	r := NewReader(db)
	before, err := r.Changed(t.Context())
	must(t, err)
	gone := filepath.Join(music, "x/gone.mp3")
	var id string
	must(t, db.QueryRowContext(t.Context(), `SELECT id FROM tracks WHERE path = ?`, "x/gone.mp3").Scan(&id))
	must(t, os.Remove(gone))
	// What the killed run committed: the track's delete, no settleCatalog.
	if _, err := deleteTrack(t.Context(), db, id); err != nil {
		t.Fatal(err)
	}
	o.ingest(t, music) // nothing left to do: the track is gone already
	after, err := r.Changed(t.Context())
	must(t, err)
	if !after.After(before) {
		t.Errorf("Changed after a removal whose run was killed before settling: %v, want past %v", after, before)
	}
}

// TestRemoveFolderStops: RemoveFolder whose ctx ends after its first
// track (Ctrl-C) returns ctx's error and that one track removed, the
// other still in the catalog; a second run takes it out.
func TestRemoveFolderStops(t *testing.T) {
	_, music, _ := twoFolders(t)
	o := target{data: t.TempDir()}
	o.ingest(t, music)
	before := len(catalogPaths(t, o))
	ctx, cancel := context.WithCancel(t.Context())
	stopAfterOne := func(p IngestProgress) {
		if p.Action == "removed" {
			cancel()
		}
	}
	sum, err := RemoveFolder(ctx, music, IngestOptions{DataDir: o.data, Progress: stopAfterOne})
	if left := len(catalogPaths(t, o)); !errors.Is(err, context.Canceled) || sum.Removed != 1 || left != before-1 {
		t.Fatalf("RemoveFolder stopped after a track: %+v, %v, %d tracks left of %d; want context.Canceled, 1 removed, %d left", sum, err, left, before, before-1)
	}
	if sum, err := RemoveFolder(t.Context(), music, IngestOptions{DataDir: o.data}); err != nil || sum.Removed != before-1 || len(catalogPaths(t, o)) != 0 {
		t.Errorf("RemoveFolder run again: %+v, %v, %d tracks left; want the other %d removed, none left", sum, err, len(catalogPaths(t, o)), before-1)
	}
}
