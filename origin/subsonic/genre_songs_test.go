package subsonic

import (
	"net/url"
	"slices"
	"testing"
)

// TestSongsByGenre: getSongsByGenre pages through a genre's songs by title
// (the genre in any case, as getGenres counts it), an unknown genre is an
// empty list, a missing genre is code 10; it was error 70, and apps'
// genre screens showed no songs. XML answers validate against the XSD.
func TestSongsByGenre(t *testing.T) {
	f := newFixture(t)
	sun, tide := f.tracks["Sunrise Over Water"].ID, f.tracks["Morning Tide"].ID
	mustOK(t, "star", f.jsonCall(t, "star", url.Values{"id": {sun}}))
	for _, c := range []struct {
		q    url.Values
		want []string
	}{
		{url.Values{"genre": {"Ambient"}}, []string{tide, sun}},
		{url.Values{"genre": {"ambient"}, "count": {"100000"}}, []string{tide, sun}},
		{url.Values{"genre": {"AMBIENT"}, "count": {"1"}, "offset": {"1"}}, []string{sun}},
		{url.Values{"genre": {"Rock"}}, []string{f.tracks["Moonlight Highway"].ID}},
		{url.Values{"genre": {"Jazz"}}, []string{}},
	} {
		_, body := f.xmlCall(t, "getSongsByGenre", c.q)
		validateXML(t, "getSongsByGenre?"+c.q.Encode(), body)
		r := f.jsonCall(t, "getSongsByGenre", c.q)
		mustOK(t, "getSongsByGenre?"+c.q.Encode(), r)
		if r.SongsByGenre == nil || !slices.Equal(songIDs(r.SongsByGenre.Songs), c.want) {
			t.Errorf("getSongsByGenre?%s: %+v, want %v", c.q.Encode(), r.SongsByGenre, c.want)
			continue
		}
		for _, s := range r.SongsByGenre.Songs {
			if (s.ID == sun) != (s.Starred != "") {
				t.Errorf("getSongsByGenre?%s: %s starred %q, want only %s starred", c.q.Encode(), s.Title, s.Starred, sun)
			}
		}
	}
	if r := f.jsonCall(t, "getSongsByGenre", nil); r.Error == nil || r.Error.Code != CodeMissingParam {
		t.Errorf("getSongsByGenre without genre: %+v, want error %d", r.Error, CodeMissingParam)
	}
}
