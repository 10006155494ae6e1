package origin

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// TestIngestUntaggedAndBadlyEncodedTags pins down what README says of
// files without tags and tags that are not UTF-8: an untagged file is
// titled after its file name, by Unknown Artist, and the tracks without an
// album tag make one "Unknown Album" per artist, whatever folders they lie
// in; a tag with bytes that are not UTF-8 (Latin-1 in a frame that says
// UTF-8) keeps its other characters, each such byte shown as U+FFFD.
func TestIngestUntaggedAndBadlyEncodedTags(t *testing.T) {
	needFFmpeg(t)
	lib, data := t.TempDir(), t.TempDir()
	writeSource(t, lib, source{name: "a/take one.mp3", root: 220, seconds: 2})
	writeSource(t, lib, source{name: "b/take two.mp3", root: 330, seconds: 2})
	writeSource(t, lib, source{name: "c/solo.mp3", root: 440, seconds: 2, tags: map[string]string{"artist": "Xavier"}})
	if out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=f=550:d=2",
		"-metadata", "title=Caf\xe9 noir", "-metadata", "artist=Beyonc\xe9", "-metadata", "album=Latin",
		filepath.Join(lib, "c", "latin1.mp3")).CombinedOutput(); err != nil {
		t.Fatalf("make latin1.mp3: %v\n%s", err, out)
	}
	ingest(t, lib, data)
	db := openTestCatalog(t, data)
	type row struct{ title, artist, album, albumArtist, albumID string }
	got := map[string]row{}
	rows, err := db.Query(`SELECT t.path, t.title, ar.name, al.title, aa.name, al.id FROM tracks t
		JOIN artists ar ON ar.id = t.artist_id JOIN albums al ON al.id = t.album_id JOIN artists aa ON aa.id = al.artist_id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var p string
		var r row
		must(t, rows.Scan(&p, &r.title, &r.artist, &r.album, &r.albumArtist, &r.albumID))
		got[p] = r
	}
	must(t, rows.Err())
	rows.Close()
	one, two, solo, latin := got["a/take one.mp3"], got["b/take two.mp3"], got["c/solo.mp3"], got["c/latin1.mp3"]
	if one.title != "take one" || one.artist != "Unknown Artist" || one.album != "Unknown Album" || one.albumArtist != "Unknown Artist" ||
		two.title != "take two" || two.albumID != one.albumID {
		t.Errorf("untagged files in two folders: %+v and %+v; want each titled after its file, by Unknown Artist, on one Unknown Album", one, two)
	}
	if solo.album != "Unknown Album" || solo.albumArtist != "Xavier" || solo.albumID == one.albumID {
		t.Errorf("a file with an artist and no album: %+v; want Xavier's own Unknown Album", solo)
	}
	if latin.title != "Caf\ufffd noir" || latin.artist != "Beyonc\ufffd" {
		t.Errorf("Latin-1 bytes in UTF-8 tags: %+v; want Caf\ufffd noir by Beyonc\ufffd", latin)
	}
}
