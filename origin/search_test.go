package origin

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"segue/catalog"
)

func TestExpr(t *testing.T) {
	for _, c := range []struct{ in, mode, want string }{
		{"beyo", "exact", `"beyo"*`},
		{"  Daft   punk ", "exact", `"daft"* AND "punk"*`},
		{`AC/DC`, "exact", `("acdc"* OR ("ac"* AND "dc"*))`},
		{`a"b`, "exact", `("ab"* OR ("a"* AND "b"*))`},
		{`NEAR(x y) OR {title}: ^z *`, "exact", `("nearx"* OR ("near"* AND "x"*)) AND "y"* AND "or"* AND "title"* AND "z"*`},
		{"Jóga beyonce", "exact", `"joga"* AND "beyonce"`},
		{"beyonce", "stem", `"beyon"*`},
		{"beyonce", "prefix", `"beyonce"*`},
		{"--- ***", "exact", ""},
		// A term another implies is left out: the same rows match.
		{"riri rir", "exact", `"riri"*`},
		{"rir riri", "exact", `"riri"*`},
		{"beyonce beyo", "exact", `"beyonce"`},
		{"love love", "word", `"love"`},
		{"lovely love", "word", `"lovely" AND "love"`},
		{"beyonce beyoncé", "exact", `"beyonce"`},
		{"dotane dotanel", "stem", `"dotan"*`},
		{"dotane dotanel", "exact", `"dotane" AND "dotanel"`},
		{"ac acdc AC/DC", "exact", `"acdc"* AND ("acdc"* OR ("ac"* AND "dc"*))`},
	} {
		if got := expr(catalog.SearchWords(c.in), c.mode); got != c.want {
			t.Errorf("expr(%q, %s) = %s; want %s", c.in, c.mode, got, c.want)
		}
	}
}

func searchHTTP(t *testing.T, base, q string) catalog.SearchResult {
	t.Helper()
	var res catalog.SearchResult
	getJSON(t, base+"/api/v1/search?q="+url.QueryEscape(q), 200, &res)
	return res
}

func titles(res catalog.SearchResult) (tracks, albums, artists []string) {
	for _, x := range res.Tracks {
		tracks = append(tracks, x.Title)
	}
	for _, x := range res.Albums {
		albums = append(albums, x.Title)
	}
	for _, x := range res.Artists {
		artists = append(artists, x.Name)
	}
	return
}

// Acceptance 5: prefix, diacritics and case folding, multi-word, and every
// field (title, artist, album), over real HTTP.
func TestSearch(t *testing.T) { forEachEngine(t, testSearch) }

func testSearch(t *testing.T, e engine) {
	w := newWorldOn(t, e)
	r := startServer(t, w.serverOptions(), "127.0.0.1:0")
	for _, c := range []struct {
		q                       string
		tracks, albums, artists []string // exact sets, in any order unless first is given
		firstTrack              string
	}{
		{q: "beyo", tracks: []string{"Formation", "Hold Up", "Pray You Catch Me"}, albums: []string{"Lemonade"}, artists: []string{"Beyoncé"}},
		{q: "BEYONCÉ", tracks: []string{"Formation", "Hold Up", "Pray You Catch Me"}, albums: []string{"Lemonade"}, artists: []string{"Beyoncé"}},
		{q: "beyonce", tracks: []string{"Formation", "Hold Up", "Pray You Catch Me"}, albums: []string{"Lemonade"}, artists: []string{"Beyoncé"}},
		{q: "bjork", tracks: []string{"Jóga"}, albums: []string{"Homogenic"}, artists: []string{"Björk"}},
		{q: "JOGA", tracks: []string{"Jóga"}},
		{q: "forma", tracks: []string{"Formation"}},
		{q: "hold", tracks: []string{"Hold Up"}},
		{q: "lemonade", tracks: []string{"Formation", "Hold Up", "Pray You Catch Me"}, albums: []string{"Lemonade"}},
		{q: "daft luck", tracks: []string{"Get Lucky"}},
		{q: "get lucky", tracks: []string{"Get Lucky"}},
		{q: "random mem", tracks: []string{"Get Lucky", "Touch"}, albums: []string{"Random Access Memories"}},
		{q: "punk touch", tracks: []string{"Touch"}},
		{q: "beyo daft"},
		{q: "zzzz"},
	} {
		res := searchHTTP(t, r.base, c.q)
		tr, al, ar := titles(res)
		for _, s := range [][]string{tr, al, ar, c.tracks, c.albums, c.artists} {
			slices.Sort(s)
		}
		if !slices.Equal(tr, c.tracks) || !slices.Equal(al, c.albums) || !slices.Equal(ar, c.artists) {
			t.Errorf("search %q: tracks %q albums %q artists %q; want %q %q %q", c.q, tr, al, ar, c.tracks, c.albums, c.artists)
		}
		if res.Query != c.q {
			t.Errorf("search %q: query echoed as %q", c.q, res.Query)
		}
	}
	// A title hit ranks above a hit in another field: "touch" is a title.
	res := searchHTTP(t, r.base, "daft")
	if len(res.Artists) != 1 || len(res.Albums) != 1 || len(res.Tracks) != 2 {
		t.Fatalf("daft: %+v", res)
	}
	// Tracks of one album matching equally keep the album's order (disc, track).
	if tr, _, _ := titles(searchHTTP(t, r.base, "lemonade")); !slices.Equal(tr, []string{"Pray You Catch Me", "Hold Up", "Formation"}) {
		t.Errorf("lemonade tracks in order %q, want disc 1 track 1, disc 1 track 2, disc 2 track 1", tr)
	}
	// User input can never be FTS5 syntax: every one of these is a 200.
	for _, q := range []string{`"`, `beyo" OR "`, `NEAR(`, `*`, `-beyo`, `title:beyo`, `{title}: x`, `^beyo`, `beyo AND`, `(`, `'; DROP TABLE tracks; --`, "\x00", "🎵 beyo"} {
		searchHTTP(t, r.base, q)
	}
	if res := searchHTTP(t, r.base, "🎵 beyo"); len(res.Artists) != 1 {
		t.Errorf("emoji plus beyo: %+v", res)
	}

	api := r.base + "/api/v1/search"
	for _, bad := range []string{"", "?q=", "?q=%20%20", "?q=beyo&limit=abc", "?q=beyo&limit=0", "?q=beyo&limit=-3",
		"?q=beyo&limit=1e3", "?q=" + strings.Repeat("a", MaxQueryBytes+1), "?q=%FF%FE"} {
		resp, body := get(t, "GET", api+bad, nil)
		wantError(t, resp, body, 400)
	}
	var res1 catalog.SearchResult
	getJSON(t, api+"?q=a&limit=1", 200, &res1) // "a" prefixes Access, ...
	if len(res1.Tracks) > 1 || len(res1.Albums) > 1 || len(res1.Artists) > 1 {
		t.Errorf("limit=1 returned %d/%d/%d", len(res1.Tracks), len(res1.Albums), len(res1.Artists))
	}
	getJSON(t, api+"?q=a&limit="+itoa(catalog.MaxSearchLimit), 200, &res1)
	// Above the maximum is refused and says so, rather than cut silently.
	resp, body := get(t, "GET", api+"?q=a&limit="+itoa(catalog.MaxSearchLimit+1), nil)
	wantError(t, resp, body, 400)
	if !strings.Contains(string(body), "maximum") || !strings.Contains(string(body), itoa(catalog.MaxSearchLimit)) {
		t.Errorf("limit above the maximum: %s", body)
	}
}

// A long prefix whose stem is frequent still finds its rare completion: the
// stem pass runs out of budget and the exact prefix pass finds it.
func TestSearchLongPrefixBeyondStemBudget(t *testing.T) {
	forEachEngine(t, testSearchLongPrefixBeyondStemBudget)
}

func testSearchLongPrefixBeyondStemBudget(t *testing.T, e engine) {
	f := newFixtureOn(t, e)
	ar := f.artist("Many")
	al := f.album(ar, "Many", "Filler", 2000, nil)
	tx, err := f.db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := range stemBudget + 50 {
		f.n++
		id := catalog.NewID(catalog.PrefixTrack, "filler", itoa(i))
		if _, err := tx.Exec(`INSERT INTO tracks(rowid, id, path, title, artist_id, album_id, duration_ms, file_size, file_mtime, manifest)
			VALUES (?, ?, ?, 'Stand', ?, ?, 1, 1, 1, '{}')`, f.n, id, "p"+itoa(i), ar, al); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(`INSERT INTO search(rowid, kind, ref_id, title, artist, album) VALUES (?, 't', ?, 'Stand', 'Many', 'Filler')`, f.n*4+1, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	f.indexed()
	f.track(ar, "Many", al, "Filler", "Stairway", 1, 1, seg("s", 10))
	res, err := NewReader(f.db).Search(t.Context(), "stai", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tracks) != 1 || res.Tracks[0].Title != "Stairway" {
		t.Fatalf("stai: %d tracks %+v; want Stairway", len(res.Tracks), res.Tracks)
	}
	res, _ = NewReader(f.db).Search(t.Context(), "stan", 5)
	if len(res.Tracks) != 5 {
		t.Fatalf("stan: %d tracks; want 5", len(res.Tracks))
	}
}

// FuzzSearch: whatever is typed, search answers without an FTS5 error.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{"beyo", `"`, `a" OR "b`, "NEAR(a b)", "{title}:x", "*", "^", "-", "AND", "a AND OR", "\x00", "é́́", "🎵"} {
		f.Add(s)
	}
	w := newWorld(f)
	rd := NewReader(w.db)
	f.Fuzz(func(t *testing.T, q string) {
		if _, err := rd.Search(t.Context(), q, 5); err != nil && !errors.Is(err, ErrBadQuery) {
			t.Fatalf("Search(%q): %v", q, err)
		}
	})
}
