package subsonic

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestSetRating: setRating keeps a rating of 1 to 5 per user and song,
// album or artist, which the user's answers show as userRating (songs,
// albums, folders, index artists), another user's do not, rating 0 takes
// back; getAlbumList2 highest lists the rated albums, best first; bad
// ratings and IDs say what was wrong; origin user remove takes a user's
// ratings with it. Before, setRating was error 70, unknown method. On
// SQLite and on PostgreSQL.
//
// The AlbumID3 and ArtistID3 userRating are OpenSubsonic's
// (opensubsonic.netlify.app/docs/responses/albumid3, artistid3).
func TestSetRating(t *testing.T) {
	onEachEngine(t, func(t *testing.T, f *fixture) {
		song, other := f.tracks["Sunrise Over Water"], f.tracks["Moonlight Highway"]
		first, night := f.albums["First Light"], f.albums["Night Drive"]
		rate := func(id, rating string) Response {
			return f.jsonCall(t, "setRating", url.Values{"id": {id}, "rating": {rating}})
		}
		mustOK(t, "setRating song", rate(song.ID, "4"))
		mustOK(t, "setRating album", rate(night.ID, "5"))
		mustOK(t, "setRating album", rate(first.ID, "2"))
		mustOK(t, "setRating artist", rate(first.ArtistID, "3"))
		mustOK(t, "setRating again", rate(first.ID, "3")) // replaces

		if r := f.jsonCall(t, "getSong", url.Values{"id": {song.ID}}); r.Song == nil || r.Song.UserRating != 4 {
			t.Errorf("getSong of the song rated 4: %+v", r.Song)
		}
		if r := f.jsonCall(t, "getSong", url.Values{"id": {other.ID}}); r.Song == nil || r.Song.UserRating != 0 {
			t.Errorf("getSong of a song not rated: %+v, want no userRating", r.Song)
		}
		r := f.jsonCall(t, "getAlbum", url.Values{"id": {first.ID}})
		if r.Album == nil || r.Album.UserRating != 3 || len(r.Album.Songs) != 2 || r.Album.Songs[0].UserRating != 4 {
			t.Errorf("getAlbum First Light: %+v, want userRating 3 and its first song 4", r.Album)
		}
		r = f.jsonCall(t, "search3", url.Values{"query": {"sunrise"}})
		if res := r.SearchResult3; len(res.Songs) != 1 || res.Songs[0].UserRating != 4 {
			t.Errorf("search3 sunrise: %+v, want the song with userRating 4", res)
		}
		r = f.jsonCall(t, "getAlbumList2", url.Values{"type": {"highest"}})
		if l := r.AlbumList2; l == nil || len(l.Albums) != 2 || l.Albums[0].ID != night.ID || l.Albums[0].UserRating != 5 || l.Albums[1].UserRating != 3 {
			t.Errorf("getAlbumList2 highest: %+v, want Night Drive (5), then First Light (3)", l)
		}
		r = f.jsonCall(t, "getMusicDirectory", url.Values{"id": {first.ArtistID}})
		if d := r.Directory; d == nil || d.UserRating != 3 || len(d.Children) != 1 || d.Children[0].UserRating != 3 {
			t.Errorf("getMusicDirectory of the artist: %+v, want the artist's 3 and its album's 3", d)
		}
		if a := f.jsonCall(t, "getArtist", url.Values{"id": {first.ArtistID}}).Artist; a == nil || a.UserRating != 3 || len(a.Albums) != 1 || a.Albums[0].UserRating != 3 {
			t.Errorf("getArtist: %+v, want the artist's 3 and its album's 3", a)
		}
		listed := indexedRating(f.jsonCall(t, "getArtists", nil).Artists.Index, func(ix Index) []ArtistID3 { return ix.Artists },
			func(a ArtistID3) (string, int) { return a.ID, a.UserRating }, first.ArtistID)
		indexed := indexedRating(f.jsonCall(t, "getIndexes", nil).Indexes.Index, func(ix FolderIndex) []Artist { return ix.Artists },
			func(a Artist) (string, int) { return a.ID, a.UserRating }, first.ArtistID)
		if listed != 3 || indexed != 3 {
			t.Errorf("the artist rated 3 has userRating %d in getArtists, %d in getIndexes", listed, indexed)
		}
		_, body := f.xmlCall(t, "getSong", url.Values{"id": {song.ID}})
		if !strings.Contains(string(body), `userRating="4"`) {
			t.Errorf("getSong in XML has no userRating=\"4\": %s", body)
		}
		validateXML(t, "getSong", body)
		_, body = f.xmlCall(t, "getMusicDirectory", url.Values{"id": {first.ArtistID}})
		validateXML(t, "getMusicDirectory", body)

		// bob sees none of alice's ratings
		if _, _, err := AddUser(t.Context(), f.srv.Catalog(), f.data, "bob", "bob-pw", false); err != nil {
			t.Fatal(err)
		}
		bob := url.Values{"u": {"bob"}, "p": {"bob-pw"}, "id": {song.ID}}
		if r := f.jsonCall(t, "getSong", bob); r.Song == nil || r.Song.UserRating != 0 {
			t.Errorf("bob's getSong of alice's rated song: %+v, want no userRating", r.Song)
		}

		// 0 takes it back
		mustOK(t, "setRating 0", rate(song.ID, "0"))
		if r := f.jsonCall(t, "getSong", url.Values{"id": {song.ID}}); r.Song == nil || r.Song.UserRating != 0 {
			t.Errorf("getSong after rating 0: %+v, want no userRating", r.Song)
		}

		for _, c := range []struct {
			q    url.Values
			code int
			says string
		}{
			{url.Values{"id": {song.ID}, "rating": {"6"}}, CodeGeneric, "0 to 5"},
			{url.Values{"id": {song.ID}, "rating": {"-1"}}, CodeGeneric, "0 to 5"},
			{url.Values{"id": {song.ID}, "rating": {"good"}}, CodeGeneric, "0 to 5"},
			{url.Values{"id": {song.ID}}, CodeMissingParam, "rating"},
			{url.Values{"rating": {"3"}}, CodeMissingParam, "id"},
			{url.Values{"id": {"t0000000000000000"}, "rating": {"3"}}, CodeNotFound, "t0000000000000000"},
		} {
			r := f.jsonCall(t, "setRating", c.q)
			if r.Error == nil || r.Error.Code != c.code || !strings.Contains(r.Error.Message, c.says) {
				t.Errorf("setRating %v: %+v, want error %d saying %q", c.q, r.Error, c.code, c.says)
			}
		}

		// an answer of more items than one statement names by ID (all
		// artists in getIndexes) reads all of the user's ratings
		many := []string{night.ID}
		for i := range ratingsByID {
			many = append(many, fmt.Sprintf("t%016x", i))
		}
		got, err := f.api.store.ratings(t.Context(), f.aliceID, many)
		if err != nil || got[night.ID] != 5 {
			t.Errorf("ratings of %d IDs: %v, %v; want Night Drive's 5 among them", len(many), got, err)
		}

		gone, err := RemoveUser(t.Context(), f.srv.Catalog(), alice)
		if err != nil {
			t.Fatal(err)
		}
		if gone.Ratings != 3 {
			t.Errorf("RemoveUser said %+v went, want 3 ratings", gone)
		}
		var left int
		if err := f.srv.Catalog().QueryRowContext(t.Context(), `SELECT count(*) FROM ratings`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left != 0 {
			t.Errorf("%d ratings left after alice, the only one who rated, was removed", left)
		}
	})
}

// indexedRating is the userRating of the artist id among an index's
// groups (0 when it is not there).
func indexedRating[G, A any](groups []G, artists func(G) []A, of func(A) (string, int), id string) int {
	for _, g := range groups {
		for _, a := range artists(g) {
			if aid, r := of(a); aid == id {
				return r
			}
		}
	}
	return 0
}
