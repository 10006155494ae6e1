package subsonic

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"segue/internal/testkit"
)

// TestShares: getShares answers the user's shared playlists (each with
// the URL that plays it and its songs) and an empty list when none is
// shared, not error 70 as before; a playlist not shared and another
// user's shared one are not listed. createShare shares a playlist (and
// refuses songs, several IDs, an expiry), deleteShare ends its URL at
// once. XML answers validate against the XSD.
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
	bob := url.Values{"u": {"bob"}, "p": {"bob-pw"}}
	if s := shares("bob's", bob); len(s) != 0 {
		t.Errorf("bob sees alice's share: %+v", s)
	}
	if r := f.jsonCall(t, "deleteShare", url.Values{"u": {"bob"}, "p": {"bob-pw"}, "id": {mix.Playlist.ID}}); r.Error == nil || r.Error.Code != CodeNotFound {
		t.Errorf("bob deleting alice's share: %+v, want error 70", r.Error)
	}
	page := func() int {
		req, err := http.NewRequest("GET", f.base+"/p/"+token, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, _ := testkit.Do(t, nil, req)
		return resp.StatusCode
	}
	if code := page(); code != http.StatusOK {
		t.Fatalf("the share URL before deleteShare: HTTP %d, want 200", code)
	}

	// deleteShare ends the URL; createShare shares again, under a new one
	mustOK(t, "deleteShare", f.jsonCall(t, "deleteShare", url.Values{"id": {mix.Playlist.ID}}))
	if s := shares("after deleteShare", nil); len(s) != 0 {
		t.Errorf("after deleteShare: %+v, want none", s)
	}
	if code := page(); code != http.StatusNotFound {
		t.Errorf("the share URL after deleteShare: HTTP %d, want 404", code)
	}
	r := f.jsonCall(t, "createShare", url.Values{"id": {mix.Playlist.ID}, "description": {"for Bob"}})
	mustOK(t, "createShare", r)
	if r.Shares == nil || len(r.Shares.Shares) != 1 || r.Shares.Shares[0].ID != mix.Playlist.ID || r.Shares.Shares[0].URL == "" ||
		r.Shares.Shares[0].URL == f.base+"/p/"+token {
		t.Fatalf("createShare: %+v, want Mix shared under a new URL", r.Shares)
	}
	again := f.jsonCall(t, "createShare", url.Values{"id": {mix.Playlist.ID}})
	if again.Shares == nil || len(again.Shares.Shares) != 1 || again.Shares.Shares[0].URL != r.Shares.Shares[0].URL {
		t.Errorf("createShare of a shared playlist: %+v, want its URL %s", again.Shares, r.Shares.Shares[0].URL)
	}
	_, body := f.xmlCall(t, "createShare", url.Values{"id": {mix.Playlist.ID}})
	validateXML(t, "createShare", body)
	for _, bad := range []struct {
		q    url.Values
		code int
	}{
		{url.Values{"id": {sun}}, CodeGeneric},                  // a song: not a playlist
		{url.Values{"id": {"plnothing"}}, CodeNotFound},         // no such playlist
		{url.Values{"id": {"tnothing"}}, CodeNotFound},          // no such song
		{url.Values{"id": {mix.Playlist.ID, sun}}, CodeGeneric}, // more than one
		{url.Values{"id": {mix.Playlist.ID}, "expires": {"1900000000000"}}, CodeGeneric},
		{nil, CodeMissingParam},
	} {
		if r := f.jsonCall(t, "createShare", bad.q); r.Error == nil || r.Error.Code != bad.code {
			t.Errorf("createShare %s: %+v, want error %d", bad.q.Encode(), r.Error, bad.code)
		}
	}
	if u := f.jsonCall(t, "getUser", nil).User; u == nil || !u.ShareRole {
		t.Errorf("getUser: %+v, want shareRole, so apps offer sharing", u)
	}
	if s := shares("at the end", nil); len(s) != 1 || s[0].URL != r.Shares.Shares[0].URL {
		t.Errorf("at the end: %+v, want Mix's share alone", s)
	}
}
