package subsonic

import (
	"net/url"
	"testing"
)

// TestListsThatAreNotPagedTakeAnySize: getRandomSongs, getSimilarSongs,
// getSimilarSongs2, getTopSongs and getArtistInfo2 answer at most their
// most (500 random songs, 100 of the others) when an app asks for more,
// as they are no pages an app reads on from (Navidrome answers so too);
// they refused the call (error 0), and an app's random mix or radio of
// 1000 songs failed. A size or count that is no number is still refused.
func TestListsThatAreNotPagedTakeAnySize(t *testing.T) {
	f := newFixture(t)
	artist := f.albums["First Light"].ArtistID
	song := f.tracks["Sunrise Over Water"].ID
	for _, c := range []struct {
		method string
		q      url.Values
	}{
		{"getRandomSongs", url.Values{"size": {"1000"}}},
		{"getSimilarSongs", url.Values{"id": {song}, "count": {"1000"}}},
		{"getSimilarSongs2", url.Values{"id": {artist}, "count": {"1000"}}},
		{"getTopSongs", url.Values{"artist": {"Alpha Artist"}, "count": {"1000"}}},
		{"getArtistInfo2", url.Values{"id": {artist}, "count": {"1000"}}},
	} {
		asked := c.method + " " + c.q.Encode()
		r := f.jsonCall(t, c.method, c.q)
		mustOK(t, asked, r)
		var n int
		switch {
		case r.RandomSongs != nil:
			n = len(r.RandomSongs.Songs)
		case r.SimilarSongs != nil:
			n = len(r.SimilarSongs.Songs)
		case r.SimilarSongs2 != nil:
			n = len(r.SimilarSongs2.Songs)
		case r.TopSongs != nil:
			n = len(r.TopSongs.Songs)
		case r.ArtistInfo2 != nil:
			n = 1 + len(r.ArtistInfo2.SimilarArtists)
		}
		if n == 0 {
			t.Errorf("%s: nothing, want the library's", asked)
		}
	}
	if r := f.jsonCall(t, "getRandomSongs", url.Values{"size": {"many"}}); r.Error == nil || r.Error.Code != CodeGeneric {
		t.Errorf("getRandomSongs size=many: %+v, want error 0", r.Error)
	}
}

// TestRefusedSizeNamesWhatIsTaken: a size or count that is no number
// (or below the least) is refused saying what to give, a whole number of
// at least 1 and that a larger one answers the most; the message named
// 9223372036854775807 as the largest, which tells an app's user nothing.
func TestRefusedSizeNamesWhatIsTaken(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		method string
		q      url.Values
		want   string
	}{
		{"getRandomSongs", url.Values{"size": {"abc"}}, `size "abc": want a whole number of at least 1 (500 or more answers 500)`},
		{"getRandomSongs", url.Values{"size": {"0"}}, `size "0": want a whole number of at least 1 (500 or more answers 500)`},
		{"getSimilarSongs", url.Values{"id": {f.tracks["Sunrise Over Water"].ID}, "count": {"-1"}}, `count "-1": want a whole number of at least 1 (100 or more answers 100)`},
	} {
		r := f.jsonCall(t, c.method, c.q)
		if r.Error == nil || r.Error.Code != CodeGeneric || r.Error.Message != c.want {
			t.Errorf("%s %s: %+v, want error 0 %q", c.method, c.q.Encode(), r.Error, c.want)
		}
	}
}
