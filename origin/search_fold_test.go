package origin

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"segue/catalog"
	"segue/sqlite"
)

// spellingWorld is a catalog of titles whose spellings vary: Japanese kana
// with voiced marks, punctuation inside words, symbols, emoji.
func spellingWorld(t *testing.T, e engine) *fixture {
	f := newFixtureOn(t, e)
	add := f.titledAlbum
	add("ヨアソビ", "ザ・ブック", "夜に駆ける", "ハルジオン")
	add("Sigur Ro\u0301s", "A\u0301gætis Byrjun", "Svefn-g-englar") // NFD, as macOS writes tags
	add("AC/DC", "Back in Black", "You Shook Me All Night Long")
	add("R.E.M.", "Automatic for the People", "Don't Go Back to Rockville")
	add("Die Ärzte", "Straße", "Hold Up")
	add("Pink Floyd", "Ｄａｒｋ Ｓｉｄｅ", "Love ❤️ you", "♥", "🦄🌈")
	return f
}

// titledAlbum adds an album of 2020 by artist holding tracks of titles,
// in order, with the artist and album added too.
func (f *fixture) titledAlbum(artist, album string, titles ...string) {
	ar := f.artist(artist)
	al := f.album(ar, artist, album, 2020, nil)
	for i, title := range titles {
		f.track(ar, artist, al, album, title, 1, i+1, seg(title, 100))
	}
}

// Issue 10, acceptance 4: every spelling of a word finds it. Each case
// names the tracks, albums and artists the query must find (at least).
func TestSearchFindsEverySpelling(t *testing.T) { forEachEngine(t, testSearchFindsEverySpelling) }

func testSearchFindsEverySpelling(t *testing.T, e engine) {
	f := spellingWorld(t, e)
	srv := startServer(t, f.serverOptions(), "127.0.0.1:0")
	for _, c := range []struct {
		q                      string
		track, album, artist   string
		noTracks, onlyOneTrack bool
	}{
		{q: "ヨアソビ", artist: "ヨアソビ", track: "夜に駆ける"},
		{q: "ヨアソヒ\u3099", artist: "ヨアソビ"},                // NFD
		{q: "ﾖｱｿﾋﾞ", artist: "ヨアソビ"},                     // half-width
		{q: "ヨアソヒ゛", artist: "ヨアソビ"},                     // spacing voiced mark
		{q: "よあそび", artist: "ヨアソビ"},                      // hiragana
		{q: "ヨアソ", artist: "ヨアソビ"},                       // prefix, as today
		{q: "ザ・ブック", album: "ザ・ブック", track: "夜に駆ける"},     // punctuation inside a word
		{q: "ザブック", album: "ザ・ブック"},                      // and without it
		{q: "ブック", album: "ザ・ブック"},                       // a part of it
		{q: "夜に駆ける", track: "夜に駆ける", onlyOneTrack: true}, // the whole title
		{q: "夜", track: "夜に駆ける"},
		{q: "sigur ros", artist: "Sigur Ro\u0301s", track: "Svefn-g-englar"},
		{q: "Sigur Rós", artist: "Sigur Ro\u0301s"}, // NFC finds NFD
		{q: "agætis", album: "A\u0301gætis Byrjun"},
		{q: "svefn g englar", track: "Svefn-g-englar"},
		{q: "svefngenglar", track: "Svefn-g-englar"},
		{q: "acdc", artist: "AC/DC"},
		{q: "ac dc", artist: "AC/DC"},
		{q: "AC/", artist: "AC/DC"},
		{q: "(AC/DC)", artist: "AC/DC"},
		{q: "rem", artist: "R.E.M."},
		{q: "R.E.M", artist: "R.E.M."},
		{q: "dont go", track: "Don't Go Back to Rockville"},
		{q: "don't", track: "Don't Go Back to Rockville"},
		{q: "hold-up", track: "Hold Up"},
		{q: "STRASSE", album: "Straße"},
		{q: "ärzte", artist: "Die Ärzte"},
		{q: "arzte", artist: "Die Ärzte"},
		{q: "dark side", album: "Ｄａｒｋ Ｓｉｄｅ"}, // full-width letters
		{q: "❤", track: "Love ❤️ you"},
		{q: "love ❤️", track: "Love ❤️ you"},
		{q: "♥", track: "♥", onlyOneTrack: true},
		{q: "♥️", track: "♥", onlyOneTrack: true},
		{q: "🦄🌈", track: "🦄🌈"},
		{q: "🦄", track: "🦄🌈"},
		{q: "🎵 floyd", artist: "Pink Floyd"}, // an emoji no title holds does not hide the rest
		{q: "ヨアソビ floyd", noTracks: true},
	} {
		res := searchHTTP(t, srv.base, c.q)
		tr, al, ar := titles(res)
		switch {
		case c.track != "" && (len(tr) == 0 || tr[0] != c.track):
			t.Errorf("search %q: tracks %q; want %q first", c.q, tr, c.track)
		case c.onlyOneTrack && len(tr) != 1:
			t.Errorf("search %q: tracks %q; want only %q", c.q, tr, c.track)
		case c.noTracks && len(tr)+len(al)+len(ar) != 0:
			t.Errorf("search %q: %q %q %q; want nothing", c.q, tr, al, ar)
		case c.album != "" && (len(al) == 0 || al[0] != c.album):
			t.Errorf("search %q: albums %q; want %q first", c.q, al, c.album)
		case c.artist != "" && (len(ar) == 0 || ar[0] != c.artist):
			t.Errorf("search %q: artists %q; want %q first", c.q, ar, c.artist)
		}
	}
}

// Issue 10, acceptance 4 (ranking at scale): on 50,000 tracks where one
// word matches every track, album and artist, each kind still answers, and
// the best matches (a title equal to the query, a title holding it, as a
// whole word) come first although they are the last rows of the index.
func TestSearchRankingAtScale(t *testing.T) { forEachEngine(t, testSearchRankingAtScale) }

func testSearchRankingAtScale(t *testing.T, e engine) {
	f := newFixtureOn(t, e)
	const tracks, albums, artists = 50_000, 5_000, 500
	err := catalogTx(t.Context(), f.db, func(tx *sql.Tx) (err error) {
		exec := func(q string, args ...any) {
			if err == nil {
				_, err = tx.Exec(q, args...)
			}
		}
		for i := range artists {
			exec(`INSERT INTO artists(rowid, id, name) VALUES (?, ?, ?)`, i+1, fmt.Sprintf("ar%d", i), fmt.Sprintf("Echo Artist %d", i))
			exec(`INSERT INTO search(rowid, kind, ref_id, title, artist, album) VALUES (?, 'ar', ?, ?, ?, '')`,
				(i+1)*4+3, fmt.Sprintf("ar%d", i), fmt.Sprintf("Echo Artist %d", i), fmt.Sprintf("Echo Artist %d", i))
		}
		for i := range albums {
			exec(`INSERT INTO albums(rowid, id, title, artist_id) VALUES (?, ?, ?, ?)`, i+1, fmt.Sprintf("al%d", i), fmt.Sprintf("Echo Album %d", i), fmt.Sprintf("ar%d", i%artists))
			exec(`INSERT INTO search(rowid, kind, ref_id, title, artist, album) VALUES (?, 'al', ?, ?, ?, ?)`,
				(i+1)*4+2, fmt.Sprintf("al%d", i), fmt.Sprintf("Echo Album %d", i), fmt.Sprintf("Echo Artist %d", i%artists), fmt.Sprintf("Echo Album %d", i))
		}
		for i := range tracks {
			ar, al := i%artists, i%albums
			exec(`INSERT INTO tracks(rowid, id, path, title, artist_id, album_id, duration_ms, file_size, file_mtime, manifest)
				VALUES (?, ?, ?, ?, ?, ?, 1, 1, 1, '{}')`, i+1, fmt.Sprintf("t%d", i), fmt.Sprint(i), fmt.Sprintf("Echo Song %d", i), fmt.Sprintf("ar%d", ar), fmt.Sprintf("al%d", al))
			exec(`INSERT INTO search(rowid, kind, ref_id, title, artist, album) VALUES (?, 't', ?, ?, ?, ?)`,
				(i+1)*4+1, fmt.Sprintf("t%d", i), fmt.Sprintf("Echo Song %d", i), fmt.Sprintf("Echo Artist %d", ar), fmt.Sprintf("Echo Album %d", al))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The best matches are written last: the end of the index.
	f.n = tracks
	ar := f.artist("Echo")
	al := f.album(ar, "Echo", "Echo", 2020, nil)
	f.track(ar, "Echo", al, "Echo", "Echo", 1, 1, seg("echo", 100))
	f.track(ar, "Echo", al, "Echo", "Echoes", 1, 2, seg("echoes", 100))
	f.track(ar, "Echo", al, "Echo", "Artist Anthem", 1, 3, seg("anthem", 100))
	f.track(ar, "Echo", al, "Echo", "Ech Lullaby", 1, 4, seg("lullaby", 100))
	res, err := NewReader(f.db).Search(t.Context(), "echo", catalog.MaxSearchLimit)
	if err != nil {
		t.Fatal(err)
	}
	tr, als, ars := titles(res)
	if len(tr) != catalog.MaxSearchLimit || len(als) != catalog.MaxSearchLimit || len(ars) != catalog.MaxSearchLimit {
		t.Fatalf("echo: %d tracks, %d albums, %d artists; want %d of each", len(tr), len(als), len(ars), catalog.MaxSearchLimit)
	}
	if tr[0] != "Echo" || als[0] != "Echo" || ars[0] != "Echo" {
		t.Errorf("echo: first track %q, album %q, artist %q; want Echo for each", tr[0], als[0], ars[0])
	}
	// The default page too, and a word that prefixes the title equal to it.
	res, _ = NewReader(f.db).Search(t.Context(), "echo", 0)
	if tr, _, _ := titles(res); len(tr) != DefaultSearchLimit || tr[0] != "Echo" {
		t.Errorf("echo, default limit: %d tracks, first %q; want %d, Echo", len(tr), tr[0], DefaultSearchLimit)
	}
	// A title hit ranks above the 50,000 hits in the artist column.
	res, _ = NewReader(f.db).Search(t.Context(), "artist", 5)
	if tr, _, _ := titles(res); len(tr) != 5 || tr[0] != "Artist Anthem" {
		t.Errorf("artist: %q; want Artist Anthem first of 5", tr)
	}
	// A whole word ranks above the 50,000 titles it prefixes.
	res, _ = NewReader(f.db).Search(t.Context(), "ech", 5)
	if tr, _, _ := titles(res); len(tr) != 5 || tr[0] != "Ech Lullaby" {
		t.Errorf("ech: %q; want Ech Lullaby first of 5", tr)
	}
	res, _ = NewReader(f.db).Search(t.Context(), "echoes", 5)
	if tr, _, _ := titles(res); !slices.Equal(tr, []string{"Echoes"}) {
		t.Errorf("echoes: %q; want [Echoes]", tr)
	}
}

// Issue 10, acceptance 4 and 8: a catalog written by schema 3 (FTS5 over
// the raw text) upgrades in place; its rows are folded and found.
func TestSearchMigrationRebuildsIndex(t *testing.T) {
	dir := t.TempDir()
	db, err := sqlite.Open(filepath.Join(dir, CatalogFile), sqlite.Options{}, migrations[:3])
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO artists(rowid, id, name) VALUES (1, 'ar1', 'ヨアソビ')`,
		`INSERT INTO albums(rowid, id, title, artist_id) VALUES (1, 'al1', 'ザ・ブック', 'ar1')`,
		`INSERT INTO tracks(rowid, id, path, title, artist_id, album_id, duration_ms, file_size, file_mtime, manifest)
			VALUES (1, 't1', 'a.flac', '夜に駆ける', 'ar1', 'al1', 1, 1, 1, '{}')`,
		`INSERT INTO search(rowid, kind, ref_id, title, artist, album) VALUES (7, 'ar', 'ar1', 'ヨアソビ', 'ヨアソビ', '')`,
		`INSERT INTO search(rowid, kind, ref_id, title, artist, album) VALUES (6, 'al', 'al1', 'ザ・ブック', 'ヨアソビ', 'ザ・ブック')`,
		`INSERT INTO search(rowid, kind, ref_id, title, artist, album) VALUES (5, 't', 't1', '夜に駆ける', 'ヨアソビ', 'ザ・ブック')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	if db, err = OpenCatalog(dir); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := NewReader(db).Search(t.Context(), "ヨアソビ ザ・ブック", 5)
	if err != nil {
		t.Fatal(err)
	}
	if tr, al, _ := titles(res); !slices.Equal(tr, []string{"夜に駆ける"}) || !slices.Equal(al, []string{"ザ・ブック"}) {
		t.Fatalf("after upgrade: tracks %q albums %q", tr, al)
	}
	// Writers keep using the search table: a delete leaves no row behind.
	if _, err := db.Exec(`DELETE FROM search WHERE rowid = 5`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM search_fts`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("search_fts holds %d rows after a delete (%v); want 2", n, err)
	}
}

// FuzzSearchFindsTitle is the property of issue 10: for any title, a
// search for it, in any of its normal forms, finds the track.
func FuzzSearchFindsTitle(f *testing.F) {
	for _, s := range []string{"ヨアソビ", "ザ・ブック", "夜に駆ける", "Beyoncé", "Sigur Ro\u0301s", "AC/DC", "R.E.M.", "Don't",
		"❤️", "👨‍👩‍👧", "C++", "Straße", "ﾖｱｿﾋﾞ", "İstanbul", "ǅungla", "ﬁn", "Ⅻ", "a b c d e f g h i j k l m n o p", "x\u0345", "$"} {
		f.Add(s)
	}
	w := newWorld(f)
	rd := NewReader(w.db)
	f.Fuzz(func(t *testing.T, title string) {
		if !utf8.ValidString(title) || len(catalog.SearchWords(title)) == 0 || len(title) > MaxQueryBytes/2 {
			return // not text, nothing to search for, or too long a query
		}
		w.n++
		id := fmt.Sprintf("tfuzz%d", w.n)
		exec := func(q string, args ...any) {
			if _, err := w.db.Exec(q, args...); err != nil {
				t.Fatal(err)
			}
		}
		exec(`INSERT INTO tracks(rowid, id, path, title, artist_id, album_id, duration_ms, file_size, file_mtime, manifest)
			VALUES (?, ?, ?, ?, ?, ?, 1, 1, 1, '{}')`, w.n, id, id, title, w.beyonce, w.lemonade)
		exec(`INSERT INTO search(rowid, kind, ref_id, title, artist, album) VALUES (?, 't', ?, ?, 'Beyoncé', 'Lemonade')`, w.n*4+1, id, title)
		defer exec(`DELETE FROM tracks WHERE id = ?`, id)
		defer exec(`DELETE FROM search WHERE rowid = ?`, w.n*4+1)
		for _, q := range []string{title, norm.NFC.String(title), norm.NFD.String(title), norm.NFKC.String(title), norm.NFKD.String(title)} {
			res, err := rd.Search(t.Context(), q, catalog.MaxSearchLimit)
			if err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
			if !slices.ContainsFunc(res.Tracks, func(x catalog.Track) bool { return x.ID == id }) {
				t.Fatalf("search %q did not find the track titled %q", q, title)
			}
		}
	})
}
