package subsonic

import (
	"net/url"
	"testing"
)

// TestPlaylistEntriesSayStarred: getPlaylist and createPlaylist mark the
// entries the user starred, as getAlbum and search3 mark songs, so an app
// shows the heart on a starred song in a playlist too; another user's
// stars do not show. They said no song was starred.
func TestPlaylistEntriesSayStarred(t *testing.T) {
	f := newFixture(t)
	a, b := f.tracks["Sunrise Over Water"].ID, f.tracks["Moonlight Highway"].ID
	mustOK(t, "star", f.jsonCall(t, "star", url.Values{"id": {a}}))
	r := f.jsonCall(t, "createPlaylist", url.Values{"name": {"Mixed"}, "songId": {a, b}})
	mustOK(t, "createPlaylist", r)
	id := r.Playlist.ID
	check := func(method string, r Response) {
		t.Helper()
		mustOK(t, method, r)
		if len(r.Playlist.Entries) != 2 {
			t.Fatalf("%s: %d entries, want 2", method, len(r.Playlist.Entries))
		}
		if e := r.Playlist.Entries[0]; e.ID != a || e.Starred == "" {
			t.Errorf("%s: entry 0 is %s starred %q, want %s starred", method, e.ID, e.Starred, a)
		}
		if e := r.Playlist.Entries[1]; e.ID != b || e.Starred != "" {
			t.Errorf("%s: entry 1 is %s starred %q, want %s not starred", method, e.ID, e.Starred, b)
		}
	}
	check("createPlaylist", r)
	check("getPlaylist", f.jsonCall(t, "getPlaylist", url.Values{"id": {id}}))
	// bob's star on b is his own
	if _, _, err := AddUser(t.Context(), f.srv.Catalog(), f.data, "bob", "bob-pw", false); err != nil {
		t.Fatal(err)
	}
	mustOK(t, "star", f.jsonCall(t, "star", url.Values{"id": {b}, "u": {"bob"}, "p": {"bob-pw"}}))
	check("getPlaylist after bob starred the other song", f.jsonCall(t, "getPlaylist", url.Values{"id": {id}}))
}
