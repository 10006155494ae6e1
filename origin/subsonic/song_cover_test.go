package subsonic

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestSongCoverArtIsThere: a song's coverArt names a cover getCoverArt
// serves, and a song of an album without a cover has none (as the album
// itself has none), in every answer that lists songs. Songs named their
// album as coverArt whether or not it had a cover, and apps then asked
// getCoverArt for each and got error 70 instead of an image.
func TestSongCoverArtIsThere(t *testing.T) {
	f := newFixture(t)
	lit, dark := f.tracks["Sunrise Over Water"], f.tracks["Moonlight Highway"] // First Light has a cover, Night Drive none
	mustOK(t, "star", f.jsonCall(t, "star", url.Values{"id": {lit.ID, dark.ID}}))
	pl := f.jsonCall(t, "createPlaylist", url.Values{"name": {"Both"}, "songId": {lit.ID, dark.ID}})
	mustOK(t, "createPlaylist", pl)
	mustOK(t, "savePlayQueue", f.jsonCall(t, "savePlayQueue", url.Values{"id": {lit.ID, dark.ID}}))
	var songs []Child
	add := func(method string, q url.Values, pick func(Response) []Child) {
		t.Helper()
		r := f.jsonCall(t, method, q)
		mustOK(t, method, r)
		got := pick(r)
		if len(got) == 0 {
			t.Fatalf("%s: no songs", method)
		}
		songs = append(songs, got...)
	}
	add("getSong", url.Values{"id": {dark.ID}}, func(r Response) []Child { return []Child{*r.Song} })
	add("getSong", url.Values{"id": {lit.ID}}, func(r Response) []Child { return []Child{*r.Song} })
	add("getAlbum", url.Values{"id": {dark.AlbumID}}, func(r Response) []Child { return r.Album.Songs })
	add("getMusicDirectory", url.Values{"id": {dark.AlbumID}}, func(r Response) []Child { return r.Directory.Children })
	add("search3", url.Values{"query": {""}}, func(r Response) []Child { return r.SearchResult3.Songs })
	add("search2", url.Values{"query": {""}}, func(r Response) []Child { return r.SearchResult2.Songs })
	add("getRandomSongs", url.Values{"size": {"10"}}, func(r Response) []Child { return r.RandomSongs.Songs })
	add("getStarred2", nil, func(r Response) []Child { return r.Starred2.Songs })
	add("getStarred", nil, func(r Response) []Child { return r.Starred.Songs })
	add("getPlaylist", url.Values{"id": {pl.Playlist.ID}}, func(r Response) []Child { return r.Playlist.Entries })
	add("getPlayQueue", nil, func(r Response) []Child { return r.PlayQueue.Entries })
	add("getTopSongs", url.Values{"artist": {"Beta Band"}}, func(r Response) []Child { return r.TopSongs.Songs })
	add("getSongsByGenre", url.Values{"genre": {"Rock"}}, func(r Response) []Child { return r.SongsByGenre.Songs })
	mustOK(t, "scrobble", f.jsonCall(t, "scrobble", url.Values{"id": {dark.ID}, "submission": {"false"}}))
	add("getNowPlaying", nil, func(r Response) []Child {
		return songsIn(r.NowPlaying.Entries, func(e NowPlayingEntry) Child { return e.Child })
	})
	mustOK(t, "createBookmark", f.jsonCall(t, "createBookmark", url.Values{"id": {dark.ID}, "position": {"1000"}}))
	add("getBookmarks", nil, func(r Response) []Child {
		return songsIn(r.Bookmarks.Bookmarks, func(b Bookmark) Child { return b.Entry })
	})
	mustOK(t, "createShare", f.jsonCall(t, "createShare", url.Values{"id": {pl.Playlist.ID}}))
	add("getShares", nil, func(r Response) []Child { return r.Shares.Shares[0].Entries })
	for _, s := range songs {
		switch {
		case s.AlbumID == dark.AlbumID && s.CoverArt != "":
			t.Errorf("song %s of Night Drive, which has no cover: coverArt %q, want none", s.Title, s.CoverArt)
		case s.AlbumID == lit.AlbumID && s.CoverArt != lit.AlbumID:
			t.Errorf("song %s of First Light: coverArt %q, want its album's %s", s.Title, s.CoverArt, lit.AlbumID)
		}
	}
	resp, body := f.call(t, "getCoverArt", url.Values{"id": {lit.ID}})
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "image/") {
		t.Errorf("getCoverArt of a song of First Light: HTTP %d %s: %.200s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}

// songsIn is the song of each of items.
func songsIn[T any](items []T, song func(T) Child) []Child {
	var out []Child
	for _, it := range items {
		out = append(out, song(it))
	}
	return out
}
