package origin

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/text/unicode/norm"

	"segue/catalog"
)

// tagged is a short MP3 source with tags.
func tagged(name string, root float64, tags map[string]string) source {
	return source{name: name, root: root, seconds: 0.5, tags: tags, args: []string{"-c:a", "libmp3lame", "-b:a", "64k"}}
}

// identityLibrary is people's tags as they really are (issue 10): one
// album tagged in NFD on one file and NFC on the other, a folder
// compilation without album artist, a second folder with a compilation of
// the same title, an album over disc folders without disc tags, a
// compilation=1 album of one artist, and a guest on another's album.
var identityLibrary = []source{
	tagged("Sigur Rós/Ágætis Byrjun/01 Svefn.mp3", 220, map[string]string{"title": "Svefn-g-englar", "artist": "Sigur Ro\u0301s", "album": "A\u0301gætis Byrjun", "track": "1"}),
	tagged("Sigur Rós/Ágætis Byrjun/02 Staralfur.mp3", 247, map[string]string{"title": "Sta\u0301ra\u0301lfur", "artist": "Sigur Rós", "album": "Ágætis Byrjun", "track": "2"}),
	tagged("Mix/01.mp3", 262, map[string]string{"title": "Sun", "artist": "Alpha", "album": "Summer Mix", "track": "1", "date": "2020"}),
	quieter(tagged("Mix/02.mp3", 294, map[string]string{"title": "Sea", "artist": "Beta", "album": "Summer Mix", "track": "2", "date": "2020"})),
	tagged("Mix 2/01.mp3", 311, map[string]string{"title": "Sand", "artist": "Alpha", "album": "Summer Mix", "track": "1"}),
	tagged("Mix 2/02.mp3", 330, map[string]string{"title": "Salt", "artist": "Gamma", "album": "Summer Mix", "track": "2"}),
	tagged("Big/CD1/02.mp3", 349, map[string]string{"title": "Second", "artist": "Delta", "album": "Big Album", "track": "2"}),
	tagged("Big/CD1/01.mp3", 370, map[string]string{"title": "Opening", "artist": "Delta", "album": "Big Album", "track": "1"}),
	tagged("Big/Disc 2/01.mp3", 392, map[string]string{"title": "Reprise", "artist": "Delta", "album": "Big Album", "track": "1"}),
	tagged("Tribute/01.mp3", 415, map[string]string{"title": "Cover", "artist": "Epsilon", "album": "Tribute", "compilation": "1"}),
	tagged("Zeta/Live/01.mp3", 440, map[string]string{"title": "Opener", "artist": "Zeta", "album_artist": "Zeta", "album": "Live", "track": "1"}),
	tagged("Zeta/Live/02.mp3", 466, map[string]string{"title": "Guest Spot", "artist": "Beta", "album_artist": "Zeta", "album": "Live", "track": "2"}),
	// Only some tracks of a folder say album_artist: still one album.
	tagged("Zeta/Live/03.mp3", 494, map[string]string{"title": "Encore", "artist": "Beta", "album": "Live", "track": "3"}),
}

// quieter makes s 12 dB quieter, so an album's loudness depends on it.
func quieter(s source) source {
	s.args = append([]string{"-af", "volume=-12dB"}, s.args...)
	return s
}

func writeLibrary(t testing.TB, lib string, srcs []source) {
	for _, s := range srcs {
		writeSource(t, lib, s)
	}
}

// artistByName finds an artist of the list by name, failing when there is
// not exactly one.
func artistByName(t testing.TB, as []catalog.Artist, name string) catalog.Artist {
	t.Helper()
	var found []catalog.Artist
	for _, a := range as {
		if a.Name == name {
			found = append(found, a)
		}
	}
	if len(found) != 1 {
		t.Fatalf("artists named %q: %+v; want one", name, found)
	}
	return found[0]
}

func artistNames(as []catalog.Artist) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Name)
	}
	return out
}

func trackTitles(ts []catalog.Track) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Title)
	}
	return out
}

func albumSummary(as []catalog.Album) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Title+" / "+a.Artist)
	}
	return out
}

// Acceptance 1: NFD and NFC spellings are one artist with one album; a
// folder's tracks sharing an album tag are one album whatever their
// artists; disc folders are one album with their discs.
func TestIngestIdentityAndGrouping(t *testing.T) { forEachEngine(t, testIngestIdentityAndGrouping) }

func testIngestIdentityAndGrouping(t *testing.T, e engine) {
	needFFmpeg(t)
	lib, o := t.TempDir(), newTarget(t, e)
	writeLibrary(t, lib, identityLibrary)
	o.ingest(t, lib)
	db := o.open(t)
	r := NewReader(db)
	ctx := context.Background()
	checkIdentity(t, r)
	checkSearchRows(t, db)

	// Every text is stored in NFC.
	var notNFC []string
	rows, err := db.Query(`SELECT title FROM tracks UNION ALL SELECT name FROM artists UNION ALL SELECT title FROM albums`)
	must(t, err)
	for rows.Next() {
		var s string
		must(t, rows.Scan(&s))
		if !norm.NFC.IsNormalString(s) {
			notNFC = append(notNFC, s)
		}
	}
	rows.Close()
	if len(notNFC) > 0 {
		t.Errorf("stored not in NFC: %q", notNFC)
	}

	// Beta leaves the compilation: Summer Mix is Alpha's own album again,
	// and Beta stays an artist through the guest spot on Live.
	must(t, os.Remove(filepath.Join(lib, "Mix/02.mp3")))
	o.ingest(t, lib)
	as, err := r.Artists(ctx)
	must(t, err)
	alpha, err := r.Artist(ctx, artistByName(t, as, "Alpha").ID)
	must(t, err)
	if got := albumSummary(alpha.Albums); !slices.Equal(got, []string{"Summer Mix / Alpha"}) {
		t.Errorf("Alpha's own albums after Beta left the mix: %q, want Summer Mix", got)
	}
	if want := catalog.NewID(catalog.PrefixAlbum, "alpha", "summer mix"); len(alpha.Albums) == 1 && alpha.Albums[0].ID != want {
		t.Errorf("Summer Mix of Alpha is %s, want %s", alpha.Albums[0].ID, want)
	}
	artistByName(t, as, "Beta")
	// Its album loudness is now of its one track, not of the mix it left.
	if l := manifestOf(t, db, "Mix/01.mp3").Loudness; l.AlbumLUFS != l.IntegratedLUFS {
		t.Errorf("Summer Mix of Alpha: album loudness %v, want its one track's %v", l.AlbumLUFS, l.IntegratedLUFS)
	}
	checkSearchRows(t, db)
	var albums int
	must(t, db.QueryRow(`SELECT count(*) FROM albums WHERE title = 'Summer Mix'`).Scan(&albums))
	if albums != 2 {
		t.Errorf("%d Summer Mix albums, want 2 (Alpha's, and the other folder's compilation)", albums)
	}
}

// checkIdentity checks the catalog of identityLibrary.
func checkIdentity(t *testing.T, r *Reader) {
	t.Helper()
	ctx := context.Background()
	as, err := r.Artists(ctx)
	must(t, err)

	sigur, err := r.Artist(ctx, artistByName(t, as, "Sigur Rós").ID)
	must(t, err)
	if len(sigur.Albums) != 1 || sigur.Albums[0].Title != "Ágætis Byrjun" || sigur.Albums[0].TrackCount != 2 {
		t.Errorf("Sigur Rós albums %+v, want Ágætis Byrjun of 2 tracks", sigur.Albums)
	}

	various, err := r.Artist(ctx, artistByName(t, as, catalog.VariousArtists).ID)
	must(t, err)
	// Mix (Alpha, Beta; 2020), Mix 2 (Alpha, Gamma): two compilations;
	// Tribute says compilation=1. Oldest first (no year is oldest), then by title.
	if got, want := albumSummary(various.Albums), []string{"Summer Mix / Various Artists",
		"Tribute / Various Artists", "Summer Mix / Various Artists"}; !slices.Equal(got, want) {
		t.Errorf("Various Artists albums %q, want %q", got, want)
	}
	for _, al := range various.Albums {
		if (al.Title == "Summer Mix" && al.TrackCount != 2) || !al.Compilation {
			t.Errorf("compilation %+v: want 2 tracks, compilation", al)
		}
	}

	delta, err := r.Artist(ctx, artistByName(t, as, "Delta").ID)
	must(t, err)
	if len(delta.Albums) != 1 || delta.Albums[0].TrackCount != 3 || delta.Albums[0].Discs != 2 {
		t.Fatalf("Delta albums %+v, want Big Album of 3 tracks on 2 discs", delta.Albums)
	}
	big, err := r.Album(ctx, delta.Albums[0].ID)
	must(t, err)
	var order []string
	for _, tr := range big.Tracks {
		order = append(order, tr.Title+" "+string(rune('0'+tr.DiscNo))+"-"+string(rune('0'+tr.TrackNo)))
	}
	if want := []string{"Opening 1-1", "Second 1-2", "Reprise 2-1"}; !slices.Equal(order, want) {
		t.Errorf("Big Album tracks %q, want %q", order, want)
	}

	// Beta: no album of its own, on the Mix compilation and as a guest on Live.
	beta, err := r.Artist(ctx, artistByName(t, as, "Beta").ID)
	must(t, err)
	if len(beta.Albums) != 0 {
		t.Errorf("Beta's own albums %q, want none", albumSummary(beta.Albums))
	}
	if got := albumSummary(beta.AppearsOn); !slices.Contains(got, "Summer Mix / Various Artists") || !slices.Contains(got, "Live / Zeta") || len(got) != 2 {
		t.Errorf("Beta appears on %q, want Summer Mix and Live", got)
	}
	for _, al := range beta.AppearsOn {
		if want := map[string][]string{"Summer Mix": {"Sea"}, "Live": {"Guest Spot", "Encore"}}[al.Title]; !slices.Equal(trackTitles(al.Tracks), want) {
			t.Errorf("Beta's tracks on %s: %q, want %q", al.Title, trackTitles(al.Tracks), want)
		}
	}
}

// Acceptance 3 at the origin: the four sort tags order the lists, and
// without one a leading article is ignored; the HTTP artist document
// carries appears_on.
func TestIngestSortNamesAndArtistDocument(t *testing.T) {
	forEachEngine(t, testIngestSortNamesAndArtistDocument)
}

func testIngestSortNamesAndArtistDocument(t *testing.T, e engine) {
	needFFmpeg(t)
	lib, o := t.TempDir(), newTarget(t, e)
	writeLibrary(t, lib, []source{
		tagged("Beetles/Help/01.mp3", 220, map[string]string{"title": "Help", "artist": "The Beetles", "artist-sort": "Beetles, The", "album": "Help"}),
		tagged("Cure/Disintegration/01.mp3", 247, map[string]string{"title": "Plainsong", "artist": "The Cure", "album": "Disintegration"}),
		tagged("Blondie/Parallel/01.mp3", 262, map[string]string{"title": "Atomic", "artist": "Blondie", "album": "Parallel Lines"}),
		tagged("Aha/Hunting/01.mp3", 294, map[string]string{"title": "Take On Me", "artist": "A Ha", "album": "Hunting High"}),
		tagged("Zed/The Zoo/01.mp3", 311, map[string]string{"title": "Keeper", "artist": "Zed", "album": "The Zoo", "date": "2001"}),
		tagged("Zed/Apples/01.mp3", 330, map[string]string{"title": "Alpha Song", "title-sort": "Zulu", "artist": "Zed", "album": "Apples", "album-sort": "Zzz", "date": "2001"}),
		tagged("Zed/Apples/02.mp3", 349, map[string]string{"title": "Beta Song", "artist": "Zed", "album": "Apples", "date": "2001"}),
		tagged("Studio/01.mp3", 370, map[string]string{"title": "Session", "artist": "Zed", "album": "Studio Album",
			"album_artist": "Various Studio", "album_artist-sort": "Aaa"}),
	})
	o.ingest(t, lib)
	r := NewReader(o.open(t))
	ctx := context.Background()
	as, err := r.Artists(ctx)
	must(t, err)
	names := artistNames(as)
	if want := []string{"Various Studio", "The Beetles", "Blondie", "The Cure", "A Ha", "Zed"}; !slices.Equal(names, want) {
		t.Errorf("artists %q, want %q", names, want)
	}
	zed, err := r.Artist(ctx, artistByName(t, as, "Zed").ID)
	must(t, err)
	if got, want := albumSummary(zed.Albums), []string{"The Zoo / Zed", "Apples / Zed"}; !slices.Equal(got, want) {
		t.Errorf("Zed's albums of 2001 %q, want %q (album-sort Zzz puts Apples last)", got, want)
	}
	if len(zed.Albums) == 2 {
		apples, err := r.Album(ctx, zed.Albums[1].ID)
		must(t, err)
		if got, want := trackTitles(apples.Tracks), []string{"Beta Song", "Alpha Song"}; !slices.Equal(got, want) {
			t.Errorf("Apples tracks without numbers %q, want %q (title-sort Zulu)", got, want)
		}
	}

	srv := startServer(t, o.serverOptions(), "127.0.0.1:0")
	var doc map[string]json.RawMessage
	getJSON(t, srv.base+"/api/v1/artists/"+zed.ID, 200, &doc)
	var on []catalog.Album
	must(t, json.Unmarshal(doc["appears_on"], &on))
	if len(on) != 1 || on[0].Title != "Studio Album" || on[0].Artist != "Various Studio" || !slices.Equal(trackTitles(on[0].Tracks), []string{"Session"}) {
		t.Errorf("GET /artists/{zed} appears_on = %s, want Studio Album by Various Studio with Session", doc["appears_on"])
	}
	if _, ok := doc["albums"]; !ok {
		t.Errorf("GET /artists/{zed} has no albums: %v", doc)
	}
}
