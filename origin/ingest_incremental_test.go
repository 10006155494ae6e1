package origin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"segue/origin/blobs"
)

// trackIDs maps path -> track ID, and the blob hashes each track references.
func trackIDs(t testing.TB, data string) (map[string]string, map[string][]string) {
	t.Helper()
	db := openTestCatalog(t, data)
	ids, hashes := map[string]string{}, map[string][]string{}
	rows, err := db.Query(`SELECT t.path, t.id, s.hash FROM tracks t JOIN segments s ON s.track_id = t.id`)
	must(t, err)
	defer rows.Close()
	for rows.Next() {
		var p, id, h string
		must(t, rows.Scan(&p, &id, &h))
		ids[p] = id
		hashes[p] = append(hashes[p], h)
	}
	return ids, hashes
}

// Acceptance 7: an unchanged library encodes nothing and keeps every ID; a
// changed or touched file is re-encoded under the same ID; a removed file
// disappears with its blobs.
func TestIngestIncremental(t *testing.T) {
	needFFmpeg(t)
	lib, data := t.TempDir(), t.TempDir()
	for i, name := range []string{"x/keep.flac", "x/change.flac", "x/touch.wav", "y/gone.mp3"} {
		writeSource(t, lib, source{name: name, root: 200 + 50*float64(i), seconds: 3,
			tags: map[string]string{"artist": "Ärzte", "album": name[:1]}})
	}
	first := ingest(t, lib, data)
	if first.Added != 4 {
		t.Fatalf("first ingest %+v", first)
	}
	ids, hashes := trackIDs(t, data)

	again := ingest(t, lib, data)
	if again.Added+again.Updated+again.Removed != 0 || again.Unchanged != 4 || again.AudioSeconds != 0 || again.BlobsRemoved != 0 {
		t.Errorf("unchanged library: %+v, want 4 unchanged and nothing encoded", again)
	}
	if ids2, _ := trackIDs(t, data); !sameMap(ids, ids2) {
		t.Errorf("IDs changed on re-ingest: %v -> %v", ids, ids2)
	}

	writeSource(t, lib, source{name: "x/change.flac", root: 500, seconds: 3.5, tags: map[string]string{"artist": "Ärzte", "album": "x", "title": "Changed"}})
	future := time.Now().Add(time.Hour)
	must(t, os.Chtimes(filepath.Join(lib, "x/touch.wav"), future, future))
	must(t, os.Remove(filepath.Join(lib, "y/gone.mp3")))
	third := ingest(t, lib, data)
	if third.Added != 0 || third.Updated != 2 || third.Unchanged != 1 || third.Removed != 1 || third.BlobsRemoved == 0 {
		t.Errorf("after change, touch, remove: %+v", third)
	}
	ids3, hashes3 := trackIDs(t, data)
	for _, p := range []string{"x/keep.flac", "x/change.flac", "x/touch.wav"} {
		if ids3[p] != ids[p] {
			t.Errorf("%s: ID %s became %s", p, ids[p], ids3[p])
		}
	}
	if _, ok := ids3["y/gone.mp3"]; ok {
		t.Error("removed file still catalogued")
	}
	if sameSlice(hashes["x/change.flac"], hashes3["x/change.flac"]) {
		t.Error("changed file kept its old segments")
	}
	if !sameSlice(hashes["x/touch.wav"], hashes3["x/touch.wav"]) {
		t.Error("touched file with the same audio got different segments")
	}
	store := blobs.FS{Dir: filepath.Join(data, BlobDir)}
	for _, h := range append(hashes["y/gone.mp3"], hashes["x/change.flac"]...) {
		p, _ := store.Path(h)
		if _, err := os.Stat(p); err == nil {
			t.Errorf("blob %s of a removed or replaced track survived GC", h)
		}
	}
	db := openTestCatalog(t, data)
	var albums int
	must(t, db.QueryRow(`SELECT count(*) FROM albums WHERE title = 'y'`).Scan(&albums))
	if albums != 0 {
		t.Error("album of the removed track not pruned")
	}
	var title string
	must(t, db.QueryRow(`SELECT title FROM search WHERE kind = 't' AND ref_id = ?`, ids["x/change.flac"]).Scan(&title))
	if title != "Changed" {
		t.Errorf("search row of the changed track says %q", title)
	}
	checkSearchRows(t, db)
	checkBlobs(t, data, true)
}

// A file that changes into one ingest cannot read (a copy or tag edit
// under way, a damaged disk) is skipped, and its track stays as it was
// ingested, ID, segments and all, where it was removed with its segments
// (README: ingest removes only the tracks whose files disappeared). Once
// the file is good again the next run updates the track.
func TestIngestKeepsTrackOfUnreadableFile(t *testing.T) {
	needFFmpeg(t)
	lib, data := t.TempDir(), t.TempDir()
	song := writeSource(t, lib, source{name: "a/song.flac", root: 300, seconds: 3})
	writeSource(t, lib, source{name: "a/other.flac", root: 400, seconds: 3})
	if sum := ingest(t, lib, data); sum.Added != 2 {
		t.Fatalf("first ingest: %+v", sum)
	}
	ids, hashes := trackIDs(t, data)

	must(t, os.WriteFile(song, []byte("not audio at all, half copied"), 0o644))
	sum := ingest(t, lib, data)
	if sum.Removed != 0 || sum.Unchanged != 1 || len(sum.Skipped) != 1 || sum.Skipped[0].Path != "a/song.flac" ||
		!strings.HasSuffix(sum.Skipped[0].Reason, KeptReason) {
		t.Fatalf("ingest with a/song.flac unreadable: %+v, want it skipped (saying its track stays) and nothing removed", sum)
	}
	ids2, hashes2 := trackIDs(t, data)
	if !sameMap(ids, ids2) || !sameSlice(hashes["a/song.flac"], hashes2["a/song.flac"]) {
		t.Errorf("tracks after the unreadable ingest %v, want %v with the same segments", ids2, ids)
	}
	checkBlobs(t, data, true)

	writeSource(t, lib, source{name: "a/song.flac", root: 350, seconds: 3})
	if sum := ingest(t, lib, data); sum.Updated != 1 || len(sum.Skipped) != 0 {
		t.Errorf("ingest with a/song.flac good again: %+v, want it updated", sum)
	}
	if ids3, _ := trackIDs(t, data); ids3["a/song.flac"] != ids["a/song.flac"] {
		t.Errorf("a/song.flac's ID %s became %s", ids["a/song.flac"], ids3["a/song.flac"])
	}
}

// A file renamed inside the library (a tagger's new file name) comes back
// under a new ID, its path's; the playlists and plays that named the old
// one name the new one (they lost the track: the old ID was gone for good).
func TestIngestRenamedFileKeepsItsPlaylists(t *testing.T) {
	needFFmpeg(t)
	lib, data := t.TempDir(), t.TempDir()
	song := writeSource(t, lib, source{name: "a/02 zwei.flac", root: 300, seconds: 3})
	writeSource(t, lib, source{name: "a/01 eins.flac", root: 400, seconds: 3})
	ingest(t, lib, data)
	ids, _ := trackIDs(t, data)
	db := openTestCatalog(t, data)
	p := NewPlaylists(db)
	pl, err := p.Create(context.Background(), LocalOwner, "mix")
	must(t, err)
	_, err = p.Add(context.Background(), LocalOwner, pl.ID, []string{ids["a/02 zwei.flac"], ids["a/01 eins.flac"]}, -1)
	must(t, err)

	// a Subsonic app's rating, bookmark and saved play queue of the file
	zwei, eins := ids["a/02 zwei.flac"], ids["a/01 eins.flac"]
	for _, q := range []string{
		`INSERT INTO ratings (owner, item_id, rating, rated_at) VALUES ('u1', '` + zwei + `', 4, 1)`,
		`INSERT INTO bookmarks (owner, track_id, position_ms, created_at, changed_at) VALUES ('u1', '` + zwei + `', 5000, 1, 1)`,
		`INSERT INTO play_queues (owner, track_ids, current_id, changed_at) VALUES ('u1', '` + zwei + ` ` + eins + ` ` + zwei + `', '` + zwei + `', 1)`,
	} {
		_, err := db.Exec(q)
		must(t, err)
	}

	must(t, os.Rename(song, filepath.Join(lib, "a", "02 - Zwei.flac")))
	if sum := ingest(t, lib, data); sum.Added != 1 || sum.Removed != 1 {
		t.Fatalf("ingest after the rename: %+v, want 1 added, 1 removed", sum)
	}
	ids2, _ := trackIDs(t, data)
	got, err := p.Get(context.Background(), LocalOwner, pl.ID)
	must(t, err)
	if want := []string{ids2["a/02 - Zwei.flac"], ids["a/01 eins.flac"]}; !sameSlice(trackIDsOf(got), want) {
		t.Errorf("playlist after the rename %v, want %v (the renamed file's new ID in its place)", trackIDsOf(got), want)
	}
	now := ids2["a/02 - Zwei.flac"]
	var rated, marked, queue, current string
	must(t, db.QueryRow(`SELECT item_id FROM ratings`).Scan(&rated))
	must(t, db.QueryRow(`SELECT track_id FROM bookmarks`).Scan(&marked))
	must(t, db.QueryRow(`SELECT track_ids, current_id FROM play_queues`).Scan(&queue, &current))
	if want := now + " " + eins + " " + now; rated != now || marked != now || queue != want || current != now {
		t.Errorf("after the rename: rating of %s, bookmark in %s, play queue %q playing %s; want %s in each, queue %q",
			rated, marked, queue, current, now, want)
	}
}

func sameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func sameSlice(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

const childEnv = "SEGUE_TEST_INGEST_CHILD" // "LIB|DATA": run TestIngestChild for real

// TestIngestChild is the process TestIngestKilled kills and ingestRSS
// measures: it ingests, then prints its peak RSS before and after (see
// ingestRSS). On its own it does nothing.
func TestIngestChild(t *testing.T) {
	v := os.Getenv(childEnv)
	if v == "" {
		return
	}
	var lib, data string
	for i := range v {
		if v[i] == '|' {
			lib, data = v[:i], v[i+1:]
		}
	}
	before := maxRSS(t)
	if _, err := Ingest(context.Background(), lib, IngestOptions{DataDir: data, Jobs: 2}); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("%s %d %d\n", rssLine, before, maxRSS(t))
}

// Acceptance 8: kill -9 mid-ingest, ingest again: every track is there,
// every referenced blob exists with its hash, no temp file or orphan blob
// remains.
func TestIngestKilled(t *testing.T) {
	needFFmpeg(t)
	lib, data := t.TempDir(), t.TempDir()
	const n = 6
	for i := 0; i < n; i++ {
		writeSource(t, lib, source{name: filepath.Join("k", string(rune('a'+i))+".flac"), root: 180 + 40*float64(i), seconds: 5})
	}
	exe, err := os.Executable()
	must(t, err)
	cmd := exec.Command(exe, "-test.run=^TestIngestChild$")
	cmd.Env = append(os.Environ(), childEnv+"="+lib+"|"+data)
	must(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	// Kill once blobs of a few tracks are written (usually a track or two are
	// committed by then) but before the run can finish.
	blobDir := filepath.Join(data, BlobDir)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if blobsWritten(blobDir) >= 14 {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("child ingest ended before it could be killed: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("child wrote no blob within 60 s")
		}
		time.Sleep(2 * time.Millisecond) // polling a condition, not waiting for time
	}
	must(t, cmd.Process.Signal(syscall.SIGKILL))
	<-exited

	db := openTestCatalog(t, data)
	var before int
	must(t, db.QueryRow(`SELECT count(*) FROM tracks`).Scan(&before))
	if before == n {
		t.Fatalf("child finished all %d tracks before the kill; the test proves nothing", n)
	}
	checkBlobs(t, data, false) // what a server would see right after the kill
	sum := ingest(t, lib, data)
	if sum.Added+sum.Unchanged != n || len(sum.Skipped) != 0 {
		t.Errorf("re-ingest after kill: %+v, want %d tracks", sum, n)
	}
	t.Logf("killed with %d of %d tracks committed; re-ingest %+v", before, n, sum)
	checkBlobs(t, data, true)
	checkSearchRows(t, db)
	var noAlbumLoudness int
	must(t, db.QueryRow(`SELECT count(*) FROM tracks WHERE json_extract(manifest, '$.loudness.album_lufs') IS NULL`).Scan(&noAlbumLoudness))
	if noAlbumLoudness != 0 {
		t.Errorf("%d tracks without album loudness after recovery", noAlbumLoudness)
	}
}

func blobsWritten(dir string) int {
	n := 0
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() && len(e.Name()) == 2 {
			sub, _ := os.ReadDir(filepath.Join(dir, e.Name()))
			n += len(sub)
		}
	}
	return n
}

// The ingest lock: held by another ingest it is ErrIngestBusy (after
// lockGrace); released within lockGrace, as a killed ingest's lock is once
// the child it was starting has exec'd, the ingest goes on.
func TestIngestLockBusyAndGrace(t *testing.T) {
	lib, data := t.TempDir(), t.TempDir()
	hold := func() *os.File {
		lf, err := os.OpenFile(filepath.Join(data, "ingest.lock"), os.O_CREATE|os.O_RDWR, 0o644)
		must(t, err)
		must(t, syscall.Flock(int(lf.Fd()), syscall.LOCK_EX|syscall.LOCK_NB))
		return lf
	}
	lf := hold()
	if _, err := Ingest(context.Background(), lib, IngestOptions{DataDir: data}); !errors.Is(err, ErrIngestBusy) {
		t.Fatalf("ingest beside a held lock: %v, want ErrIngestBusy", err)
	}
	time.AfterFunc(lockGrace/4, func() { lf.Close() }) // the holder goes away within the grace
	if _, err := Ingest(context.Background(), lib, IngestOptions{DataDir: data}); err != nil {
		t.Fatalf("ingest after the lock was released within %v: %v", lockGrace, err)
	}
	hold().Close() // and the ingest let go of it
}
