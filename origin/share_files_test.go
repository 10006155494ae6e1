package origin

import (
	"bytes"
	"context"
	"maps"
	"net/http"
	"slices"
	"strconv"
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
			// User-Agent too: a chat app's crawler gets the page, a media
			// player the playlist file (previewBot, mediaPlayer)
			if resp.StatusCode != tc.status || !varies(resp, "Accept") || !varies(resp, "User-Agent") {
				t.Errorf("%s, Accept %q: %d, Vary %q\n%.200s\nwant %d, Vary: Accept, User-Agent", tc.name, hdr["Accept"], resp.StatusCode, resp.Header.Values("Vary"), body, tc.status)
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

// A share link's playlist file was sent whole every time: no ETag, so a
// player or cache asking again got it all again; a Range (a download
// manager resuming, a player probing) got 200 and the whole file. It is
// now answered as any static file: a strong ETag from its bytes, 304 to
// If-None-Match, HEAD with the length and no body, 206 to a Range.
func TestShareLinkFileAnswersLikeAStaticFile(t *testing.T) {
	w := newWorld(t)
	r := startServer(t, ServerOptions{DataDir: w.dir}, "127.0.0.1:0")
	c := clientFor(t, r.base, "")
	pl, link := shared(t, r.base, "", "Static", []string{w.hold})
	etags := map[string]string{}
	for _, format := range slices.Sorted(maps.Keys(share.PlaylistFormats)) {
		file := link.String() + "." + format
		resp, whole := get(t, "GET", file, nil)
		etag := resp.Header.Get("ETag")
		if resp.StatusCode != 200 || len(etag) < 3 || etag[0] != '"' || !strings.HasSuffix(etag, `"`) {
			t.Fatalf("GET %s: %d, ETag %q; want 200 and a strong ETag", file, resp.StatusCode, etag)
		}
		if other, ok := etags[etag]; ok && !bytes.Equal([]byte(other), whole) {
			t.Errorf(".%s has the ETag %s of another file", format, etag)
		}
		etags[etag] = string(whole)
		if again, _ := get(t, "GET", file, nil); again.Header.Get("ETag") != etag {
			t.Errorf("GET %s again: ETag %q; want %q (nothing changed)", file, again.Header.Get("ETag"), etag)
		}

		resp, body := get(t, "GET", file, map[string]string{"If-None-Match": etag})
		if resp.StatusCode != 304 || len(body) != 0 {
			t.Errorf("GET %s, If-None-Match %s: %d, %d bytes; want 304 and no body", file, etag, resp.StatusCode, len(body))
		}

		resp, body = get(t, "HEAD", file, nil)
		if resp.StatusCode != 200 || len(body) != 0 || resp.Header.Get("Content-Length") != strconv.Itoa(len(whole)) ||
			resp.Header.Get("ETag") != etag || resp.Header.Get("Content-Type") != share.PlaylistFormats[format] {
			t.Errorf("HEAD %s: %d, %d bytes, Content-Length %q, ETag %q, Content-Type %q; want 200, no body, %d, %s, %s",
				file, resp.StatusCode, len(body), resp.Header.Get("Content-Length"), resp.Header.Get("ETag"), resp.Header.Get("Content-Type"),
				len(whole), etag, share.PlaylistFormats[format])
		}

		resp, body = get(t, "GET", file, map[string]string{"Range": "bytes=5-20"})
		wantRange := "bytes 5-20/" + strconv.Itoa(len(whole))
		if resp.StatusCode != 206 || resp.Header.Get("Content-Range") != wantRange || !bytes.Equal(body, whole[5:21]) {
			t.Errorf("GET %s, Range bytes=5-20: %d, Content-Range %q, %q; want 206, %q, %q", file, resp.StatusCode,
				resp.Header.Get("Content-Range"), body, wantRange, whole[5:21])
		}
		resp, body = get(t, "GET", file, map[string]string{"Range": "bytes=" + strconv.Itoa(len(whole)) + "-"})
		if resp.StatusCode != 416 || resp.Header.Get("Content-Range") != "bytes */"+strconv.Itoa(len(whole)) {
			t.Errorf("GET %s, a Range past its end: %d, Content-Range %q %s; want 416, bytes */%d", file, resp.StatusCode,
				resp.Header.Get("Content-Range"), body, len(whole))
		}
		resp, body = get(t, "GET", file, map[string]string{"Range": "bytes=-10", "If-Range": etag})
		if resp.StatusCode != 206 || !bytes.Equal(body, whole[len(whole)-10:]) {
			t.Errorf("GET %s, the last 10 bytes If-Range its ETag: %d %q; want 206, %q", file, resp.StatusCode, body, whole[len(whole)-10:])
		}
	}

	// the ETag follows the content: a track added, the file it was
	// given for is no longer the one a cache holds
	file := link.String() + ".m3u8"
	before, _ := get(t, "GET", file, nil)
	if _, err := c.AddToPlaylist(context.Background(), pl.ID, []string{w.joga}, 0); err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, "GET", file, map[string]string{"If-None-Match": before.Header.Get("ETag")})
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Jóga") || resp.Header.Get("ETag") == before.Header.Get("ETag") {
		t.Errorf("GET %s after a track was added, If-None-Match the old ETag: %d, ETag %q\n%s\nwant 200, a new ETag, the added track",
			file, resp.StatusCode, resp.Header.Get("ETag"), body)
	}
}

// mpv, VLC and ffmpeg given the share link itself (not its .m3u8) ask with
// Accept */* and were answered the playlist's JSON, which none reads:
// "Failed to recognize file format". A media player, known by the
// Icy-MetaData it asks for or its User-Agent, gets the M3U8; a browser
// still gets the page and any other client the JSON.
func TestShareLinkItselfPlaysInMediaPlayers(t *testing.T) {
	w := newWorld(t)
	r := startServer(t, ServerOptions{DataDir: w.dir}, "127.0.0.1:0")
	c := clientFor(t, r.base, "")
	pl, _ := c.CreatePlaylist(context.Background(), "Players", []string{w.joga})
	link, err := c.SharePlaylist(context.Background(), pl.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []map[string]string{
		{"User-Agent": "libmpv", "Accept": "*/*", "Icy-MetaData": "1"}, // mpv 0.35
		{"User-Agent": "VLC/3.0.24 LibVLC/3.0.24", "Accept": "*/*"},    // VLC's first request
		{"User-Agent": "Lavf/59.27.100", "Accept": "*/*"},              // ffmpeg, ffplay
		{"User-Agent": "SomePlayer/1.0", "Icy-MetaData": "1"},
	} {
		resp, body := get(t, "GET", link.String(), h)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "audio/x-mpegurl; charset=utf-8" ||
			!strings.Contains(string(body), "/api/v1/tracks/"+w.joga+"/stream?share="+link.Token) {
			t.Errorf("%v: %d %q\n%s\nwant the M3U8", h, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		if v := resp.Header.Values("Vary"); !strings.Contains(strings.Join(v, ","), "User-Agent") {
			t.Errorf("%v: Vary %q; want User-Agent named", h, v)
		}
	}
	for want, h := range map[string]map[string]string{
		"application/json": {"User-Agent": "curl/7.88.1", "Accept": "*/*"},
		"text/html":        {"User-Agent": "VLC/3.0.24 LibVLC/3.0.24", "Accept": "text/html"},
	} {
		if resp, _ := get(t, "GET", link.String(), h); !strings.HasPrefix(resp.Header.Get("Content-Type"), want) {
			t.Errorf("%v: %q; want %s", h, resp.Header.Get("Content-Type"), want)
		}
	}
}

// A share link posted in a chat app is previewed by the app's crawler,
// which sends no Accept (Discordbot) or */* and was answered the JSON:
// the link showed no title, description or cover. A crawler known by its
// User-Agent gets the page with its Open Graph tags (a refused link, the
// page saying so); one naming JSON, and every other client, the JSON.
func TestShareLinkIsPreviewedInChatApps(t *testing.T) {
	w := newWorld(t)
	r := startServer(t, ServerOptions{DataDir: w.dir}, "127.0.0.1:0")
	c := clientFor(t, r.base, "")
	pl, _ := c.CreatePlaylist(context.Background(), "Preview me", []string{w.joga})
	link, err := c.SharePlaylist(context.Background(), pl.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []map[string]string{
		{"User-Agent": "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)"},
		{"User-Agent": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "Accept": "*/*", "Range": "bytes=0-32768"},
		{"User-Agent": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "Accept": "*/*"},
		{"User-Agent": "WhatsApp/2.23.20.0", "Accept": "*/*"},
		{"User-Agent": "TelegramBot (like TwitterBot)"},
		{"User-Agent": "Mastodon/4.2.0 (http.rb/5.1.1; +https://social.example/)", "Accept": "*/*"},
	} {
		resp, body := get(t, "GET", link.String(), h)
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), `<meta property="og:title" content="Preview me">`) {
			t.Errorf("%v: %d %q\n%.300s\nwant the page with its Open Graph tags", h, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
	resp, body := get(t, "GET", r.base+"/p/"+strings.Repeat("x", 43), map[string]string{"User-Agent": "Discordbot/2.0"})
	if resp.StatusCode != 404 || !strings.Contains(string(body), "<h1>This share link is unknown or was revoked</h1>") {
		t.Errorf("Discordbot at an unknown link: %d\n%s\nwant the page saying so", resp.StatusCode, body)
	}
	for _, h := range []map[string]string{
		{"User-Agent": "Discordbot/2.0", "Accept": "application/json"},
		{"User-Agent": "curl/7.88.1", "Accept": "*/*"},
		{},
	} {
		if resp, _ := get(t, "GET", link.String(), h); !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%v: %q; want the JSON", h, resp.Header.Get("Content-Type"))
		}
	}
}
