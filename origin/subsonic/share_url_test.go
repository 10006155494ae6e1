package subsonic

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"segue/internal/testkit"
)

// dsubShareURL is what DSub makes of a share's url (ShareParser in
// daneren2005/Subsonic): the last path segment, after the server's address
// and "share/", the layout of Subsonic's own share links.
func dsubShareURL(server, shareURL string) string {
	return regexp.MustCompile(`.*/([^/?]+).*`).ReplaceAllString(shareURL, strings.TrimSuffix(server, "/")+"/share/$1")
}

// TestShareURLAsSubsonicLaysItOut: /share/TOKEN, where Subsonic and
// Navidrome serve share links and where DSub sends its user whatever url
// getShares gave (it keeps the last segment only), is a permanent redirect
// to the share page /p/TOKEN, without credentials, as /p/ is; a path there
// that is no token is 404. Before, DSub's share links led to the
// origin's 404 page, "There is nothing at this address".
func TestShareURLAsSubsonicLaysItOut(t *testing.T) {
	f := newFixture(t)
	mix := f.jsonCall(t, "createPlaylist", url.Values{"name": {"Mix"}, "songId": {f.tracks["Morning Tide"].ID}})
	mustOK(t, "createPlaylist", mix)
	r := f.jsonCall(t, "createShare", url.Values{"id": {mix.Playlist.ID}})
	mustOK(t, "createShare", r)
	if r.Shares == nil || len(r.Shares.Shares) != 1 {
		t.Fatalf("createShare: %+v, want one share", r.Shares)
	}
	page := r.Shares.Shares[0].URL
	token := page[strings.LastIndex(page, "/")+1:]
	for _, server := range []string{f.base, f.base + "/"} {
		u := dsubShareURL(server, page)
		if u != f.base+"/share/"+token {
			t.Fatalf("DSub's URL of %s: %s", page, u)
		}
		req, err := http.NewRequest("GET", u, nil)
		if err != nil {
			t.Fatal(err)
		}
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, body := testkit.Do(t, noFollow, req)
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/p/"+token {
			t.Errorf("GET %s: %s, Location %q; want 301 to /p/%s\n%s", u, resp.Status, resp.Header.Get("Location"), token, body)
		}
		req.Header.Set("Accept", "text/html")
		resp, body = testkit.Do(t, nil, req)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Mix") {
			t.Errorf("GET %s, followed: %s; want the share page of Mix\n%.300s", u, resp.Status, body)
		}
	}
	for _, bad := range []string{"/share/", "/share/not%20a%20token", "/share/" + token + "/more"} {
		req, _ := http.NewRequest("GET", f.base+bad, nil)
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		if resp, body := testkit.Do(t, noFollow, req); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %s, want 404\n%s", bad, resp.Status, body)
		}
	}
}
