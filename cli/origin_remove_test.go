//go:build !segue_client

package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"segue/origin"
)

// TestOriginRemoveFolder: origin remove --folder DIR takes the tracks of
// one folder out of a catalog that holds two (there was no way but to
// empty the folder and ingest it), leaves the other's tracks and blobs,
// the files in DIR, and the track IDs an ingest of DIR brings back; the
// tracks of an older segue's ingest (no folder recorded) go too when their
// files are under DIR. A folder no track comes from is exit 3 naming the
// folders there are; no --folder, or a file for it, exit 2.
func TestOriginRemoveFolder(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	config, data := ingestEnv(t)
	env := []string{"--config", config}
	music, old := t.TempDir(), t.TempDir()
	makeTone(t, filepath.Join(music, "keep.flac"), 2, "title=Keep", "artist=Kept Band", "album=Kept")
	for i, n := range []string{"01", "02"} { // longer: segments of their own (they are content-addressed)
		makeTone(t, filepath.Join(old, n+".flac"), float64(3+i), "title=Demo "+n, "artist=Demo Band", "album=Demo")
	}
	for _, lib := range []string{music, old} {
		segueOK(t, append(env, "origin", "ingest", lib, "--jobs", "1")...)
	}
	db, err := origin.OpenCatalogAt(t.Context(), "", data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ids := func(where string) []string {
		t.Helper()
		rows, err := db.Query(`SELECT id FROM tracks WHERE ` + where + ` ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var id string
			rows.Scan(&id)
			out = append(out, id)
		}
		return out
	}
	oldIDs, kept := ids("album_id IN (SELECT id FROM albums WHERE title = 'Demo')"), ids("album_id IN (SELECT id FROM albums WHERE title = 'Kept')")
	if len(oldIDs) != 2 || len(kept) != 1 {
		t.Fatalf("after ingest: %d demo tracks and %d kept, want 2 and 1", len(oldIDs), len(kept))
	}

	var rep removeReport
	out, errOut, code := segue(t, append(env, "origin", "remove", "--folder", old, "--json")...)
	decodeJSON(t, out, &rep)
	if code != ExitOK || rep.Removed != 2 || rep.BlobsRemoved == 0 {
		t.Errorf("remove --json: exit %d, %+v, want 2 tracks and their blobs removed", code, rep)
	}
	// how far it is, on stderr (stdout holds the report): a drive's worth
	// of tracks took minutes without a word, and so did their blobs'
	// deletion after them
	if want := "tracks to take out of the catalog: 2\n[1/2] removed 01.flac\n[2/2] removed 02.flac\n" +
		fmt.Sprintf("blobs no track uses any more, to delete: %d\n[%[1]d/%[1]d] blobs deleted\n", rep.BlobsRemoved); errOut != want {
		t.Errorf("remove's stderr: %q; want %q", errOut, want)
	}
	if got := ids("1=1"); !slices.Equal(got, kept) {
		t.Errorf("after remove the catalog holds %v, want the other folder's %v", got, kept)
	}
	var albums int
	db.QueryRow(`SELECT COUNT(*) FROM albums`).Scan(&albums)
	if albums != 1 {
		t.Errorf("%d albums after remove, want the other folder's one", albums)
	}
	if _, err := os.Stat(filepath.Join(old, "01.flac")); err != nil {
		t.Errorf("remove touched the folder's files: %v", err)
	}
	hashes, err := db.Query(`SELECT hash FROM segments WHERE track_id = ?`, kept[0])
	if err != nil {
		t.Fatal(err)
	}
	for hashes.Next() { // the kept track's segments are all there
		var h string
		hashes.Scan(&h)
		if _, err := os.Stat(filepath.Join(data, origin.BlobDir, h[:2], h)); err != nil {
			t.Errorf("a segment of the other folder's track is gone: %v", err)
		}
	}
	hashes.Close()
	file := filepath.Join(old, "01.flac")
	checkFailCases(t, env, []failCase{
		{"remove of a folder no track comes from", []string{"origin", "remove", "--folder", old}, "origin remove: no track of the catalog comes from " + old + "; its tracks come from " + music, ExitNotFound, true},
		{"remove without --folder", []string{"origin", "remove"}, "origin remove: give the folder whose tracks to take out with --folder DIR", ExitUsage, true},
		{"remove --folder a file", []string{"origin", "remove", "--folder", file}, "--folder: " + file + " is a file: give a folder, such as the one it is in (" + filepath.Dir(file) + ")", ExitUsage, true},
		{"remove --data of no origin", []string{"origin", "remove", "--folder", old, "--data", filepath.Join(old, "none")}, "--data: no origin in", ExitNotFound, true},
		{"remove from an empty catalog", []string{"origin", "remove", "--folder", old, "--data", newEmptyOrigin(t)}, "origin remove: no track of the catalog comes from " + old + ": the catalog holds no tracks, so there is nothing to take out (check --data or --catalog)", ExitNotFound, true},
	}, nil)

	// an ingest brings the tracks back under the same IDs (playlists keep them)
	segueOK(t, append(env, "origin", "ingest", old, "--jobs", "1")...)
	if got := ids("album_id IN (SELECT id FROM albums WHERE title = 'Demo')"); !slices.Equal(got, oldIDs) {
		t.Errorf("after ingesting the folder again: %v, want the IDs %v", got, oldIDs)
	}
	// an ingest of a folder whose file went says so as it takes the track out
	gone := filepath.Join(t.TempDir(), "02.flac")
	if err := os.Rename(filepath.Join(old, "02.flac"), gone); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code = segue(t, append(env, "origin", "ingest", old, "--jobs", "1")...); code != ExitOK ||
		!strings.Contains(errOut, "tracks to take out of the catalog: 1\n[1/1] removed 02.flac\n") {
		t.Errorf("ingest of %s without 02.flac: exit %d, stderr %q; want the track taken out, saying so", old, code, errOut)
	}
	if err := os.Rename(gone, filepath.Join(old, "02.flac")); err != nil {
		t.Fatal(err)
	}
	segueOK(t, append(env, "origin", "ingest", old, "--jobs", "1")...)
	// rows an older segue made have no folder: they are the folder's whose files they name
	if _, err := db.Exec(`UPDATE tracks SET library = '' WHERE id IN (?, ?)`, oldIDs[0], oldIDs[1]); err != nil {
		t.Fatal(err)
	}
	// In words, the ingest it names carries the data dir: without it the
	// ingest went to the default one.
	out = segueOK(t, append(env, "origin", "remove", "--folder", old)...)
	if got := ids("1=1"); !strings.HasPrefix(out, "removed 2 tracks of "+old) || !slices.Equal(got, kept) {
		t.Errorf("remove of an older ingest's folder: %q, catalog %v; want 2 removed and %v left", out, got, kept)
	}
	if want := "(segue origin ingest " + old + " --data " + data + " brings them back)"; !strings.Contains(out, want) {
		t.Errorf("remove said %q; want it to name the ingest %q", out, want)
	}
}

// TestOriginRemoveRelativeFolder: origin remove names the folder as an
// absolute, cleaned path, as origin ingest's report does, with --json and
// without, when given a relative one (./x/../lib/): --json's "folder" was
// the path as given, which a script run elsewhere could not use.
func TestOriginRemoveRelativeFolder(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	config, _ := ingestEnv(t)
	env := []string{"--config", config}
	work := t.TempDir()
	lib := filepath.Join(work, "lib")
	for _, d := range []string{lib, filepath.Join(work, "x")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	makeTone(t, filepath.Join(lib, "a.flac"), 2, "title=Rel", "artist=Rel Band", "album=Rel")
	t.Chdir(work)
	const given = "./x/../lib/"

	segueOK(t, append(env, "origin", "ingest", lib, "--jobs", "1")...)
	var rep removeReport
	out, errOut, code := segue(t, append(env, "origin", "remove", "--folder", given, "--json")...)
	decodeJSON(t, out, &rep)
	if code != ExitOK || rep.Folder != lib || rep.Removed != 1 {
		t.Errorf("remove --folder %s --json: exit %d, %+v (%s); want folder %q, 1 track removed", given, code, rep, errOut, lib)
	}

	segueOK(t, append(env, "origin", "ingest", lib, "--jobs", "1")...)
	out = segueOK(t, append(env, "origin", "remove", "--folder", given)...)
	if !strings.HasPrefix(out, "removed 1 track of "+lib+" from") || !strings.Contains(out, "(segue origin ingest "+lib+" ") {
		t.Errorf("remove --folder %s said %q; want it to name %s", given, out, lib)
	}
}
