package origin

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// catalogPaths maps each track's file (library/path) to its track ID.
func catalogPaths(t testing.TB, o target) map[string]string {
	t.Helper()
	rows, err := o.open(t).Query(`SELECT library, path, id FROM tracks`)
	must(t, err)
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var lib, p, id string
		must(t, rows.Scan(&lib, &p, &id))
		m[filepath.Join(lib, p)] = id
	}
	must(t, rows.Err())
	return m
}

// The fault a new user found: `ingest ~/Music` then `ingest ~/Podcasts`
// removed every track of ~/Music with its segments. Ingesting a folder
// removes only tracks whose files under that folder vanished; Music2 sits
// beside Music and shares its name as a prefix, which is not "under".
func TestIngestFoldersKeepEachOther(t *testing.T) { forEachEngine(t, testIngestFoldersKeepEachOther) }

// twoFolders writes the music folders Music (x/keep.mp3, x/gone.mp3) and
// Music2 (p/ep1.mp3) beside each other under root.
func twoFolders(t *testing.T) (root, music, music2 string) {
	needFFmpeg(t)
	root, err := filepath.EvalSymlinks(t.TempDir())
	must(t, err)
	for i, f := range []string{"Music/x/keep.mp3", "Music/x/gone.mp3", "Music2/p/ep1.mp3"} {
		writeSource(t, root, source{name: f, root: 220 + 60*float64(i), seconds: 2,
			tags: map[string]string{"artist": "A" + f[:6], "album": f[:6]}})
	}
	return root, filepath.Join(root, "Music"), filepath.Join(root, "Music2")
}

func testIngestFoldersKeepEachOther(t *testing.T, e engine) {
	root, music, music2 := twoFolders(t)
	o := newTarget(t, e)
	if sum := o.ingest(t, music); sum.Added != 2 || sum.Removed != 0 {
		t.Fatalf("ingest Music: %+v, want 2 added", sum)
	}
	before := catalogPaths(t, o)
	if sum := o.ingest(t, music2); sum.Added != 1 || sum.Removed != 0 || sum.BlobsRemoved != 0 {
		t.Fatalf("ingest Music2 after Music: %+v, want 1 added, 0 removed, 0 blobs deleted", sum)
	}
	both := catalogPaths(t, o)
	for _, f := range []string{"Music/x/keep.mp3", "Music/x/gone.mp3", "Music2/p/ep1.mp3"} {
		if both[filepath.Join(root, f)] == "" {
			t.Errorf("%s not in the catalog after ingesting both folders: %v", f, both)
		}
	}
	if len(both) != 3 {
		t.Errorf("catalog holds %d tracks, want 3: %v", len(both), both)
	}
	for p, id := range before {
		if both[p] != id {
			t.Errorf("%s: ID %s became %q", p, id, both[p])
		}
	}

	// Music's segments are still served.
	r := startServer(t, o.serverOptions(), "127.0.0.1:0")
	m := manifestOf(t, o.open(t), "x/keep.mp3")
	for _, seg := range m.Renditions[0].Segments {
		resp, body := get(t, "GET", r.base+"/chunks/"+seg.Hash, nil)
		sum := sha256.Sum256(body)
		if resp.StatusCode != 200 || hex.EncodeToString(sum[:]) != seg.Hash {
			t.Fatalf("segment %s of Music's track: %d, %d bytes; want 200 and the segment", seg.Hash, resp.StatusCode, len(body))
		}
	}

	// A file gone from Music: ingesting Music again removes that track
	// only, through a symlink to the folder as well.
	must(t, os.Remove(filepath.Join(music, "x/gone.mp3")))
	link := filepath.Join(t.TempDir(), "music-link")
	must(t, os.Symlink(music, link))
	if sum := o.ingest(t, link); sum.Removed != 1 || sum.Unchanged != 1 || sum.Added != 0 {
		t.Fatalf("ingest Music (through a link) after deleting one file: %+v, want 1 removed, 1 unchanged", sum)
	}
	after := catalogPaths(t, o)
	want := map[string]string{
		filepath.Join(music, "x/keep.mp3"): before[filepath.Join(music, "x/keep.mp3")],
		filepath.Join(music2, "p/ep1.mp3"): both[filepath.Join(music2, "p/ep1.mp3")],
	}
	if !sameMap(after, want) {
		t.Errorf("catalog after re-ingesting Music: %v, want %v", after, want)
	}
	if e == sqliteEngine { // checkBlobs reads the data dir's catalog.db
		checkBlobs(t, o.data, true)
	}
}

// A file with the same path inside its folder as another folder's track
// would take that track's ID: it is skipped, with why, and the track stays.
func TestIngestSamePathInTwoFolders(t *testing.T) {
	needFFmpeg(t)
	a, b := t.TempDir(), t.TempDir()
	writeSource(t, a, source{name: "song.mp3", root: 300, seconds: 2})
	writeSource(t, b, source{name: "song.mp3", root: 400, seconds: 2})
	o := target{data: t.TempDir()}
	o.ingest(t, a)
	sum := o.ingest(t, b)
	if sum.Added != 0 || sum.Removed != 0 || len(sum.Skipped) != 1 || sum.Skipped[0].Path != "song.mp3" {
		t.Fatalf("ingest of a second folder with the same path: %+v, want song.mp3 skipped", sum)
	}
	t.Logf("reason: %s", sum.Skipped[0].Reason)
	real, err := filepath.EvalSymlinks(a)
	must(t, err)
	if got := catalogPaths(t, o); len(got) != 1 || got[filepath.Join(real, "song.mp3")] == "" {
		t.Errorf("catalog %v, want the first folder's song.mp3 only", got)
	}
}

func TestUnderLibrary(t *testing.T) {
	for _, c := range []struct {
		lib  string
		k    knownTrack
		rel  string
		want bool
	}{
		{"/m", knownTrack{lib: "/m", path: "a/b.mp3"}, "a/b.mp3", true},
		{"/m/a", knownTrack{lib: "/m", path: "a/b.mp3"}, "b.mp3", true},
		{"/m", knownTrack{lib: "/m/a", path: "b.mp3"}, "a/b.mp3", true},
		{"/m", knownTrack{lib: "/m2", path: "b.mp3"}, "", false},     // whole components only
		{"/m/a", knownTrack{lib: "/m", path: "ab.mp3"}, "", false},   // a sibling file
		{"/m", knownTrack{lib: "/p", path: "m/b.mp3"}, "", false},    // another folder
		{"/m", knownTrack{lib: "", path: "b.mp3"}, "", false},        // an older row, folder unknown
		{"/m", knownTrack{lib: "/m", path: "../x/b.mp3"}, "", false}, // never outside
	} {
		rel, ok := under(c.lib, c.k)
		if rel != c.rel || ok != c.want {
			t.Errorf("under(%q, %s/%s) = %q, %v; want %q, %v", c.lib, c.k.lib, c.k.path, rel, ok, c.rel, c.want)
		}
	}
}

// The fault a household's host found moving the music to a new disk
// (mv ~/Music /mnt/big/Music, rsync -a or cp -a): every file of the moved
// library was skipped, "a track from ~/Music has the same path inside its
// folder ... move one of the files, or ingest the folder that holds both",
// advice that fits no folder that is gone, and the documented way out
// (origin remove --folder, ingest again) encoded the whole library again.
// Now a folder that is not there any more hands its tracks to the folder
// ingested when their files are there at the same path with the same size
// and modification time: IDs, segments and blobs kept, nothing encoded. A
// copy that did not keep the times is skipped with a reason naming the
// folder that is gone and the origin remove --folder that lets it in; an
// old folder still there keeps its tracks.
func TestIngestMovedLibrary(t *testing.T) { forEachEngine(t, testIngestMovedLibrary) }

func testIngestMovedLibrary(t *testing.T, e engine) {
	root, music, _ := twoFolders(t)
	o := newTarget(t, e)
	if sum := o.ingest(t, music); sum.Added != 2 {
		t.Fatalf("ingest Music: %+v, want 2 added", sum)
	}
	before := catalogPaths(t, o)

	// An exact copy while the old folder is still there: not taken over.
	copyTree := func(from, to string, keepTimes bool) {
		t.Helper()
		must(t, filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
			must(t, err)
			rel, _ := filepath.Rel(from, p)
			dst := filepath.Join(to, rel)
			if d.IsDir() {
				return os.MkdirAll(dst, 0o755)
			}
			b, err := os.ReadFile(p)
			must(t, err)
			must(t, os.WriteFile(dst, b, 0o644))
			if keepTimes {
				fi, err := os.Stat(p)
				must(t, err)
				must(t, os.Chtimes(dst, fi.ModTime(), fi.ModTime()))
			}
			return nil
		}))
	}
	twin := filepath.Join(root, "Twin")
	copyTree(music, twin, true)
	if sum := o.ingest(t, twin); sum.Added != 0 || len(sum.Skipped) != 2 || len(sum.Moved) != 0 ||
		!strings.Contains(sum.Skipped[0].Reason, "move one of the files") {
		t.Fatalf("ingest of a copy beside Music, still there: %+v, want both files skipped as clashes, nothing moved", sum)
	}
	must(t, os.RemoveAll(twin))

	// Music moved to another disk: its tracks follow, IDs kept.
	moved := filepath.Join(root, "NewDisk", "Music")
	must(t, os.MkdirAll(filepath.Dir(moved), 0o755))
	must(t, os.Rename(music, moved))
	sum := o.ingest(t, moved)
	if sum.Added != 0 || sum.Updated != 0 || sum.Unchanged != 2 || sum.Removed != 0 || len(sum.Skipped) != 0 || sum.BlobsRemoved != 0 {
		t.Fatalf("ingest of the moved library: %+v, want 2 unchanged, nothing added, skipped or deleted", sum)
	}
	if len(sum.Moved) != 1 || sum.Moved[0].From != music || sum.Moved[0].Tracks != 2 {
		t.Errorf("moved: %+v, want 2 tracks from %s", sum.Moved, music)
	}
	after := catalogPaths(t, o)
	for _, f := range []string{"x/keep.mp3", "x/gone.mp3"} {
		if id := before[filepath.Join(music, f)]; after[filepath.Join(moved, f)] != id {
			t.Errorf("%s: ID %q after the move, want %s (%v)", f, after[filepath.Join(moved, f)], id, after)
		}
	}
	if len(after) != 2 {
		t.Errorf("catalog after the move: %v, want the 2 tracks under %s", after, moved)
	}
	if sum := o.ingest(t, moved); sum.Unchanged != 2 || len(sum.Moved) != 0 || len(sum.Skipped) != 0 {
		t.Errorf("ingest of the moved library again: %+v, want 2 unchanged", sum)
	}
	if e == sqliteEngine {
		checkBlobs(t, o.data, true)
	}

	// Moved again by a copy that took new times: skipped, with what to do.
	again := filepath.Join(root, "Third")
	copyTree(moved, again, false)
	must(t, os.RemoveAll(filepath.Join(root, "NewDisk")))
	sum = o.ingest(t, again)
	if sum.Added != 0 || len(sum.Skipped) != 2 || len(sum.Moved) != 0 {
		t.Fatalf("ingest of a copy with new times, its old folder gone: %+v, want both skipped", sum)
	}
	for _, s := range sum.Skipped {
		if !strings.Contains(s.Reason, "not there any more") || !strings.Contains(s.Reason, "segue origin remove --folder "+moved) {
			t.Errorf("skipped %s: %q, want it to say %s is not there and to run segue origin remove --folder %s", s.Path, s.Reason, moved, moved)
		}
	}
}
