package origin

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// browserAccept is what Chromium sends when it opens an address.
const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"

// Every error a person's browser could reach on the origin (an address
// typed or cut short, a link with a revoked or unknown token, the origin
// asked for a token, a cover that is not there, a request of the wrong
// method) was the API's JSON error, which a browser shows as a line of
// code. A browser now gets a page of the same status and headers saying
// what was wrong and what to do; a client that does not prefer HTML (no
// Accept, */*, JSON) gets the same bytes as before.
func TestBrowserGetsAPageForEachError(t *testing.T) {
	ctx := context.Background()
	w, open, tw, tok, secret := openAndTokenOrigins(t)
	_, live := shared(t, tok.base, secret, "Live", []string{tw.hold})
	revokedPl, revoked := shared(t, tok.base, secret, "Revoked", []string{tw.hold})
	if err := clientFor(t, tok.base, secret).UnsharePlaylist(ctx, revokedPl.ID); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name, method, url string
		status            int
		page              string // what the page says
		header            string // a header the error has, which the page keeps
		json              string // the body any other client gets, as before
	}{
		{"the origin's address", "GET", open.base + "/", 404, "There is nothing at this address", "",
			`{"error":"no such route: see the origin HTTP API in docs/architecture.md"}`},
		{"a link cut at /p", "GET", open.base + "/p", 404, "copy it again, all of it", "",
			`{"error":"no such route: see the origin HTTP API in docs/architecture.md"}`},
		{"a POST to a GET route", "POST", open.base + "/api/v1/artists", 405, "does not take this request", "Allow",
			`{"error":"method not allowed on this route: see the origin HTTP API in docs/architecture.md"}`},
		{"a cover not there", "GET", open.base + "/api/v1/albums/" + w.homogenic + "/cover", 404, "is not in the library", "",
			`{"error":"cover of album ` + w.homogenic + ` not found"}`},
		{"a track not there", "GET", open.base + "/api/v1/tracks/nope/stream", 404, "track nope not found", "",
			`{"error":"track nope not found"}`},
		{"a malformed query", "GET", open.base + "/api/v1/search?q=%zz", 400, "copy it again", "",
			`{"error":"malformed query string: invalid URL escape \"%zz\" (a literal % is written %25)"}`},
		{"a token origin's address", "GET", tok.base + "/", 401, "This address needs a token", "WWW-Authenticate",
			`{"error":"a bearer token is required: create one with segue origin token create NAME"}`},
		{"a revoked link's stream", "GET", tok.base + "/api/v1/tracks/" + tw.hold + "/stream?share=" + revoked.Token, 401, "it was revoked: ask its owner for a new link", "WWW-Authenticate",
			`{"error":"the bearer token (or share link) is unknown or revoked"}`},
		{"a live link beyond its playlist", "GET", tok.base + "/api/v1/tracks/" + tw.joga + "/stream?share=" + live.Token, 403, "opens its own playlist and its tracks only", "",
			`{"error":"this share link does not grant access to /api/v1/tracks/` + tw.joga + `/stream"}`},
		{"a revoked link", "GET", revoked.String(), 404, "This share link is unknown or was revoked", "",
			`{"error":"` + shareGone + `"}`},
	} {
		resp, body := get(t, c.method, c.url, map[string]string{"Accept": browserAccept})
		if resp.StatusCode != c.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), c.page) ||
			!strings.Contains(string(body), `<link rel="icon" href="data:,">`) {
			t.Errorf("%s: a browser got %d %s\n%s\nwant %d, a page saying %q", c.name, resp.StatusCode, resp.Header.Get("Content-Type"), body, c.status, c.page)
		}
		if c.header != "" && resp.Header.Get(c.header) == "" {
			t.Errorf("%s: the page lost the error's %s header", c.name, c.header)
		}
		if !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Accept") {
			t.Errorf("%s: the page says Vary %q; want Accept in it", c.name, resp.Header.Values("Vary"))
		}
		for _, accept := range []string{"", "*/*", "application/json", "application/json, text/html;q=0.5"} {
			resp, body := get(t, c.method, c.url, map[string]string{"Accept": accept})
			if resp.StatusCode != c.status || resp.Header.Get("Content-Type") != "application/json" || string(body) != c.json+"\n" {
				t.Errorf("%s: a client with Accept %q got %d %s %s; want %d and, as before, %s", c.name, accept, resp.StatusCode, resp.Header.Get("Content-Type"), body, c.status, c.json)
			}
		}
	}
}

// A share link whose /p/ a phone's keyboard or a chat app capitalised
// (/P/TOKEN) was answered "no such route" in JSON, to a browser too (401,
// "a bearer token is required", on an origin that requires tokens). It
// now opens the playlist at the link itself, with what a chat app put
// after it dropped and the query kept, as /p/ is forgiving of those.
func TestCapitalisedShareLinkOpens(t *testing.T) {
	w, open, tw, tok, secret := openAndTokenOrigins(t)
	for name, r := range map[string]*running{"open": open, "token": tok} {
		owner := ""
		ids := []string{w.hold, w.joga}
		if r == tok {
			owner, ids = secret, []string{tw.hold, tw.joga}
		}
		_, link := shared(t, r.base, owner, "Shouted", ids)
		capital := r.base + "/P/" + link.Token
		for tail, want := range map[string]string{"": "", "/": "", ").": "", "?fbclid=1": "?fbclid=1", "/?fbclid=1": "?fbclid=1", ".m3u8,": ".m3u8"} {
			req, _ := http.NewRequest("GET", capital+tail, nil)
			req.Header.Set("Accept", browserAccept)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			wantPage := "<title>Shouted · segue</title>"
			if want == ".m3u8" {
				wantPage = "#EXTM3U"
			}
			if resp.StatusCode != 200 || resp.Request.URL.String() != link.String()+want || !strings.Contains(string(b), wantPage) {
				t.Errorf("%s origin, a browser at /P/TOKEN%s: %d at %s; want 200 at %s%s with %q", name, tail, resp.StatusCode, resp.Request.URL, link, want, wantPage)
			}
		}
	}
	// What is no share link under /P/ is refused as under /p/, saying why.
	resp, body := get(t, "GET", open.base+"/P/abc", map[string]string{"Accept": browserAccept})
	if resp.StatusCode != 301 || resp.Header.Get("Location") != "../p/abc" {
		t.Errorf("/P/abc: %d to %q %s; want 301 to ../p/abc", resp.StatusCode, resp.Header.Get("Location"), body)
	}
}

// openAndTokenOrigins starts an open origin over w's catalog and one that
// requires tokens over tw's, whose owner's token is secret.
func openAndTokenOrigins(t *testing.T) (w *world, open *running, tw *world, tok *running, secret string) {
	t.Helper()
	w = newWorld(t)
	open = startServer(t, ServerOptions{DataDir: w.dir}, "127.0.0.1:0")
	tw = newWorld(t)
	_, secret, err := CreateToken(context.Background(), tw.db, "owner")
	if err != nil {
		t.Fatal(err)
	}
	tok = startServer(t, ServerOptions{DataDir: tw.dir, RequireToken: true}, "127.0.0.1:0")
	return w, open, tw, tok, secret
}
