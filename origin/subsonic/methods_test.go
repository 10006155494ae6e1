package subsonic

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"segue/internal/testkit"
)

// subsonicMethods are the methods of the Subsonic API 1.16.1
// (subsonic.org/pages/api.jsp) and the ones OpenSubsonic adds outside
// its extensions: every one is answered by a handler of its own, never as
// an unknown method.
var subsonicMethods = []string{
	// system
	"ping", "getLicense", "getOpenSubsonicExtensions", "tokenInfo",
	// browsing
	"getMusicFolders", "getIndexes", "getMusicDirectory", "getGenres", "getArtists", "getArtist", "getAlbum", "getSong",
	"getVideos", "getVideoInfo", "getArtistInfo", "getArtistInfo2", "getAlbumInfo", "getAlbumInfo2",
	"getSimilarSongs", "getSimilarSongs2", "getTopSongs",
	// lists
	"getAlbumList", "getAlbumList2", "getRandomSongs", "getSongsByGenre", "getNowPlaying", "getStarred", "getStarred2",
	// searching
	"search", "search2", "search3",
	// playlists
	"getPlaylists", "getPlaylist", "createPlaylist", "updatePlaylist", "deletePlaylist",
	// media retrieval
	"stream", "download", "hls", "getCaptions", "getCoverArt", "getLyrics", "getAvatar",
	// annotation
	"star", "unstar", "setRating", "scrobble",
	// sharing
	"getShares", "createShare", "updateShare", "deleteShare",
	// podcasts
	"getPodcasts", "getNewestPodcasts", "refreshPodcasts", "createPodcastChannel", "deletePodcastChannel",
	"deletePodcastEpisode", "downloadPodcastEpisode", "getPodcastEpisode",
	// jukebox, internet radio, chat
	"jukeboxControl",
	"getInternetRadioStations", "createInternetRadioStation", "updateInternetRadioStation", "deleteInternetRadioStation",
	"getChatMessages", "addChatMessage",
	// users
	"getUser", "getUsers", "createUser", "updateUser", "deleteUser", "changePassword",
	// bookmarks, play queue
	"getBookmarks", "createBookmark", "deleteBookmark", "getPlayQueue", "savePlayQueue",
	// scanning
	"getScanStatus", "startScan",
}

// binaryMethods answer a file, not a document, when they succeed.
var binaryMethods = map[string]bool{"stream": true, "download": true, "getCoverArt": true, "getAvatar": true}

// openSubsonicOnly answer elements the Subsonic XSD does not know.
var openSubsonicOnly = map[string]bool{"getOpenSubsonicExtensions": true, "tokenInfo": true}

// TestEveryMethodAnswersASubsonicDocument calls every method of the API
// with typical parameters (an ID that names nothing, for the ones that
// answer files), as XML and as JSON: each is HTTP 200 with a
// subsonic-response of the format asked (the XML valid against the XSD),
// none is an unknown method, and the methods of the features segue lacks
// answer the codes apps expect: an empty list or the spec's refusal.
// Before, twenty of them were error 70, unknown method.
func TestEveryMethodAnswersASubsonicDocument(t *testing.T) {
	f := newFixture(t)
	song := f.tracks["Sunrise Over Water"]
	// no password: changePassword must not change alice's
	common := url.Values{"id": {song.ID}, "username": {alice}, "message": {"hello"}, "action": {"status"},
		"query": {"sun"}, "any": {"sun"}, "type": {"newest"}, "artist": {"Alpha Artist"}, "title": {"Morning Tide"},
		"name": {"Sweep"}, "url": {"https://example.org/feed"}, "streamUrl": {"https://example.org/radio"}}
	want := map[string]int{ // the code of each method of a feature segue lacks; -1: ok
		"getChatMessages": -1, "addChatMessage": CodeNotAuthorized,
		"refreshPodcasts": CodeNotAuthorized, "createPodcastChannel": CodeNotAuthorized, "deletePodcastChannel": CodeNotAuthorized,
		"deletePodcastEpisode": CodeNotAuthorized, "downloadPodcastEpisode": CodeNotAuthorized, "getPodcastEpisode": CodeNotFound,
		"createInternetRadioStation": CodeNotAuthorized, "updateInternetRadioStation": CodeNotAuthorized,
		"deleteInternetRadioStation": CodeNotAuthorized,
		"getVideoInfo":               CodeNotFound, "getCaptions": CodeNotFound, "hls": CodeGeneric,
		"search": CodeGeneric, "updateShare": CodeGeneric,
	}
	for _, method := range subsonicMethods {
		q := maps.Clone(common)
		if binaryMethods[method] {
			if method == "getAvatar" {
				continue // an image for anyone: TestAvatarIsADefaultImage
			}
			q.Set("id", "tr-nothing")
		}
		resp, body := f.call(t, method, maps.Clone(q))
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/xml") {
			t.Errorf("%s: HTTP %d, %s, want 200 with an XML document: %.300s", method, resp.StatusCode, resp.Header.Get("Content-Type"), body)
			continue
		}
		if strings.Contains(string(body), "unknown API method") {
			t.Errorf("%s: answered as an unknown method: %s", method, body)
		}
		if !openSubsonicOnly[method] {
			validateXML(t, method, body)
		}
		q.Set("f", "json")
		resp, body = f.call(t, method, q)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s as JSON: HTTP %d, %s, want 200 with a JSON document: %.300s", method, resp.StatusCode, resp.Header.Get("Content-Type"), body)
			continue
		}
		var env struct {
			R *Response `json:"subsonic-response"`
		}
		if err := json.Unmarshal(body, &env); err != nil || env.R == nil {
			t.Errorf("%s as JSON: %v, no subsonic-response in %s", method, err, body)
			continue
		}
		r := env.R
		if r.Status != "ok" && (r.Status != "failed" || r.Error == nil || r.Error.Message == "") {
			t.Errorf("%s as JSON: status %q, error %+v; want ok, or failed with a message", method, r.Status, r.Error)
		}
		code, lacked := want[method]
		switch {
		case !lacked:
		case code < 0 && r.Status != "ok":
			t.Errorf("%s: %+v, want ok", method, r.Error)
		case code >= 0 && (r.Error == nil || r.Error.Code != code):
			t.Errorf("%s: %+v, want error %d", method, r.Error, code)
		}
	}
}

// TestUnknownMethodsAnswerSubsonicErrors: a method no version of the API
// has, one of an OpenSubsonic extension segue does not offer, none at
// all, and /rest without its slash: each is error 70 as a Subsonic
// document in the format asked, never a 404 page.
func TestUnknownMethodsAnswerSubsonicErrors(t *testing.T) {
	f := newFixture(t)
	for method, says := range map[string]string{
		"getEverything":       `unknown API method "getEverything"`,
		"getLyricsBySongId":   "songLyrics extension",
		"getPlayQueueByIndex": "indexBasedQueue extension",
		"":                    `unknown API method ""`,
		"getAlbum&id=al1":     "'?', not '&', begins a URL's parameters: /rest/getAlbum?id=al1",
	} {
		r, body := f.xmlCall(t, method, nil)
		if r.Error == nil || r.Error.Code != CodeNotFound || !strings.Contains(r.Error.Message, says) {
			t.Errorf("%q: %s, want error 70 saying %s", method, body, says)
		}
		validateXML(t, method, body)
		if r := f.jsonCall(t, method, nil); r.Error == nil || r.Error.Code != CodeNotFound {
			t.Errorf("%q as JSON: %+v, want error 70", method, r.Error)
		}
	}
	q := tokenAuth("c0ffee")
	q.Set("f", "json")
	req, err := http.NewRequest("GET", f.base+"/rest?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, body := testkit.Do(t, nil, req)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"code":70`) {
		t.Errorf("/rest: HTTP %d: %s; want error 70 as JSON", resp.StatusCode, body)
	}
}
