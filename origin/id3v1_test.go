package origin

import (
	"os"
	"slices"
	"testing"
)

// appendID3v1 appends an ID3v1 tag to the MP3 at path, its text fields
// written as the given bytes (Latin-1, as ID3v1 has it).
func appendID3v1(t *testing.T, path, title, artist, album string) {
	t.Helper()
	tag := make([]byte, 128)
	copy(tag, "TAG")
	copy(tag[3:33], title)
	copy(tag[33:63], artist)
	copy(tag[63:93], album)
	copy(tag[93:97], "1999")
	tag[127] = 255 // no genre
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	must(t, err)
	defer f.Close()
	_, err = f.Write(tag)
	must(t, err)
}

// TestIngestReadsID3v1AsLatin1: an old MP3 tagged only with ID3v1, whose
// text is Latin-1, showed each accented letter as "�" ("Café" read
// "Caf�") in every listing, and search could not find it by the word.
// Now its text is read as Latin-1; text an ID3v2 frame gave that is not
// UTF-8 stays "�", and a catalog filled by an older segue is mended by the
// next ingest without the file changing.
func TestIngestReadsID3v1AsLatin1(t *testing.T) {
	needFFmpeg(t)
	lib, data := t.TempDir(), t.TempDir()
	old := writeSource(t, lib, source{name: "Old/v1.mp3", root: 220, seconds: 2,
		args: []string{"-id3v2_version", "0", "-map_metadata", "-1"}})
	appendID3v1(t, old, "Caf\xe9 \xd6l\xe9   ", "M\xf6tley Cr\xfce", "\xc9t\xe9")
	// An ID3v2 title that is not UTF-8, beside an ID3v1 tag of other text.
	v2 := writeSource(t, lib, source{name: "New/v2.mp3", root: 330, seconds: 2,
		tags: map[string]string{"title": "Na\xefve", "artist": "Band", "album": "New"}})
	appendID3v1(t, v2, "Something else", "Band", "New")

	ingest(t, lib, data)
	db := openTestCatalog(t, data)
	row := func(path string) []string {
		t.Helper()
		var title, artist, album string
		must(t, db.QueryRow(`SELECT t.title, ar.name, al.title FROM tracks t JOIN artists ar ON ar.id = t.artist_id
			JOIN albums al ON al.id = t.album_id WHERE t.path = ?`, path).Scan(&title, &artist, &album))
		return []string{title, artist, album}
	}
	if got, want := row("Old/v1.mp3"), []string{"Café Ölé", "Mötley Crüe", "Été"}; !slices.Equal(got, want) {
		t.Errorf("ID3v1-only file: title, artist, album %q; want %q", got, want)
	}
	if got := row("New/v2.mp3")[0]; got != "Na\uFFFDve" {
		t.Errorf("ID3v2 title that is not UTF-8: %q, want %q (one U+FFFD for the byte)", got, "Na\uFFFDve")
	}
	hits, err := NewReader(db).Search(t.Context(), "cafe olé", 10)
	must(t, err)
	if len(hits.Tracks) != 1 || hits.Tracks[0].Title != "Café Ölé" {
		t.Errorf("search \"cafe olé\": %+v, want the ID3v1 track", hits.Tracks)
	}

	// A row an older segue read ("Caf�", tags version 4) is read again.
	_, err = db.Exec(`UPDATE tracks SET title = 'Caf' || char(65533) || ' ' || char(65533) || 'l' || char(65533), tags_version = 4 WHERE path = 'Old/v1.mp3'`)
	must(t, err)
	sum := ingest(t, lib, data)
	if sum.Unchanged != 2 {
		t.Errorf("ingest again: %+v, want both files unchanged (their tags read again only)", sum)
	}
	if got := row("Old/v1.mp3")[0]; got != "Café Ölé" {
		t.Errorf("title of a row an older segue read, after the next ingest: %q, want Café Ölé", got)
	}
}
