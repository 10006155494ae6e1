package origin

import (
	"strings"
	"testing"
)

// A share link cut short by a few characters (a chat app's or a terminal's
// line break; a drag that missed the end) still has a token's shape, so the
// origin knows no such link: its page said only that the link was revoked
// and to ask the owner for a new one, while copying it again, all of it,
// opens the playlist. The page now says to check that first.
func TestShareLinkCutShortSaysCopyItAgain(t *testing.T) {
	w := newWorld(t)
	r := startServer(t, ServerOptions{DataDir: w.dir}, "127.0.0.1:0")
	_, link := shared(t, r.base, "", "Cut", []string{w.hold})
	cut := strings.TrimSuffix(link.String(), link.Token[len(link.Token)-4:])
	resp, body := get(t, "GET", cut, map[string]string{"Accept": "text/html,application/xhtml+xml"})
	if resp.StatusCode != 404 || !strings.Contains(string(body), "copy it again, all of it") {
		t.Errorf("browser at %s (the link without its last 4 characters): %d\n%s\nwant 404, a page saying to copy the link again, all of it", cut, resp.StatusCode, body)
	}
	// as the share page: it names an empty icon, so the browser does not
	// ask the origin for /favicon.ico (401 in the console on an origin
	// that requires tokens)
	if !strings.Contains(string(body), `<link rel="icon" href="data:,">`) || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "img-src data:") {
		t.Errorf("the refused page names no icon the CSP allows (%q):\n%s", resp.Header.Get("Content-Security-Policy"), body)
	}
}

// A whole share link followed by an ending that names no playlist file
// (TOKEN.mp3, TOKEN.wpl) was answered that the link is cut
// and to copy it again, which does not help. Now the answer names the
// ending and the ones the origin makes, to a player and to a browser, and
// the link itself still opens. TOKEN.pls was such an ending, while
// playlist import reads PLS: it is now the playlist as PLS.
func TestShareLinkWithAnUnknownEndingSaysWhichEndings(t *testing.T) {
	w := newWorld(t)
	r := startServer(t, ServerOptions{DataDir: w.dir}, "127.0.0.1:0")
	_, link := shared(t, r.base, "", "Endings", []string{w.hold})
	for _, ext := range []string{".mp3", ".WPL", ".m3u8x"} {
		resp, body := get(t, "GET", link.String()+ext, nil)
		if resp.StatusCode != 404 || !strings.Contains(string(body), `ends in \"`+ext+`\"`) || !strings.Contains(string(body), ".m3u, .m3u8, .pls, .xspf") {
			t.Errorf("a player at the link + %s: %d %s; want 404 naming %s and the endings .m3u, .m3u8, .pls, .xspf", ext, resp.StatusCode, body, ext)
		}
		resp, body = get(t, "GET", link.String()+ext, map[string]string{"Accept": "text/html,application/xhtml+xml"})
		if resp.StatusCode != 404 || !strings.Contains(string(body), "This share link ends in "+ext) || strings.Contains(string(body), "not a whole share link") {
			t.Errorf("a browser at the link + %s: %d\n%s\nwant 404, a page naming the ending", ext, resp.StatusCode, body)
		}
	}
	if resp, body := get(t, "GET", link.String()+".m3u8", nil); resp.StatusCode != 200 || !strings.HasPrefix(string(body), "#EXTM3U") {
		t.Errorf("the link + .m3u8: %d %s; want the playlist file", resp.StatusCode, body)
	}
	for _, ext := range []string{".pls", ".PLS"} {
		resp, body := get(t, "GET", link.String()+ext, nil)
		if resp.StatusCode != 200 || !strings.HasPrefix(string(body), "[playlist]\nFile1="+r.base+"/api/v1/tracks/") ||
			resp.Header.Get("Content-Type") != "audio/x-scpls; charset=utf-8" {
			t.Errorf("the link + %s: %d %s %s; want the playlist as PLS (audio/x-scpls)", ext, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
}
