package subsonic

import (
	"net/url"
	"strconv"
	"testing"
)

// TestPlaylistOfManySongs: createPlaylist and updatePlaylist take as many
// songs in one call as a playlist holds (an app saving a long queue as a
// playlist, or removing many songs at once): 600 songs created, 600 more
// added, then the first 600 removed. They refused more than 500 values
// of songId, songIdToAdd or songIndexToRemove (error 0), though the
// origin's playlists hold 10,000 tracks.
func TestPlaylistOfManySongs(t *testing.T) {
	f := newFixture(t)
	a, b, c := f.tracks["Sunrise Over Water"].ID, f.tracks["Morning Tide"].ID, f.tracks["Moonlight Highway"].ID
	var first, then, drop []string
	for i := range 200 {
		first = append(first, a, b, c)
		then = append(then, c, c, c)
		drop = append(drop, strconv.Itoa(3*i), strconv.Itoa(3*i+1), strconv.Itoa(3*i+2))
	}
	r := f.jsonCall(t, "createPlaylist", url.Values{"name": {"Long"}, "songId": first})
	mustOK(t, "createPlaylist of 600 songs", r)
	id := r.Playlist.ID
	if n := r.Playlist.SongCount; n != 600 {
		t.Fatalf("createPlaylist: %d songs, want 600", n)
	}
	mustOK(t, "updatePlaylist adding 600 songs", f.jsonCall(t, "updatePlaylist", url.Values{"playlistId": {id}, "songIdToAdd": then}))
	if n := f.jsonCall(t, "getPlaylist", url.Values{"id": {id}}).Playlist.SongCount; n != 1200 {
		t.Fatalf("after adding 600: %d songs, want 1200", n)
	}
	mustOK(t, "updatePlaylist removing 600 songs", f.jsonCall(t, "updatePlaylist", url.Values{"playlistId": {id}, "songIndexToRemove": drop}))
	pl := f.jsonCall(t, "getPlaylist", url.Values{"id": {id}}).Playlist
	if len(pl.Entries) != 600 {
		t.Fatalf("after removing 600: %d songs, want 600", len(pl.Entries))
	}
	for i, e := range pl.Entries {
		if e.ID != c {
			t.Fatalf("after removing the first 600, entry %d is %s, want %s (one of those added)", i, e.ID, c)
		}
	}
}
