package subsonic

import (
	"context"
	"net/url"
	"strings"
	"testing"
)

// A playlist the user does not have was answered "playlist not found" by
// every playlist and share method: no ID (an app calling several could not
// tell which), and no word that each user sees only their own, so another
// user's playlist, or the segue CLI's, looked deleted. Each now names the
// ID and says so, still code 70.
func TestPlaylistNotFoundNamesTheID(t *testing.T) {
	f := newFixture(t)
	theirs, err := f.srv.Playlists().Create(context.Background(), "local", "The CLI's")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{theirs.ID, "pl0000000000000000", "nope"} {
		for _, c := range []struct {
			method string
			q      url.Values
		}{
			{"getPlaylist", url.Values{"id": {id}}},
			{"updatePlaylist", url.Values{"playlistId": {id}, "name": {"x"}}},
			{"createPlaylist", url.Values{"playlistId": {id}}},
			{"deletePlaylist", url.Values{"id": {id}}},
			{"createShare", url.Values{"id": {id}}},
			{"deleteShare", url.Values{"id": {id}}},
		} {
			r := f.jsonCall(t, c.method, c.q)
			if id == "nope" && c.method == "createShare" {
				continue // not a playlist ID: "nope not found", as of any ID
			}
			if r.Error == nil || r.Error.Code != CodeNotFound || !strings.Contains(r.Error.Message, "playlist "+id+" not found among alice's playlists") {
				t.Errorf("%s %s: %+v; want code 70 naming playlist %s among alice's playlists", c.method, c.q.Encode(), r.Error, id)
			}
		}
	}
}
