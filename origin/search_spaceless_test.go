package origin

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// spacelessWorld is a catalog of titles in scripts written without spaces
// between words (Japanese, Chinese, Thai, Korean compounds), beside Latin
// titles whose search must not change.
func spacelessWorld(t *testing.T, e engine) *fixture {
	f := newFixtureOn(t, e)
	add := f.titledAlbum
	add("YOASOBI", "THE BOOK", "夜に駆ける", "ハルジオン", "駆ける")
	add("邓丽君", "淡淡幽情", "月亮代表我的心")
	add("スピッツ", "インディゴ地平線", "チェリー", "夜を駆けるloveソング")
	add("ปาล์มมี่", "ทางผ่าน", "รักเธอทั้งหมดของหัวใจ")
	add("아이유", "꽃갈피", "사랑했지만")
	add("Beyoncé", "Lemonade", "Lovely Day", "Love Drought")
	return f
}

// A word of a script written without spaces is found by any part of it,
// not only from its start: "駆ける" finds "夜に駆ける" as "夜に" does, in
// titles, artists and albums, on both catalogs; Latin words are still
// found from their start only, and the best match comes first.
func TestSearchSpacelessScripts(t *testing.T) { forEachEngine(t, testSearchSpacelessScripts) }

func testSearchSpacelessScripts(t *testing.T, e engine) {
	f := spacelessWorld(t, e)
	checkSpaceless(t, NewReader(f.db))
	// The HTTP API (segue search's and the interface's way in; the
	// Subsonic search2 and search3 call the same Reader.Search) answers so.
	srv := startServer(t, f.serverOptions(), "127.0.0.1:0")
	if tr, _, _ := titles(searchHTTP(t, srv.base, "駆ける")); !sameSet(tr, []string{"駆ける", "夜に駆ける", "夜を駆けるloveソング"}) {
		t.Errorf("GET /api/v1/search?q=駆ける: tracks %q", tr)
	}
}

// spacelessCase is one query of checkSpaceless and what it must find.
type spacelessCase struct {
	q                                string
	firstTrack, firstAlbum, firstArt string   // the first of each kind, when set
	tracks                           []string // exactly these tracks, in any order, when set
	none                             bool     // nothing at all
}

var spacelessCases = []spacelessCase{
	// Japanese: the middle and the end of a title, in either kana.
	{q: "駆ける", firstTrack: "駆ける", tracks: []string{"駆ける", "夜に駆ける", "夜を駆けるloveソング"}},
	{q: "に駆ける", tracks: []string{"夜に駆ける"}},
	{q: "ける", tracks: []string{"駆ける", "夜に駆ける", "夜を駆けるloveソング"}},
	{q: "かける", none: true}, // 駆 is no kana
	{q: "夜に", tracks: []string{"夜に駆ける"}},
	// Katakana, voiced marks folded as everywhere: "ジオン" = "シオン".
	{q: "ジオン", tracks: []string{"ハルジオン"}},
	{q: "じおん", tracks: []string{"ハルジオン"}},
	{q: "ディゴ", firstAlbum: "インディゴ地平線"},
	{q: "地平線", firstAlbum: "インディゴ地平線"},
	{q: "ピッツ", firstArt: "スピッツ"},
	// Chinese.
	{q: "代表", tracks: []string{"月亮代表我的心"}},
	{q: "我的心", tracks: []string{"月亮代表我的心"}},
	{q: "丽君", firstArt: "邓丽君", tracks: []string{"月亮代表我的心"}},
	{q: "幽情", firstAlbum: "淡淡幽情"},
	// One Han character is a word in Chinese: found anywhere.
	{q: "心", tracks: []string{"月亮代表我的心"}},
	{q: "駆", tracks: []string{"駆ける", "夜に駆ける", "夜を駆けるloveソング"}},
	// Thai and Korean.
	{q: "หัวใจ", tracks: []string{"รักเธอทั้งหมดของหัวใจ"}},
	{q: "ผ่าน", firstAlbum: "ทางผ่าน"},
	{q: "했지만", tracks: []string{"사랑했지만"}},
	{q: "갈피", firstAlbum: "꽃갈피"},
	// A Latin word after a spaceless one starts a word; mixed queries AND.
	{q: "love", tracks: []string{"夜を駆けるloveソング", "Lovely Day", "Love Drought"}},
	{q: "ソング", tracks: []string{"夜を駆けるloveソング"}},
	{q: "yoasobi 駆ける", tracks: []string{"駆ける", "夜に駆ける"}},
	// Unchanged: Latin words match from their start only; no substring of
	// a spaceless word that is not in the text.
	{q: "ove", none: true},
	{q: "oasobi", none: true},
	{q: "ely", none: true},
	{q: "駆けろ", none: true},
	{q: "心我", none: true},
}

// checkSpaceless runs spacelessCases over rd.
func checkSpaceless(t *testing.T, rd *Reader) {
	t.Helper()
	for _, c := range spacelessCases {
		res, err := rd.Search(context.Background(), c.q, 0)
		if err != nil {
			t.Errorf("search %q: %v", c.q, err)
			continue
		}
		tr, al, ar := titles(res)
		switch {
		case c.none && len(tr)+len(al)+len(ar) != 0:
			t.Errorf("search %q: %q %q %q; want nothing", c.q, tr, al, ar)
		case c.firstTrack != "" && (len(tr) == 0 || tr[0] != c.firstTrack):
			t.Errorf("search %q: tracks %q; want %q first", c.q, tr, c.firstTrack)
		case c.firstAlbum != "" && (len(al) == 0 || al[0] != c.firstAlbum):
			t.Errorf("search %q: albums %q; want %q first", c.q, al, c.firstAlbum)
		case c.firstArt != "" && (len(ar) == 0 || ar[0] != c.firstArt):
			t.Errorf("search %q: artists %q; want %q first", c.q, ar, c.firstArt)
		case c.tracks != nil && !sameSet(tr, c.tracks):
			t.Errorf("search %q: tracks %q; want %q", c.q, tr, c.tracks)
		}
	}
}

// sameSet reports whether a and b hold the same strings, in any order.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// Every character that folds into a word with inner words is in
// pgSpacelessClass, so PostgreSQL's schema step 19 folds again every row
// that step 23 folds again in SQLite; the class starts at U+0E00, as
// hasInnerWords's shortcut assumes.
func TestSpacelessClassCoversInnerWords(t *testing.T) {
	class := regexp.MustCompile(pgSpacelessClass)
	missed := 0
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r >= 0xd800 && r <= 0xdfff || !unicode.IsPrint(r) {
			continue
		}
		s := string(r)
		for _, text := range []string{"a" + s + s + "a", s + "a"} {
			if strings.Contains(indexText(text, false), innerSep) && !class.MatchString(s) {
				if missed++; missed < 20 {
					t.Errorf("%U %q folds into %q, which has inner words; pgSpacelessClass misses it", r, s, indexText(text, false))
				}
				break
			}
		}
	}
}

// A catalog whose search index was written before inner words (SQLite's
// schema 22, PostgreSQL's 18) is folded again when it is opened: "駆ける"
// finds "夜に駆ける" afterwards, as in a new catalog.
func TestSpacelessSearchAfterUpgrade(t *testing.T) { forEachEngine(t, testSpacelessSearchAfterUpgrade) }

func testSpacelessSearchAfterUpgrade(t *testing.T, e engine) {
	f := spacelessWorld(t, e)
	// Write the index as the old schema wrote it: the folded columns
	// without their inner words, at the old schema version.
	unfold := func(col string) string {
		before, _, _ := strings.Cut(col, innerSep)
		return before
	}
	oldFold := func(title, artist, album string) [3]string {
		return [3]string{unfold(indexText(title, true)), unfold(indexText(artist, false)), unfold(indexText(album, false))}
	}
	type row struct {
		id                   int64
		kind                 string
		title, artist, album string
	}
	var rows []row
	q, err := f.db.Query(`SELECT rowid, kind, title, artist, album FROM search`)
	must(t, err)
	for q.Next() {
		var r row
		must(t, q.Scan(&r.id, &r.kind, &r.title, &r.artist, &r.album))
		rows = append(rows, r)
	}
	must(t, q.Err())
	q.Close()
	for _, r := range rows {
		fo := oldFold(r.title, r.artist, r.album)
		if e == postgresEngine {
			_, err = f.db.Exec(`UPDATE search SET ft = ?, fa = ?, fl = ?, doc = CAST(? AS tsvector) WHERE rowid = ?`,
				fo[0], fo[1], fo[2], tsvectorText(fo), r.id)
		} else {
			rowid := ftsRowid(r.kind, r.id)
			_, err = f.db.Exec(`DELETE FROM search_fts WHERE rowid = ?`, rowid)
			if err == nil {
				_, err = f.db.Exec(`INSERT INTO search_fts (rowid, kind, ref_id, title, artist, album)
					SELECT ?, kind, ref_id, ?, ?, ? FROM search WHERE id = ?`, rowid, fo[0], fo[1], fo[2], r.id)
			}
		}
		must(t, err)
	}
	if e == postgresEngine {
		_, err = f.db.Exec(`DELETE FROM schema_version WHERE version > ?`, len(pgMigrations)-1)
	} else {
		_, err = f.db.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, len(migrations)-1))
	}
	must(t, err)
	// The old index shows the fault.
	res, err := NewReader(f.db).Search(t.Context(), "駆ける", 0)
	must(t, err)
	if tr, _, _ := titles(res); slices.Contains(tr, "夜に駆ける") {
		t.Fatalf("the index as the old schema wrote it finds 夜に駆ける for 駆ける (%q): the test does not make an old index", tr)
	}
	must(t, f.db.Close())

	db, err := OpenCatalogAt(t.Context(), f.catalog, f.dir)
	must(t, err)
	defer db.Close()
	checkSpaceless(t, NewReader(db))
}
