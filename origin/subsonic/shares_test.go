package subsonic

import (
	"net/url"
	"slices"
	"testing"
)

// TestShares: getShares answers the user's shared playlists (each with
// the URL that plays it and its songs) and an empty list when none is
// shared, not error 70 as before; a playlist not shared and another
// user's shared one are not listed. XML answers validate against the XSD.
func TestShares(t *testing.T) {
	f := newFixture(t)
	sun, moon := f.tracks["Sunrise Over Water"].ID, f.tracks["Moonlight Highway"].ID
	shares := func(when string, q url.Values) []Share {
		t.Helper()
		_, body := f.xmlCall(t, "getShares", q)
		validateXML(t, "getShares "+when, body)
		r := f.jsonCall(t, "getShares", q)
		mustOK(t, "getShares "+when, r)
		if r.Shares == nil {
			t.Fatalf("getShares %s: no shares", when)
		}
		return r.Shares.Shares
	}
	if s := shares("before any playlist", nil); len(s) != 0 {
		t.Fatalf("no playlists yet: %+v", s)
	}
	mix := f.jsonCall(t, "createPlaylist", url.Values{"name": {"Mix"}, "songId": {moon, sun}})
	mustOK(t, "createPlaylist", mix)
	mustOK(t, "createPlaylist", f.jsonCall(t, "createPlaylist", url.Values{"name": {"Private"}, "songId": {sun}}))
	if s := shares("with playlists none shared", nil); len(s) != 0 {
		t.Fatalf("nothing shared: %+v", s)
	}
	users, err := ListUsers(t.Context(), f.srv.Catalog())
	if err != nil || len(users) != 1 {
		t.Fatalf("users %+v (%v), want alice alone", users, err)
	}
	token, err := f.srv.Playlists().Share(t.Context(), users[0].ID, mix.Playlist.ID)
	if err != nil {
		t.Fatal(err)
	}
	mustOK(t, "star", f.jsonCall(t, "star", url.Values{"id": {sun}}))
	s := shares("with one shared", nil)
	if len(s) != 1 {
		t.Fatalf("one playlist shared: %+v", s)
	}
	if got := s[0]; got.ID != mix.Playlist.ID || got.URL != f.base+"/p/"+token || got.Description != "Mix" || got.Username != alice ||
		got.Created != mix.Playlist.Created || !slices.Equal(songIDs(got.Entries), []string{moon, sun}) || got.Entries[1].Starred == "" {
		t.Errorf("share %+v, want Mix at %s/p/%s by alice, created %s, with its 2 songs, the second starred", got, f.base, token, mix.Playlist.Created)
	}
	if _, _, err := AddUser(t.Context(), f.srv.Catalog(), f.data, "bob", "bob-pw", false); err != nil {
		t.Fatal(err)
	}
	if s := shares("bob's", url.Values{"u": {"bob"}, "p": {"bob-pw"}}); len(s) != 0 {
		t.Errorf("bob sees alice's share: %+v", s)
	}
}
