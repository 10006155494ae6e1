package subsonic

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"slices"
	"testing"
)

// names lists the names of albums.
func albumNames(as []AlbumID3) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Name)
	}
	return out
}

func songTitles(cs []Child) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Title)
	}
	return out
}

// TestBrowse checks the browsing answers against the fixture catalog.
func TestBrowse(t *testing.T) {
	f := newFixture(t)
	first, night := f.albums["First Light"], f.albums["Night Drive"]
	sunrise := f.tracks["Sunrise Over Water"]

	r := f.jsonCall(t, "getArtists", nil)
	mustOK(t, "getArtists", r)
	if len(r.Artists.Index) != 2 || r.Artists.Index[0].Name != "A" || r.Artists.Index[1].Name != "B" ||
		r.Artists.Index[0].Artists[0].Name != "Alpha Artist" || r.Artists.Index[0].Artists[0].AlbumCount != 1 {
		t.Errorf("getArtists: %+v; want A: Alpha Artist (1 album), B: Beta Band", r.Artists)
	}
	r = f.jsonCall(t, "getIndexes", nil)
	if len(r.Indexes.Index) != 2 || r.Indexes.Index[1].Artists[0].Name != "Beta Band" || r.Indexes.IgnoredArticles != "The A An" {
		t.Errorf("getIndexes: %+v", r.Indexes)
	}
	r = f.jsonCall(t, "getMusicFolders", nil)
	if len(r.MusicFolders.Folders) != 1 || r.MusicFolders.Folders[0].ID != musicFolderID {
		t.Errorf("getMusicFolders: %+v", r.MusicFolders)
	}

	r = f.jsonCall(t, "getGenres", nil)
	if g := r.Genres; g == nil || len(g.Genres) != 2 || g.Genres[0] != (Genre{"Ambient", 2, 1}) || g.Genres[1] != (Genre{"Rock", 1, 1}) {
		t.Errorf("getGenres: %+v; want Ambient (2 songs, 1 album), Rock (1, 1)", r.Genres)
	}
	r = f.jsonCall(t, "getScanStatus", nil)
	if r.ScanStatus == nil || r.ScanStatus.Scanning || r.ScanStatus.Count != 3 {
		t.Errorf("getScanStatus: %+v", r.ScanStatus)
	}
	r = f.jsonCall(t, "getUser", url.Values{"username": {alice}})
	if u := r.User; u == nil || u.Username != alice || !u.StreamRole || !u.PlaylistRole || u.AdminRole || !slices.Equal(u.Folders, []int{musicFolderID}) {
		t.Errorf("getUser: %+v", r.User)
	}
	if r = f.jsonCall(t, "getUser", url.Values{"username": {"bob"}}); r.Error == nil || r.Error.Code != CodeNotAuthorized {
		t.Errorf("getUser of another: %+v, want 50", r.Error)
	}
	// without username, oneself, as Navidrome and gonic answer (apps that
	// read their roles so got error 10)
	if r = f.jsonCall(t, "getUser", nil); r.User == nil || r.User.Username != alice {
		t.Errorf("getUser without username: %+v %+v, want alice", r.User, r.Error)
	}

	r = f.jsonCall(t, "getArtist", url.Values{"id": {first.ArtistID}})
	if r.Artist == nil || r.Artist.Name != "Alpha Artist" || !slices.Equal(albumNames(r.Artist.Albums), []string{"First Light"}) {
		t.Errorf("getArtist: %+v", r.Artist)
	}

	r = f.jsonCall(t, "getMusicDirectory", url.Values{"id": {first.ArtistID}})
	if d := r.Directory; d == nil || d.Name != "Alpha Artist" || len(d.Children) != 1 || !d.Children[0].IsDir || d.Children[0].ID != first.ID || d.Children[0].CoverArt != first.ID {
		t.Errorf("getMusicDirectory of an artist: %+v; want First Light as a directory", r.Directory)
	}
	r = f.jsonCall(t, "getMusicDirectory", url.Values{"id": {first.ID}})
	if d := r.Directory; d == nil || d.Parent != first.ArtistID || !slices.Equal(songTitles(d.Children), []string{"Sunrise Over Water", "Morning Tide"}) {
		t.Errorf("getMusicDirectory of an album: %+v", r.Directory)
	}

	r = f.jsonCall(t, "getAlbumList", url.Values{"type": {"alphabeticalByName"}})
	if l := r.AlbumList; l == nil || len(l.Albums) != 2 || !l.Albums[0].IsDir || l.Albums[0].Title != "First Light" || l.Albums[1].Title != "Night Drive" {
		t.Errorf("getAlbumList: %+v; want First Light and Night Drive as folders", r.AlbumList)
	}
	r = f.jsonCall(t, "search2", url.Values{"query": {"light"}})
	if res := r.SearchResult2; res == nil || len(res.Albums) != 1 || res.Albums[0].ID != first.ID || !slices.Equal(songTitles(res.Songs), []string{"Sunrise Over Water", "Morning Tide"}) {
		t.Errorf("search2 light: %+v; want the album First Light and its songs (a word's prefix: not Moonlight)", r.SearchResult2)
	}

	r = f.jsonCall(t, "getAlbum", url.Values{"id": {first.ID}})
	al := r.Album
	if al == nil || al.Name != "First Light" || al.Artist != "Alpha Artist" || al.SongCount != 2 || al.Year != 2001 ||
		al.CoverArt != first.ID || al.Duration != 8 || al.Created == "" {
		t.Fatalf("getAlbum: %+v; want First Light by Alpha Artist, 2 songs, 2001, cover, 8 s", al)
	}
	if !slices.Equal(songTitles(al.Songs), []string{"Sunrise Over Water", "Morning Tide"}) {
		t.Errorf("getAlbum songs %v", songTitles(al.Songs))
	}
	s := al.Songs[0]
	if s.ID != sunrise.ID || s.Track != 1 || s.Genre != "Ambient" || s.Duration != 4 || s.ContentType != "audio/mpeg" ||
		s.Suffix != "mp3" || s.BitRate != 320 || s.AlbumID != first.ID || s.ArtistID != first.ArtistID || s.Type != "music" || s.IsDir {
		t.Errorf("song %+v", s)
	}
	r = f.jsonCall(t, "getSong", url.Values{"id": {sunrise.ID}})
	if r.Song == nil || *r.Song != s {
		t.Errorf("getSong %+v, want %+v", r.Song, s)
	}

	for _, c := range []struct {
		q    url.Values
		want []string
	}{
		{url.Values{"type": {"alphabeticalByName"}}, []string{"First Light", "Night Drive"}},
		{url.Values{"type": {"alphabeticalByArtist"}}, []string{"First Light", "Night Drive"}},
		{url.Values{"type": {"alphabeticalByName"}, "size": {"1"}, "offset": {"1"}}, []string{"Night Drive"}},
		{url.Values{"type": {"byYear"}, "fromYear": {"2005"}, "toYear": {"2015"}}, []string{"Night Drive"}},
		{url.Values{"type": {"byYear"}, "fromYear": {"2020"}, "toYear": {"2000"}}, []string{"Night Drive", "First Light"}},
		{url.Values{"type": {"byGenre"}, "genre": {"rock"}}, []string{"Night Drive"}},
		{url.Values{"type": {"starred"}}, nil},
		{url.Values{"type": {"frequent"}}, nil},
	} {
		r := f.jsonCall(t, "getAlbumList2", c.q)
		mustOK(t, "getAlbumList2 "+c.q.Encode(), r)
		if got := albumNames(r.AlbumList2.Albums); !slices.Equal(got, c.want) {
			t.Errorf("getAlbumList2 %s: %v, want %v", c.q.Encode(), got, c.want)
		}
	}
	for _, typ := range []string{"random", "newest"} {
		r := f.jsonCall(t, "getAlbumList2", url.Values{"type": {typ}})
		if got := albumNames(r.AlbumList2.Albums); len(got) != 2 {
			t.Errorf("getAlbumList2 %s: %v, want both albums", typ, got)
		}
	}
	if r := f.jsonCall(t, "getAlbumList2", url.Values{"type": {"byYear"}}); r.Error == nil || r.Error.Code != CodeMissingParam {
		t.Errorf("byYear without years: %+v, want 10", r.Error)
	}
	if r := f.jsonCall(t, "getAlbumList2", url.Values{"type": {"best"}}); r.Error == nil || r.Error.Code != CodeGeneric {
		t.Errorf("unknown type: %+v, want 0", r.Error)
	}

	r = f.jsonCall(t, "getRandomSongs", url.Values{"size": {"10"}})
	if got := songTitles(r.RandomSongs.Songs); len(got) != 3 {
		t.Errorf("getRandomSongs: %v, want all 3", got)
	}
	r = f.jsonCall(t, "getRandomSongs", url.Values{"genre": {"Rock"}})
	if got := songTitles(r.RandomSongs.Songs); !slices.Equal(got, []string{"Moonlight Highway"}) {
		t.Errorf("getRandomSongs genre=Rock: %v", got)
	}

	r = f.jsonCall(t, "search3", url.Values{"query": {"moon"}})
	res := r.SearchResult3
	if res == nil || !slices.Equal(songTitles(res.Songs), []string{"Moonlight Highway"}) || len(res.Albums) != 0 || len(res.Artists) != 0 {
		t.Errorf("search3 moon: %+v", res)
	}
	r = f.jsonCall(t, "search3", url.Values{"query": {"alpha"}})
	if res := r.SearchResult3; len(res.Artists) != 1 || res.Artists[0].Name != "Alpha Artist" || len(res.Songs) != 2 {
		t.Errorf("search3 alpha: %+v; want the artist and its 2 songs", res)
	}
	r = f.jsonCall(t, "search3", url.Values{"query": {`""`}, "songCount": {"2"}, "songOffset": {"1"}})
	if res := r.SearchResult3; len(res.Songs) != 2 || len(res.Albums) != 2 || len(res.Artists) != 2 {
		t.Errorf(`search3 "" (the library): %d songs, %d albums, %d artists; want 2 (page 2 of 3), 2, 2`, len(res.Songs), len(res.Albums), len(res.Artists))
	}

	for _, c := range []struct {
		method string
		q      url.Values
		code   int
	}{
		{"getAlbum", url.Values{"id": {"alnothing"}}, CodeNotFound},
		{"getAlbum", url.Values{"id": {"../etc"}}, CodeNotFound},
		{"getAlbum", nil, CodeMissingParam},
		{"getArtist", url.Values{"id": {"arnothing"}}, CodeNotFound},
		{"getSong", url.Values{"id": {"tnothing"}}, CodeNotFound},
		{"getRandomSongs", url.Values{"size": {"0"}}, CodeGeneric},  // more than 500 answers 500
		{"getCoverArt", url.Values{"id": {night.ID}}, CodeNotFound}, // no cover
	} {
		r := f.jsonCall(t, c.method, c.q)
		if r.Status != "failed" || r.Error == nil || r.Error.Code != c.code {
			t.Errorf("%s %s: %+v, want code %d", c.method, c.q.Encode(), r.Error, c.code)
		}
	}
}

// TestCoverArt: getCoverArt serves the album cover the origin's own cover
// route serves, for the album's ID and for a song's.
func TestCoverArt(t *testing.T) {
	f := newFixture(t)
	first := f.albums["First Light"]
	want := httpGet(t, f.base+"/api/v1/albums/"+first.ID+"/cover")
	for _, id := range []string{first.ID, f.tracks["Morning Tide"].ID} {
		resp, body := f.call(t, "getCoverArt", url.Values{"id": {id}, "size": {"300"}})
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" || !bytes.Equal(body, want) {
			t.Errorf("getCoverArt %s: HTTP %d %s, %d bytes; want the %d-byte JPEG cover", id, resp.StatusCode, resp.Header.Get("Content-Type"), len(body), len(want))
		}
	}
}

func httpGet(t *testing.T, u string) []byte {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: HTTP %d %v", u, resp.StatusCode, err)
	}
	return b
}
