package origin

import (
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"segue/catalog"
	"segue/net/originclient"
)

func clientFor(t *testing.T, base, token string) *originclient.Client {
	t.Helper()
	c, err := originclient.New(base, originclient.Options{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Acceptance 2 of issue 7: with tokens required, a share link reads its own
// tracks' manifests, segments and covers, is refused (403) for anything
// else, and is refused altogether after unshare.
func TestShareLinkIsACapability(t *testing.T) { forEachEngine(t, testShareLinkIsACapability) }

func testShareLinkIsACapability(t *testing.T, e engine) {
	w := newWorldOn(t, e)
	ctx := context.Background()
	_, aliceSecret, err := CreateToken(ctx, w.db, "alice")
	if err != nil {
		t.Fatal(err)
	}
	_, bobSecret, _ := CreateToken(ctx, w.db, "bob")
	r := startServer(t, ServerOptions{DataDir: w.dir, Catalog: w.catalog, RequireToken: true}, "127.0.0.1:0")
	alice, bob, anon := clientFor(t, r.base, aliceSecret), clientFor(t, r.base, bobSecret), clientFor(t, r.base, "")

	if _, err := anon.Playlists(ctx); !errors.Is(err, originclient.ErrUnauthorized) {
		t.Fatalf("no token: %v, want ErrUnauthorized", err)
	}
	pl, err := alice.CreatePlaylist(ctx, "Lemonade bits", []string{w.formation, w.hold})
	if err != nil || pl.TrackCount != 2 {
		t.Fatalf("create: %+v %v", pl, err)
	}
	if _, err := bob.Playlist(ctx, pl.ID); !errors.Is(err, originclient.ErrNotFound) {
		t.Fatalf("bob reads alice's playlist: %v", err)
	}
	link, err := alice.SharePlaylist(ctx, pl.ID)
	if err != nil || link.Origin != r.base || len(link.Token) < 22 {
		t.Fatalf("share: %+v %v", link, err)
	}
	holder := clientFor(t, link.Origin, link.Token)
	got, err := holder.SharedPlaylist(ctx, link.Token)
	if err != nil || got.ID != pl.ID || len(got.Tracks) != 2 || got.ShareURL != link.String() {
		t.Fatalf("open link: %+v %v", got, err)
	}
	m, err := holder.Manifest(ctx, w.formation)
	if err != nil {
		t.Fatalf("manifest through the link: %v", err)
	}
	if _, err := holder.Chunk(ctx, m.Renditions[0].Segments[1].Hash); err != nil {
		t.Fatalf("segment through the link: %v", err)
	}
	if _, _, err := holder.Cover(ctx, w.lemonade); err != nil {
		t.Fatalf("cover through the link: %v", err)
	}
	joga, _ := alice.Manifest(ctx, w.joga)
	for name, err := range map[string]error{
		"track not in playlist":   func() error { _, err := holder.Track(ctx, w.joga); return err }(),
		"segment not in playlist": func() error { _, err := holder.Chunk(ctx, joga.Renditions[0].Segments[0].Hash); return err }(),
		"search":                  func() error { _, err := holder.Search(ctx, "beyo", 5); return err }(),
		"list playlists":          func() error { _, err := holder.Playlists(ctx); return err }(),
		"edit playlist":           func() error { _, err := holder.RenamePlaylist(ctx, pl.ID, "mine now"); return err }(),
	} {
		if !errors.Is(err, originclient.ErrUnauthorized) || !strings.Contains(err.Error(), "403") {
			t.Errorf("%s through the link: %v, want 403", name, err)
		}
	}
	if err := alice.UnsharePlaylist(ctx, pl.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := holder.Chunk(ctx, m.Renditions[0].Segments[1].Hash); !errors.Is(err, originclient.ErrUnauthorized) {
		t.Fatalf("segment after unshare: %v, want refused", err)
	}
	if _, err := holder.SharedPlaylist(ctx, link.Token); !errors.Is(err, originclient.ErrNotFound) {
		t.Fatalf("link after unshare: %v, want not found", err)
	}
}

func TestPlaylistAPIEditsAndErrors(t *testing.T) { forEachEngine(t, testPlaylistAPIEditsAndErrors) }

func testPlaylistAPIEditsAndErrors(t *testing.T, e engine) {
	w := newWorldOn(t, e)
	ctx := context.Background()
	r := startServer(t, w.serverOptions(), "127.0.0.1:0")
	c := clientFor(t, r.base, "")
	pl, err := c.CreatePlaylist(ctx, "Mix", nil)
	if err != nil {
		t.Fatal(err)
	}
	if pl, err = c.AddToPlaylist(ctx, pl.ID, []string{w.joga, w.touch, w.getLucky}, -1); err != nil {
		t.Fatal(err)
	}
	if pl, err = c.MoveInPlaylist(ctx, pl.ID, 2, 0, w.getLucky); err != nil || pl.Tracks[0].ID != w.getLucky {
		t.Fatalf("move: %v %v", trackIDsOf(pl), err)
	}
	if pl, err = c.RemoveFromPlaylist(ctx, pl.ID, 1, w.joga); err != nil || len(pl.Tracks) != 2 || pl.Tracks[1].ID != w.touch {
		t.Fatalf("remove: %v %v", trackIDsOf(pl), err)
	}
	if pl, err = c.RenamePlaylist(ctx, pl.ID, "Renamed"); err != nil || pl.Name != "Renamed" {
		t.Fatalf("rename: %+v %v", pl, err)
	}
	if ls, err := c.Playlists(ctx); err != nil || len(ls) != 1 || ls[0].TrackCount != 2 {
		t.Fatalf("list: %+v %v", ls, err)
	}
	cases := []struct {
		method, path, body string
		status             int
	}{
		{"POST", "/api/v1/playlists", `{"name": ""}`, 400},
		{"POST", "/api/v1/playlists", `{"name": "x", "bogus": 1}`, 400},
		{"POST", "/api/v1/playlists", `not json`, 400},
		{"POST", "/api/v1/playlists", `{"name": "x"} {"name": "y"}`, 400}, // two: it made x alone, 201
		{"POST", "/api/v1/playlists", `{"name": "x"}}`, 400},
		{"POST", "/api/v1/playlists/" + pl.ID + "/tracks", `{"track_ids": ["tnope"]}`, 404},
		{"POST", "/api/v1/playlists/" + pl.ID + "/tracks", `{"track_ids": ["` + w.joga + `"], "position": 0}`, 400},
		{"POST", "/api/v1/playlists/" + pl.ID + "/tracks", `{"track_ids": ["` + w.joga + `"], "position": 4}`, 400}, // past the end: it appended
		{"POST", "/api/v1/playlists/" + pl.ID + "/move", `{"from": 1}`, 400},
		{"POST", "/api/v1/playlists/" + pl.ID + "/move", `{"from": 0, "to": 1}`, 400},
		{"POST", "/api/v1/playlists/" + pl.ID + "/move", `{"from": 1, "to": 3}`, 400},
		{"DELETE", "/api/v1/playlists/" + pl.ID + "/tracks/x", ``, 400},
		{"DELETE", "/api/v1/playlists/" + pl.ID + "/tracks/0", ``, 400},
		{"DELETE", "/api/v1/playlists/" + pl.ID + "/tracks/3", ``, 400},
		{"GET", "/api/v1/playlists/plnope", ``, 404},
		{"PUT", "/api/v1/playlists/" + pl.ID, ``, 405},
		{"GET", "/p/short", ``, 400},
		{"GET", "/p/" + strings.Repeat("A", 43), ``, 404},
	}
	for _, tc := range cases {
		resp, body := do(t, tc.method, r.base+tc.path, tc.body)
		wantError(t, resp, body, tc.status)
	}
	// a position past any int is one past the end, said as 3 is (it was
	// "position must be a whole number")
	for _, pos := range []string{"3", "99999999999999999999"} {
		resp, body := do(t, "DELETE", r.base+"/api/v1/playlists/"+pl.ID+"/tracks/"+pos, "")
		wantError(t, resp, body, 400)
		if want := `{"error":"there is no track at position ` + pos + `: positions go from 1 to 2"}`; strings.TrimSpace(string(body)) != want {
			t.Errorf("DELETE .../tracks/%s: %s; want %s", pos, body, want)
		}
	}
	resp, body := do(t, "DELETE", r.base+"/api/v1/playlists/plnope/tracks/99999999999999999999", "")
	wantError(t, resp, body, 404)
	if err := c.DeletePlaylist(ctx, pl.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Playlist(ctx, pl.ID); !errors.Is(err, originclient.ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
}

// TestCreatePlaylistWithUnknownTrackMakesNone: a create whose tracks
// include one the catalog does not have answers 404 and leaves no
// playlist behind; it left an empty one, so segue playlist create NAME
// t1 tTYPO failed (exit 3) and still made NAME, again at each retry.
func TestCreatePlaylistWithUnknownTrackMakesNone(t *testing.T) {
	w := newWorldOn(t, sqliteEngine)
	r := startServer(t, w.serverOptions(), "127.0.0.1:0")
	c := clientFor(t, r.base, "")
	resp, body := do(t, "POST", r.base+"/api/v1/playlists", `{"name": "Typo", "track_ids": ["`+w.joga+`", "tnope"]}`)
	wantError(t, resp, body, 404)
	if ls, err := c.Playlists(context.Background()); err != nil || len(ls) != 0 {
		t.Errorf("after a refused create: playlists %+v, %v; want none", ls, err)
	}
}

func TestSharePageHTML(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	r := startServer(t, ServerOptions{DataDir: w.dir}, "127.0.0.1:0")
	c := clientFor(t, r.base, "")
	pl, _ := c.CreatePlaylist(ctx, "Björk & <friends>", []string{w.joga, w.formation})
	link, err := c.SharePlaylist(ctx, pl.ID)
	if err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, "GET", link.String(), map[string]string{"Accept": "text/html,application/xhtml+xml"})
	page := string(body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("status %d type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// the link's playlist file for other players (mpv, VLC), next to the page
	for _, want := range []string{"Björk &amp; &lt;friends&gt;", "Jóga", "Formation", "segue play " + link.String(),
		`<a href="` + link.Token + `.m3u8" download>`,
		`<img src="../api/v1/albums/` + w.lemonade + "/cover?share=" + link.Token + `" alt="Cover of Lemonade">`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, u := range regexp.MustCompile(`[a-z]+://[^"'\s<]+`).FindAllString(page, -1) {
		if !strings.HasPrefix(u, r.base+"/") {
			t.Errorf("page refers to an outside resource: %s", u)
		}
	}
	// Issue 19: Open Graph tags, one <audio> per track on its stream, and
	// the only script carries the nonce the CSP names.
	for _, want := range []string{`<meta property="og:title" content="Björk &amp; &lt;friends&gt;">`,
		`<meta property="og:url" content="` + link.String() + `">`,
		`<meta property="og:image" content="` + r.base + "/api/v1/albums/" + w.lemonade + "/cover?share=" + link.Token + `">`,
		`<meta name="twitter:card" content="summary_large_image">`,
		`<audio controls preload="none" src="../api/v1/tracks/` + w.joga + "/stream?share=" + link.Token + `" data-ms="`,
		`" aria-label="Jóga — Björk">`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	nonce := regexp.MustCompile(`<script nonce="([^"]+)">`).FindStringSubmatch(page)
	csp := resp.Header.Get("Content-Security-Policy")
	if nonce == nil || len(nonce[1]) < 16 || !strings.Contains(csp, "script-src 'nonce-"+nonce[1]+"'") || strings.Count(page, "<script") != 1 {
		t.Errorf("script nonce %q, CSP %q", nonce, csp)
	}
	// The script plays the tracks through a MediaSource, whose object URL
	// is blob:.
	if !strings.Contains(csp, "media-src 'self' blob:;") {
		t.Errorf("CSP %q lets the page play no MediaSource (media-src blob:)", csp)
	}
	if resp2, _ := get(t, "GET", link.String(), map[string]string{"Accept": "text/html"}); resp2.Header.Get("Content-Security-Policy") == csp {
		t.Error("two answers share one CSP nonce")
	}
	// A link with a slash after the token (as a chat app or a hand may add
	// one) is the same page, and the same JSON for clients: it was the
	// JSON 404 of an unknown path.
	resp, body = get(t, "GET", link.String()+"/", map[string]string{"Accept": "text/html"})
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), "<h1><bdi>Björk &amp; &lt;friends&gt;</bdi></h1>") {
		t.Errorf("browser at %s/: %d %q\n%s\nwant the share page", link, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	_, plain := get(t, "GET", link.String(), nil)
	if resp, body := get(t, "GET", link.String()+"/", nil); resp.StatusCode != 200 || string(body) != string(plain) {
		t.Errorf("client at %s/: %d %s; want the playlist as at %s: %s", link, resp.StatusCode, body, link, plain)
	}
	if resp, _ := get(t, "GET", link.String()+"/more", map[string]string{"Accept": "text/html"}); resp.StatusCode != 404 {
		t.Errorf("browser at %s/more: %d, want 404 (only a slash after the token is the page)", link, resp.StatusCode)
	}

	// A link that opens nothing is a page saying so in a browser (it was
	// the JSON error), and stays the JSON error for clients.
	revoked := link.Origin + "/p/" + strings.Repeat("A", 43)
	// The JSON error says what to do too (the CLI shows it): it said only
	// "unknown or was revoked", and "malformed share link token".
	gone := "this share link is unknown or was revoked: check that you have the whole link, or ask the playlist's owner for a new one"
	cut := "this is not a whole share link (its token is malformed): copy the link again, all of it"
	for _, c := range []struct {
		url, says, json string
		status          int
	}{
		{revoked, "This share link is unknown or was revoked", gone, 404},
		{link.Origin + "/p/cut", "This is not a whole share link", cut, 400},
		{revoked + "/", "This share link is unknown or was revoked", gone, 404},
		{link.Origin + "/p/cut/", "This is not a whole share link", cut, 400},
	} {
		resp, body := get(t, "GET", c.url, map[string]string{"Accept": "text/html,application/xhtml+xml"})
		if resp.StatusCode != c.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), "<h1>"+c.says+"</h1>") {
			t.Errorf("browser at %s: %d %q\n%s\nwant %d, a page saying %q", c.url, resp.StatusCode, resp.Header.Get("Content-Type"), body, c.status, c.says)
		}
		resp, body = get(t, "GET", c.url, nil)
		if resp.StatusCode != c.status || !strings.Contains(string(body), `"error":"`+c.json+`"`) {
			t.Errorf("client at %s: %d %s; want %d and the JSON error %q", c.url, resp.StatusCode, body, c.status, c.json)
		}
	}
}

// do sends a request with a JSON body and returns the answer read.
func do(t *testing.T, method, url, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// The share page and its chat preview said "1 tracks" for a playlist of
// one track; counts on the page say a track as the client does.
func TestSharePageCountsOneTrack(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	r := startServer(t, ServerOptions{DataDir: w.dir}, "127.0.0.1:0")
	c := clientFor(t, r.base, "")
	pl, err := c.CreatePlaylist(ctx, "Solo", []string{w.joga})
	if err != nil {
		t.Fatal(err)
	}
	link, err := c.SharePlaylist(ctx, pl.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, body := get(t, "GET", link.String(), map[string]string{"Accept": "text/html"})
	page := string(body)
	if strings.Contains(page, "1 tracks") || !strings.Contains(page, `<meta property="og:description" content="Playlist · 1 track · listen`) ||
		!strings.Contains(page, `<div class="meta">1 track · `) {
		t.Errorf("share page of one track does not say \"1 track\" in its preview and its header:\n%s", page)
	}
}

// The share page of a playlist with no tracks (made empty, or whose tracks
// were all removed from the library) says so and what to do. It was the
// page of a full playlist with nothing in it: an empty table, a "Play all"
// that did nothing and "segue play" of a link that plays nothing.
func TestSharePageOfNoTracks(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	r := startServer(t, ServerOptions{DataDir: w.dir}, "127.0.0.1:0")
	c := clientFor(t, r.base, "")
	empty, err := c.CreatePlaylist(ctx, "Nothing yet", nil)
	if err != nil {
		t.Fatal(err)
	}
	gone, err := c.CreatePlaylist(ctx, "All gone", []string{w.joga})
	if err != nil {
		t.Fatal(err)
	}
	w.exec(`DELETE FROM tracks WHERE id = ?`, w.joga) // what a remove of its folder leaves
	for _, pl := range []catalog.Playlist{empty, gone} {
		link, err := c.SharePlaylist(ctx, pl.ID)
		if err != nil {
			t.Fatal(err)
		}
		resp, body := get(t, "GET", link.String(), map[string]string{"Accept": "text/html"})
		page := string(body)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("%s: status %d type %q, want 200 and a page", pl.Name, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		for _, want := range []string{"<h1><bdi>" + pl.Name + "</bdi></h1>", "This playlist is empty", "Ask its owner to add tracks",
			`<meta property="og:description" content="Playlist · empty`} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: page lacks %q:\n%s", pl.Name, want, page)
			}
		}
		for _, not := range []string{"0 tracks", "Play all", "<table", "segue play ", "<script"} {
			if strings.Contains(page, not) {
				t.Errorf("%s: page has %q, which an empty playlist has no use for", pl.Name, not)
			}
		}
	}
}

// A share link answers the page or the JSON as Accept's q-values say,
// not by which type is named first: "text/html;q=0" (not acceptable) and
// "text/html;q=0.1, application/json" got the page.
func TestShareLinkAcceptQValues(t *testing.T) {
	w := newWorld(t)
	r := startServer(t, ServerOptions{DataDir: w.dir}, "127.0.0.1:0")
	c := clientFor(t, r.base, "")
	pl, _ := c.CreatePlaylist(context.Background(), "Q", []string{w.joga})
	link, err := c.SharePlaylist(context.Background(), pl.ID)
	if err != nil {
		t.Fatal(err)
	}
	for accept, want := range map[string]string{
		"text/html;q=0, application/json":            "application/json",
		"text/html;q=0":                              "application/json",
		"text/html;q=0.1, application/json":          "application/json",
		"application/json;q=0.5, text/html":          "text/html",
		"text/html,application/xhtml+xml,*/*;q=0.8":  "text/html",
		"application/json, text/html":                "application/json",
		"text/html, application/json":                "text/html",
		"TEXT/HTML ; Q=0.9 , application/json;q=0.8": "text/html",
		"*/*": "application/json",
		"":    "application/json",
	} {
		resp, _ := get(t, "GET", link.String(), map[string]string{"Accept": accept})
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), want) {
			t.Errorf("Accept %q: %d %q; want %s", accept, resp.StatusCode, resp.Header.Get("Content-Type"), want)
		}
	}
}

// Two devices edit one playlist at once: A removes position 2, then B,
// whose view is stale, removes "position 2" meaning the track it saw
// there. Each edit by position names the track it expects there (?track=
// for a remove, "track" for a move, "before" for an insert); the origin
// refused nothing, so B deleted the track after the one it meant. Now a
// mismatch is 409 naming what the position holds now, and changes
// nothing; an edit naming no track still works as before.
func TestPlaylistEditByPositionNamesItsTrack(t *testing.T) {
	forEachEngine(t, testPlaylistEditByPositionNamesItsTrack)
}

func testPlaylistEditByPositionNamesItsTrack(t *testing.T, e engine) {
	w := newWorldOn(t, e)
	ctx := context.Background()
	r := startServer(t, w.serverOptions(), "127.0.0.1:0")
	c := clientFor(t, r.base, "")
	pl, err := c.CreatePlaylist(ctx, "Mix", []string{w.joga, w.touch, w.getLucky, w.formation})
	if err != nil {
		t.Fatal(err)
	}
	at := r.base + "/api/v1/playlists/" + pl.ID
	// both devices see joga, touch, getLucky, formation; A removes touch
	resp, body := do(t, "DELETE", at+"/tracks/2?track="+w.touch, "")
	if resp.StatusCode != 200 {
		t.Fatalf("A's remove: %d %s", resp.StatusCode, body)
	}
	after := []string{w.joga, w.getLucky, w.formation}
	stale := []struct{ method, path, body string }{
		{"DELETE", "/tracks/2?track=" + w.touch, ``},                                                            // B removes touch too
		{"POST", "/move", `{"from": 2, "to": 1, "track": "` + w.touch + `"}`},                                   // B moves touch up
		{"POST", "/tracks", `{"track_ids": ["` + w.joga + `"], "position": 3, "before": "` + w.getLucky + `"}`}, // B inserts before getLucky
	}
	for _, s := range stale {
		resp, body := do(t, s.method, at+s.path, s.body)
		wantError(t, resp, body, http.StatusConflict)
		if !strings.Contains(string(body), "reload") || !strings.Contains(string(body), w.getLucky) && !strings.Contains(string(body), w.formation) {
			t.Errorf("%s %s: %s; want what the position holds now and to reload", s.method, s.path, body)
		}
		if got, err := c.Playlist(ctx, pl.ID); err != nil || !slices.Equal(trackIDsOf(got), after) {
			t.Fatalf("after B's stale %s %s: %v %v; want %v unchanged", s.method, s.path, trackIDsOf(got), err, after)
		}
	}
	// the client library sends the track and tells the refusal by its kind,
	// its sentence what the position holds now
	for name, edit := range map[string]func() (catalog.Playlist, error){
		"remove": func() (catalog.Playlist, error) { return c.RemoveFromPlaylist(ctx, pl.ID, 1, w.touch) },
		"move":   func() (catalog.Playlist, error) { return c.MoveInPlaylist(ctx, pl.ID, 1, 0, w.touch) },
	} {
		_, err := edit()
		var se *originclient.StatusError
		if !errors.Is(err, catalog.ErrPlaylistChanged) || !errors.As(err, &se) ||
			!strings.Contains(se.Sentence(), "position 2 now holds “Get Lucky” ("+w.getLucky+"), not "+w.touch) || !strings.Contains(se.Sentence(), "reload") {
			t.Fatalf("client %s from a stale view: %v; want ErrPlaylistChanged saying what position 2 holds", name, err)
		}
	}
	if got, err := c.Playlist(ctx, pl.ID); err != nil || !slices.Equal(trackIDsOf(got), after) {
		t.Fatalf("after the client's stale edits: %v %v; want %v unchanged", trackIDsOf(got), err, after)
	}
	// "before" names the track at "position": alone it says nothing
	resp, body = do(t, "POST", at+"/tracks", `{"track_ids": ["`+w.joga+`"], "before": "`+w.getLucky+`"}`)
	wantError(t, resp, body, http.StatusBadRequest)
	// a position the stale view had and the playlist no longer has
	resp, body = do(t, "DELETE", at+"/tracks/4?track="+w.formation, "")
	wantError(t, resp, body, http.StatusConflict)
	if want := "there is no track at position 4 now"; !strings.Contains(string(body), want) {
		t.Errorf("remove past the end: %s; want %q", body, want)
	}
	// the expected track where it is: done
	resp, body = do(t, "POST", at+"/move", `{"from": 3, "to": 1, "track": "`+w.formation+`"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("move naming the right track: %d %s", resp.StatusCode, body)
	}
	resp, body = do(t, "POST", at+"/tracks", `{"track_ids": ["`+w.touch+`"], "position": 3, "before": "`+w.getLucky+`"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("insert naming the right track: %d %s", resp.StatusCode, body)
	}
	// an old client that names no track: by position alone, as before
	resp, body = do(t, "DELETE", at+"/tracks/1", "")
	if resp.StatusCode != 200 {
		t.Fatalf("remove naming no track: %d %s", resp.StatusCode, body)
	}
	if got, err := c.Playlist(ctx, pl.ID); err != nil || !slices.Equal(trackIDsOf(got), []string{w.joga, w.touch, w.getLucky}) {
		t.Fatalf("at the end: %v %v; want joga, touch, getLucky", trackIDsOf(got), err)
	}
	removeAtOnce(t, w, r.base, c)
}

// removeAtOnce: two devices remove the track they both see first at once:
// the check of the named track and the removal are one transaction, so
// one removes it and the other is refused (409), never removing the track
// after it.
func removeAtOnce(t *testing.T, w *world, base string, c *originclient.Client) {
	ctx := context.Background()
	for round := range 5 {
		pl, err := c.CreatePlaylist(ctx, "Mix", []string{w.joga, w.touch, w.getLucky})
		if err != nil {
			t.Fatal(err)
		}
		codes := make(chan int, 2)
		for range 2 {
			go func() {
				req, _ := http.NewRequest("DELETE", base+"/api/v1/playlists/"+pl.ID+"/tracks/1?track="+w.joga, nil)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					codes <- 0
					return
				}
				resp.Body.Close()
				codes <- resp.StatusCode
			}()
		}
		got := []int{<-codes, <-codes}
		slices.Sort(got)
		if !slices.Equal(got, []int{200, 409}) {
			t.Fatalf("round %d: the two removes answered %v; want one 200, one 409", round, got)
		}
		if now, err := c.Playlist(ctx, pl.ID); err != nil || !slices.Equal(trackIDsOf(now), []string{w.touch, w.getLucky}) {
			t.Fatalf("round %d: %v %v; want touch, getLucky", round, trackIDsOf(now), err)
		}
	}
}
