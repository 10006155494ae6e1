package origin

import (
	"bytes"
	"context"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"segue/share"
)

// A share link's playlist file with its ending in capitals (TOKEN.M3U8, as
// a phone's keyboard or an old habit writes it) was refused as "no playlist
// file the origin makes: end it in .m3u8 (lower case)": endings of files
// are any case to their users. Every ending the origin makes is now taken
// in any case, and answers what the lower-case one does.
func TestShareLinkFileEndingInAnyCase(t *testing.T) {
	w := newWorld(t)
	r := startServer(t, ServerOptions{DataDir: w.dir}, "127.0.0.1:0")
	_, link := shared(t, r.base, "", "Endings", []string{w.hold, w.joga})
	for _, format := range slices.Sorted(maps.Keys(share.PlaylistFormats)) {
		lower, lowerBody := get(t, "GET", link.String()+"."+format, nil)
		if lower.StatusCode != 200 || len(lowerBody) == 0 {
			t.Fatalf("the link + .%s: %d %s; want the playlist file", format, lower.StatusCode, lowerBody)
		}
		mixed := []byte(format)
		mixed[0] -= 'a' - 'A' // M3u8, Xspf
		for _, ext := range []string{strings.ToUpper(format), string(mixed)} {
			resp, body := get(t, "GET", link.String()+"."+ext, nil)
			if resp.StatusCode != 200 || !bytes.Equal(body, lowerBody) {
				t.Errorf("the link + .%s: %d\n%s\nwant 200 and what .%s answers:\n%s", ext, resp.StatusCode, body, format, lowerBody)
			}
			for _, h := range []string{"Content-Type", "Content-Disposition", "ETag"} {
				if got, want := resp.Header.Get(h), lower.Header.Get(h); got != want {
					t.Errorf("the link + .%s: %s %q; want %q, as .%s", ext, h, got, want, format)
				}
			}
		}
	}
}

// The answers of a share link differ by Accept (a page for a browser, JSON
// for segue; a refusal as either), but said nothing of it: a cache between
// them (a proxy, a CDN, a browser's own) could hand the JSON it kept to a
// browser, or the page to segue. Every answer now says Vary: Accept.
func TestShareLinkAnswersVaryByAccept(t *testing.T) {
	w := newWorld(t)
	r := startServer(t, ServerOptions{DataDir: w.dir}, "127.0.0.1:0")
	c := clientFor(t, r.base, "")
	_, link := shared(t, r.base, "", "Vary", []string{w.hold})
	revoked, gone := shared(t, r.base, "", "Revoked", []string{w.joga})
	if err := c.UnsharePlaylist(context.Background(), revoked.ID); err != nil {
		t.Fatal(err)
	}
	cut := strings.TrimSuffix(link.String(), link.Token[10:]) // no token's shape
	page := map[string]string{"Accept": "text/html,application/xhtml+xml"}
	json := map[string]string{"Accept": "application/json"}
	for _, tc := range []struct {
		name, url string
		status    int
	}{
		{"the link", link.String(), 200},
		{"the link with a slash", link.String() + "/", 200},
		{"its playlist file", link.String() + ".m3u8", 200},
		{"its playlist file in capitals", link.String() + ".XSPF", 200},
		{"a revoked link", gone.String(), 404},
		{"a revoked link's file", gone.String() + ".m3u8", 404},
		{"a cut link", cut, 400},
		{"an unknown ending", link.String() + ".mp3", 404},
	} {
		for _, hdr := range []map[string]string{page, json, nil} {
			resp, body := get(t, "GET", tc.url, hdr)
			if resp.StatusCode != tc.status || !varies(resp, "Accept") {
				t.Errorf("%s, Accept %q: %d, Vary %q\n%.200s\nwant %d, Vary: Accept", tc.name, hdr["Accept"], resp.StatusCode, resp.Header.Values("Vary"), body, tc.status)
			}
		}
	}
	// revalidating the JSON it keeps, a cache is told again what it varies by
	first, _ := get(t, "GET", link.String(), json)
	resp, _ := get(t, "GET", link.String(), map[string]string{"Accept": "application/json", "If-None-Match": first.Header.Get("ETag")})
	if resp.StatusCode != 304 || !varies(resp, "Accept") {
		t.Errorf("the link's JSON, revalidated: %d, Vary %q; want 304, Vary: Accept", resp.StatusCode, resp.Header.Values("Vary"))
	}
}

// varies reports whether resp's Vary names header.
func varies(resp *http.Response, header string) bool {
	for _, v := range resp.Header.Values("Vary") {
		for f := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), header) {
				return true
			}
		}
	}
	return false
}
