package origin

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"segue/catalog"
	"segue/origin/blobs"
)

// spellingLibrary spells each artist and album in more than one way that
// catalog.NameKey folds together: the first file by path in the minority.
var spellingLibrary = []source{
	tagged("Band/Hits/01.mp3", 220, map[string]string{"title": "One", "artist": "the band", "album": "greatest hits", "track": "1"}),
	tagged("Band/Hits/02.mp3", 247, map[string]string{"title": "Two", "artist": "The Band", "album": "Greatest Hits", "track": "2"}),
	tagged("Band/Hits/03.mp3", 262, map[string]string{"title": "Three", "artist": "The Band", "album": "Greatest Hits", "track": "3"}),
	tagged("Band/Hits/04.mp3", 294, map[string]string{"title": "Four", "artist": "THE  BAND", "album": "GREATEST HITS", "track": "4"}),
	// A tie: the first track by path wins.
	tagged("Tie/01.mp3", 311, map[string]string{"title": "Gazoline", "artist": "dEUS", "album": "Ideal Crash"}),
	tagged("Tie/02.mp3", 330, map[string]string{"title": "Instant Street", "artist": "Deus", "album": "ideal crash"}),
	// The album artist comes from album_artist tags only.
	tagged("Comp/01.mp3", 349, map[string]string{"title": "Xa", "artist": "Xan", "album_artist": "various friends", "album": "Friends"}),
	tagged("Comp/02.mp3", 370, map[string]string{"title": "Ya", "artist": "Yan", "album_artist": "Various Friends", "album": "Friends"}),
	tagged("Comp/03.mp3", 392, map[string]string{"title": "Za", "artist": "Zan", "album_artist": "Various Friends", "album": "Friends"}),
}

// spellingsShown lists what the catalog shows: the artists' names, each
// album as "title / artist", and the search rows of both.
func spellingsShown(t *testing.T, db *sql.DB) []string {
	t.Helper()
	as, err := NewReader(db).Artists(context.Background())
	must(t, err)
	out := append(artistNames(as), texts(t, db,
		`SELECT al.title || ' / ' || ar.name FROM albums al JOIN artists ar ON ar.id = al.artist_id`,
		`SELECT 'search ' || kind || ': ' || title || ' / ' || artist FROM search WHERE kind IN ('ar', 'al')`)...)
	slices.Sort(out)
	return out
}

// texts is every row of the queries qs, each one text column, sorted.
func texts(t *testing.T, db *sql.DB, qs ...string) []string {
	t.Helper()
	var out []string
	for _, q := range qs {
		rows, err := db.Query(q)
		must(t, err)
		for rows.Next() {
			var s string
			must(t, rows.Scan(&s))
			out = append(out, s)
		}
		must(t, rows.Err())
		rows.Close()
	}
	slices.Sort(out)
	return out
}

// TestIngestSpellingIsTheMostFrequent: an artist or album spelled several
// ways shows the spelling most of its tracks carry (ties: the first track
// by path), whatever order the files were stored in: a whole folder at
// once, its minority spellings first by an earlier ingest (the first
// spelling stored used to stay for good), and after the majority's files
// are gone.
func TestIngestSpellingIsTheMostFrequent(t *testing.T) {
	forEachEngine(t, testIngestSpellingIsTheMostFrequent)
}

func testIngestSpellingIsTheMostFrequent(t *testing.T, e engine) {
	needFFmpeg(t)
	want := []string{
		"Friends / Various Friends", "Greatest Hits / The Band", "Ideal Crash / dEUS",
		"The Band", "Various Friends", "Xan", "Yan", "Zan", "dEUS",
		"search al: Friends / Various Friends", "search al: Greatest Hits / The Band", "search al: Ideal Crash / dEUS",
		"search ar: The Band / The Band", "search ar: Various Friends / Various Friends", "search ar: Xan / Xan",
		"search ar: Yan / Yan", "search ar: Zan / Zan", "search ar: dEUS / dEUS",
	}
	slices.Sort(want)

	lib, o := t.TempDir(), newTarget(t, e)
	writeLibrary(t, lib, spellingLibrary)
	o.ingest(t, lib)
	if got := spellingsShown(t, o.open(t)); !slices.Equal(got, want) {
		t.Errorf("one ingest of the folder shows\n%q\nwant\n%q", got, want)
	}

	// The minority's files first, the rest in a later run.
	lib, o = t.TempDir(), newTarget(t, e)
	first := []source{spellingLibrary[0], spellingLibrary[5], spellingLibrary[6]}
	writeLibrary(t, lib, first)
	o.ingest(t, lib)
	for _, s := range spellingLibrary {
		if !slices.ContainsFunc(first, func(f source) bool { return f.name == s.name }) {
			writeSource(t, lib, s)
		}
	}
	o.ingest(t, lib)
	db := o.open(t)
	if got := spellingsShown(t, db); !slices.Equal(got, want) {
		t.Errorf("the minority's files ingested first, then the rest, show\n%q\nwant\n%q", got, want)
	}
	checkSearchRows(t, db)

	// The majority's files go: the spelling left on the tracks shows.
	for _, name := range []string{"Band/Hits/02.mp3", "Band/Hits/03.mp3", "Band/Hits/04.mp3", "Tie/01.mp3"} {
		must(t, os.Remove(filepath.Join(lib, name)))
	}
	o.ingest(t, lib)
	want = []string{
		"Friends / Various Friends", "greatest hits / the band", "ideal crash / Deus",
		"the band", "Various Friends", "Xan", "Yan", "Zan", "Deus",
		"search al: Friends / Various Friends", "search al: greatest hits / the band", "search al: ideal crash / Deus",
		"search ar: the band / the band", "search ar: Various Friends / Various Friends", "search ar: Xan / Xan",
		"search ar: Yan / Yan", "search ar: Zan / Zan", "search ar: Deus / Deus",
	}
	slices.Sort(want)
	if got := spellingsShown(t, db); !slices.Equal(got, want) {
		t.Errorf("after the majority's files are removed the catalog shows\n%q\nwant\n%q", got, want)
	}
	checkSearchRows(t, db)
}

// BenchmarkRespellCatalog measures the pass every ingest ends with on a
// catalog of 100,000 tracks (10,000 artists and albums, every tenth track
// spelling its artist and album in lower case) once the names are chosen:
// what an ingest that changed nothing pays for it.
func BenchmarkRespellCatalog(b *testing.B) {
	const tracks, perAlbum = 100_000, 10
	db, err := OpenCatalog(b.TempDir())
	must(b, err)
	defer db.Close()
	ctx := context.Background()
	err = catalogTx(ctx, db, func(tx *sql.Tx) error {
		for i := range tracks {
			al := i / perAlbum
			artist, album := fmt.Sprintf("Artist %d", al), fmt.Sprintf("Album %d", al)
			arID := catalog.NewID(catalog.PrefixArtist, catalog.NameKey(artist))
			alID := catalog.NewID(catalog.PrefixAlbum, catalog.NameKey(artist), catalog.NameKey(album))
			path := fmt.Sprintf("%s/%s/%02d.mp3", artist, album, i%perAlbum)
			artistTag, albumTag := artist, album
			if i%10 == 0 {
				artistTag, albumTag = strings.ToLower(artist), strings.ToLower(album)
			}
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{`INSERT INTO artists (id, name) VALUES (?, ?) ON CONFLICT DO NOTHING`, []any{arID, artistTag}},
				{`INSERT INTO albums (id, title, artist_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, []any{alID, albumTag, arID}},
				{`INSERT INTO tracks (id, path, title, artist_id, album_id, track_no, duration_ms, file_size, file_mtime, manifest,
					album_group, artist_tag, album_tag) VALUES (?, ?, ?, ?, ?, ?, 1000, 1, 1, '{}', ?, ?, ?)`,
					[]any{catalog.NewID(catalog.PrefixTrack, path), path, fmt.Sprintf("Song %d", i), arID, alID, i%perAlbum + 1,
						albumGroup(path, album, artist), artistTag, albumTag}},
			} {
				if _, err := tx.Exec(q.sql, q.args...); err != nil {
					return err
				}
			}
		}
		return nil
	})
	must(b, err)
	must(b, respellCatalog(ctx, db)) // renames the 10,000 artists and albums a lower-case track named first
	var lower int
	must(b, db.QueryRow(`SELECT count(*) FROM artists WHERE name GLOB 'artist *'`).Scan(&lower))
	if lower != 0 {
		b.Fatalf("%d artists keep the lower-case spelling of one track in ten", lower)
	}
	b.ResetTimer()
	for range b.N {
		must(b, respellCatalog(ctx, db))
	}
}

// TestIngestAlbumCoverIsTheFirstTracks: tracks of one album embedding
// different pictures give the album the first track's (by track number),
// whatever order they were stored in (the last one stored used to win),
// and an album whose pictured tracks are gone has none (it kept theirs).
func TestIngestAlbumCoverIsTheFirstTracks(t *testing.T) {
	forEachEngine(t, testIngestAlbumCoverIsTheFirstTracks)
}

func testIngestAlbumCoverIsTheFirstTracks(t *testing.T, e engine) {
	needFFmpeg(t)
	pics := t.TempDir()
	// Track 1 sorts after track 2 by path.
	type pictured struct {
		name, color string
		track       int
	}
	first, second := pictured{"Colours/b.mp3", "red", 1}, pictured{"Colours/a.mp3", "blue", 2}
	write := func(lib string, p pictured) {
		png := filepath.Join(pics, p.color+".png")
		if out, err := execFFmpeg("-f", "lavfi", "-i", "color=c="+p.color+":s=24x24:d=1", "-frames:v", "1", png); err != nil {
			t.Fatalf("make picture: %v\n%s", err, out)
		}
		bare := writeSource(t, t.TempDir(), tagged("bare.mp3", 220+float64(p.track)*20,
			map[string]string{"title": p.color, "artist": "Painter", "album": "Colours", "track": fmt.Sprint(p.track)}))
		must(t, os.MkdirAll(filepath.Join(lib, "Colours"), 0o755))
		if out, err := execFFmpeg("-i", bare, "-i", png, "-map", "0:a", "-map", "1", "-c", "copy",
			"-id3v2_version", "3", "-disposition:v", "attached_pic", filepath.Join(lib, p.name)); err != nil {
			t.Fatalf("embed picture: %v\n%s", err, out)
		}
	}
	write(t.TempDir(), first)
	write(t.TempDir(), second)
	red, blue := picHash(t, filepath.Join(pics, "red.png")), picHash(t, filepath.Join(pics, "blue.png"))
	albumCover := func(db *sql.DB) string {
		t.Helper()
		var h sql.NullString
		must(t, db.QueryRow(`SELECT cover_hash FROM albums WHERE title = 'Colours'`).Scan(&h))
		return h.String
	}
	names := map[string]string{red: "track 1's red", blue: "track 2's blue"}

	lib, o := t.TempDir(), newTarget(t, e)
	write(lib, first)
	o.ingest(t, lib)
	write(lib, second)
	o.ingest(t, lib)
	db := o.open(t)
	if got := albumCover(db); got != red {
		t.Errorf("track 1 stored first, then track 2: album cover %s (%s); want track 1's red %s", got, names[got], red)
	}

	lib, o = t.TempDir(), newTarget(t, e)
	write(lib, second)
	o.ingest(t, lib)
	write(lib, first)
	o.ingest(t, lib)
	db = o.open(t)
	if got := albumCover(db); got != red {
		t.Errorf("track 2 stored first, then track 1: album cover %s (%s); want track 1's red %s", got, names[got], red)
	}

	// Track 1 gone, track 2's picture is the album's.
	must(t, os.Remove(filepath.Join(lib, first.name)))
	o.ingest(t, lib)
	if got := albumCover(db); got != blue {
		t.Errorf("track 1 removed: album cover %s (%s); want track 2's blue %s", got, names[got], blue)
	}
	// The blue picture was nobody's album cover until now: kept all along.
	p, err := blobs.FS{Dir: filepath.Join(o.data, BlobDir)}.Path(blue)
	must(t, err)
	if _, err := os.Stat(p); err != nil {
		t.Errorf("the album's cover blob after the garbage collection: %v", err)
	}
	if e == sqliteEngine {
		checkBlobs(t, o.data, true)
	}

	// Only a track without a picture left: the album has no cover (it kept
	// the one of a track no longer on it).
	writeSource(t, lib, tagged("Colours/c.mp3", 300, map[string]string{"title": "plain", "artist": "Painter", "album": "Colours", "track": "3"}))
	must(t, os.Remove(filepath.Join(lib, second.name)))
	o.ingest(t, lib)
	if got := albumCover(db); got != "" {
		t.Errorf("only a track without a picture left: album cover %s (%s); want none", got, names[got])
	}
}

// picHash is the blob key of a picture file: the sha256 of its bytes,
// which ingest copies out of the file it embeds them in.
// TestIngestFolderCoverAddedLater: a cover.jpg put beside an album after
// it was ingested becomes its cover at the next ingest, though no audio
// file changed (the folder was read only when a file was encoded, so the
// album stayed without one; Subsonic apps and the share page showed none).
func TestIngestFolderCoverAddedLater(t *testing.T) {
	needFFmpeg(t)
	lib, data := t.TempDir(), t.TempDir()
	writeLibrary(t, lib, []source{
		tagged("Later/01.mp3", 220, map[string]string{"title": "One", "artist": "Painter", "album": "Later"}),
		tagged("Later/02.mp3", 260, map[string]string{"title": "Two", "artist": "Painter", "album": "Later"}),
	})
	ingest(t, lib, data)
	cover := filepath.Join(lib, "Later", "cover.jpg")
	if out, err := execFFmpeg("-f", "lavfi", "-i", "color=c=green:s=24x24:d=1", "-frames:v", "1", cover); err != nil {
		t.Fatalf("make cover: %v\n%s", err, out)
	}
	if sum := ingest(t, lib, data); sum.Unchanged != 2 || sum.Added+sum.Updated != 0 {
		t.Fatalf("ingest after adding cover.jpg: %+v, want the 2 files unchanged", sum)
	}
	db := openTestCatalog(t, data)
	var h sql.NullString
	must(t, db.QueryRow(`SELECT cover_hash FROM albums WHERE title = 'Later'`).Scan(&h))
	if want := picHash(t, cover); h.String != want {
		t.Errorf("album cover %q after cover.jpg was added; want the folder's %s", h.String, want)
	}
	checkBlobs(t, data, true)
}

func picHash(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	must(t, err)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TestIngestSortTagIsTheMostFrequent: an artist's and an album's sort key
// come from the sort tag most of their tracks carry, whatever order they
// were stored in (the last one stored used to win), and from the name
// once no track carries one.
func TestIngestSortTagIsTheMostFrequent(t *testing.T) {
	forEachEngine(t, testIngestSortTagIsTheMostFrequent)
}

func testIngestSortTagIsTheMostFrequent(t *testing.T, e engine) {
	needFFmpeg(t)
	track := func(name string, root float64, artistSort, albumSort string) source {
		tags := map[string]string{"title": name, "artist": "Beatles", "album": "White Album"}
		if artistSort != "" {
			tags["artist-sort"] = artistSort
		}
		if albumSort != "" {
			tags["album-sort"] = albumSort
		}
		return tagged("Beatles/White/"+name+".mp3", root, tags)
	}
	majority := []source{track("02", 247, "Beatles, The", "White Album, The"), track("03", 262, "Beatles, The", "White Album, The")}
	minority := track("01", 220, "Fab Four", "Beatles (album)")
	sortKeys := func(db *sql.DB) []string {
		t.Helper()
		return texts(t, db, `SELECT name || ': ' || sort_key FROM artists`, `SELECT title || ': ' || sort_key FROM albums`)
	}

	lib, o := t.TempDir(), newTarget(t, e)
	writeLibrary(t, lib, majority)
	o.ingest(t, lib)
	writeSource(t, lib, minority)
	o.ingest(t, lib)
	db := o.open(t)
	if got, want := sortKeys(db), []string{"Beatles: beatles, the", "White Album: white album, the"}; !slices.Equal(got, want) {
		t.Errorf("two tracks saying one sort tag, then one saying another: %q; want %q", got, want)
	}

	for _, s := range majority {
		must(t, os.Remove(filepath.Join(lib, s.name)))
	}
	o.ingest(t, lib)
	if got, want := sortKeys(db), []string{"Beatles: fab four", "White Album: beatles (album)"}; !slices.Equal(got, want) {
		t.Errorf("the two tracks removed: %q; want %q", got, want)
	}

	// A track without sort tags in place of the last one that had them.
	must(t, os.Remove(filepath.Join(lib, minority.name)))
	writeSource(t, lib, track("04", 294, "", ""))
	o.ingest(t, lib)
	if got, want := sortKeys(db), []string{"Beatles: beatles", "White Album: white album"}; !slices.Equal(got, want) {
		t.Errorf("no track with a sort tag left: %q; want %q", got, want)
	}
}
