package subsonic

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
)

// Required fields of OpenSubsonic's response types (the "Req. Yes" rows of
// opensubsonic.netlify.app/docs/responses/, repository
// opensubsonic/open-subsonic-api, content/en/docs/Responses): an app that
// decodes into types with these fields non-optional (Kotlin, Swift, Dart)
// fails on the whole answer when one is missing.
var (
	childFields    = []string{"id", "isDir", "title"}
	albumID3Fields = []string{"id", "name", "songCount", "duration", "created"}
	artistFields   = []string{"id", "name"}
	playlistFields = []string{"id", "name", "songCount", "duration", "created", "changed"}
)

// requiredFields gives the required fields of an object by the key it is
// under, and that key's parent (for a key whose type depends on where it
// is: an album is an AlbumID3 in albumList2, a Child in albumList).
func requiredFields(parent, key string) []string {
	switch key {
	case "song", "child":
		return childFields
	case "entry":
		switch parent {
		case "nowPlaying":
			return append(slices.Clone(childFields), "username", "minutesAgo", "playerId")
		}
		return childFields
	case "album":
		switch parent {
		case "albumList", "searchResult2", "starred":
			return childFields
		}
		return albumID3Fields
	case "artist":
		if parent == "subsonic-response" { // getArtist: ArtistWithAlbumsID3
			return append(slices.Clone(artistFields), "albumCount")
		}
		return artistFields
	case "similarArtist":
		return artistFields
	case "playlist":
		return playlistFields
	case "genre":
		return []string{"value", "songCount", "albumCount"}
	case "bookmark":
		return []string{"position", "username", "created", "changed", "entry"}
	case "share":
		return []string{"id", "url", "username", "created", "visitCount"}
	case "playQueue":
		return []string{"username", "changed", "changedBy"}
	case "directory":
		return []string{"id", "name"}
	case "indexes":
		return []string{"ignoredArticles", "lastModified"}
	case "artists":
		return []string{"ignoredArticles"}
	case "index":
		return []string{"name"}
	case "lyrics":
		return []string{"value"}
	case "nowPlaying":
		return []string{"entry"}
	case "scanStatus":
		return []string{"scanning"}
	case "license":
		return []string{"valid"}
	case "musicFolder":
		return []string{"id"}
	case "error":
		return []string{"code"}
	case "user":
		return []string{"username", "scrobblingEnabled", "adminRole", "settingsRole", "downloadRole", "uploadRole",
			"playlistRole", "coverArtRole", "commentRole", "podcastRole", "streamRole", "jukeboxRole", "shareRole", "videoConversionRole"}
	case "subsonic-response":
		return []string{"status", "version"}
	}
	return nil
}

// missingRequired walks a decoded JSON value v found under key (whose
// parent key is parent) and lists each object lacking a required field,
// or holding null where a value belongs, by its path.
func missingRequired(path, parent, key string, v any) []string {
	var out []string
	switch v := v.(type) {
	case []any:
		for i, e := range v {
			out = append(out, missingRequired(fmt.Sprintf("%s[%d]", path, i), parent, key, e)...)
		}
	case map[string]any:
		for _, f := range requiredFields(parent, key) {
			if x, ok := v[f]; !ok || x == nil {
				out = append(out, path+": no "+f)
			}
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, missingRequired(path+"."+k, key, k, v[k])...)
		}
	case nil:
		out = append(out, path+": null")
	}
	return out
}

// TestJSONAnswersHaveTheRequiredFields calls every method that answers a
// document, over a library with something of every kind saved (a star, a
// rating, a play, a playlist, a bookmark, a share, a play queue, a song
// playing), and checks every object of its JSON answer for the fields
// OpenSubsonic makes required (requiredFields), and that no value is
// null. Before, getLyrics answered "lyrics": {} with no value.
func TestJSONAnswersHaveTheRequiredFields(t *testing.T) {
	f := newFixture(t)
	song, other := f.tracks["Sunrise Over Water"], f.tracks["Moonlight Highway"]
	album := f.albums["First Light"]
	for _, c := range []struct {
		method string
		q      url.Values
	}{
		{"star", url.Values{"id": {song.ID}, "albumId": {album.ID}, "artistId": {album.ArtistID}}},
		{"setRating", url.Values{"id": {song.ID}, "rating": {"4"}}},
		{"scrobble", url.Values{"id": {song.ID}}},
		{"scrobble", url.Values{"id": {other.ID}, "submission": {"false"}}},
		{"createPlaylist", url.Values{"name": {"Mix"}, "songId": {song.ID, other.ID}}},
		{"createPlaylist", url.Values{"name": {"Empty"}}},
		{"createBookmark", url.Values{"id": {song.ID}, "position": {"1500"}}},
		{"savePlayQueue", url.Values{"id": {song.ID, other.ID}, "current": {other.ID}, "position": {"700"}}},
	} {
		mustOK(t, c.method, f.jsonCall(t, c.method, c.q))
	}
	playlists := f.jsonCall(t, "getPlaylists", nil)
	mustOK(t, "getPlaylists", playlists)
	mustOK(t, "createShare", f.jsonCall(t, "createShare", url.Values{"id": {playlists.Playlists.Playlists[0].ID}}))
	calls := []struct {
		method string
		q      url.Values
	}{
		{"ping", url.Values{}}, {"getLicense", nil}, {"getMusicFolders", nil}, {"getUser", url.Values{"username": {alice}}},
		{"tokenInfo", nil}, {"getGenres", nil}, {"getScanStatus", nil}, {"getIndexes", nil}, {"getArtists", nil},
		{"getMusicDirectory", url.Values{"id": {album.ArtistID}}}, {"getMusicDirectory", url.Values{"id": {album.ID}}},
		{"getArtist", url.Values{"id": {album.ArtistID}}}, {"getAlbum", url.Values{"id": {album.ID}}},
		{"getSong", url.Values{"id": {song.ID}}}, {"getArtistInfo", url.Values{"id": {album.ArtistID}}},
		{"getArtistInfo2", url.Values{"id": {album.ArtistID}}}, {"getAlbumInfo", url.Values{"id": {album.ID}}},
		{"getAlbumInfo2", url.Values{"id": {album.ID}}}, {"getSimilarSongs", url.Values{"id": {song.ID}}},
		{"getSimilarSongs2", url.Values{"id": {album.ArtistID}}}, {"getTopSongs", url.Values{"artist": {"Alpha Artist"}}},
		{"getRandomSongs", nil}, {"getSongsByGenre", url.Values{"genre": {"Ambient"}}}, {"getNowPlaying", nil},
		{"getStarred", nil}, {"getStarred2", nil}, {"search2", url.Values{"query": {""}}}, {"search3", url.Values{"query": {`""`}}},
		{"getPlaylists", nil}, {"getLyrics", url.Values{"artist": {"Alpha Artist"}, "title": {"Sunrise Over Water"}}},
		{"getLyrics", nil}, {"getBookmarks", nil}, {"getShares", nil}, {"getPlayQueue", nil},
		{"getPodcasts", nil}, {"getNewestPodcasts", nil}, {"getInternetRadioStations", nil}, {"getVideos", nil},
		{"getChatMessages", nil}, {"getOpenSubsonicExtensions", nil},
		{"getAlbum", url.Values{"id": {"alnothing"}}}, // an error's code
	}
	for _, p := range playlists.Playlists.Playlists {
		calls = append(calls, struct {
			method string
			q      url.Values
		}{"getPlaylist", url.Values{"id": {p.ID}}})
	}
	for _, typ := range []string{"random", "newest", "highest", "frequent", "recent", "alphabeticalByName", "alphabeticalByArtist", "starred"} {
		for _, m := range []string{"getAlbumList", "getAlbumList2"} {
			calls = append(calls, struct {
				method string
				q      url.Values
			}{m, url.Values{"type": {typ}}})
		}
	}
	for _, c := range calls {
		q := url.Values{"f": {"json"}}
		for k, v := range c.q {
			q[k] = v
		}
		_, body := f.call(t, c.method, q)
		var doc map[string]any
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Errorf("%s %s: %v in %s", c.method, c.q.Encode(), err, body)
			continue
		}
		if missing := missingRequired("", "", "", doc); len(missing) > 0 {
			t.Errorf("%s %s: %s\n%s", c.method, c.q.Encode(), strings.Join(missing, "; "), body)
		}
	}
}
