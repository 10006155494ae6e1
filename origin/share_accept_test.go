package origin

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A player that asks the share link itself for a playlist by its media
// type (Accept: audio/x-mpegurl, audio/mpegurl,
// application/vnd.apple.mpegurl; audio/x-scpls, application/xspf+xml) was
// answered the playlist's JSON, which no player reads. It now gets that
// playlist file, under the type it asked for, every entry an absolute
// stream URL carrying the share token; a browser still gets the page, a
// client naming JSON (or nothing, or */*) the JSON, and one preferring
// those to a playlist's type what it prefers.
func TestShareLinkAnswersAPlaylistByAccept(t *testing.T) {
	w := newWorld(t)
	r := startServer(t, ServerOptions{DataDir: w.dir}, "127.0.0.1:0")
	_, link := shared(t, r.base, "", "By Accept", []string{w.hold, w.joga})
	entries := []string{
		r.base + "/api/v1/tracks/" + w.hold + "/stream?share=" + link.Token,
		r.base + "/api/v1/tracks/" + w.joga + "/stream?share=" + link.Token,
	}
	for _, tc := range []struct{ accept, contentType, first string }{
		{"audio/x-mpegurl", "audio/x-mpegurl; charset=utf-8", "#EXTM3U\n"},
		{"audio/mpegurl", "audio/mpegurl; charset=utf-8", "#EXTM3U\n"},
		{"application/vnd.apple.mpegurl", "application/vnd.apple.mpegurl; charset=utf-8", "#EXTM3U\n"},
		{"application/x-mpegURL", "application/x-mpegurl; charset=utf-8", "#EXTM3U\n"},
		{"Audio/X-MpegURL;q=0.9, */*;q=0.1", "audio/x-mpegurl; charset=utf-8", "#EXTM3U\n"},
		{"application/json;q=0.5, audio/x-mpegurl", "audio/x-mpegurl; charset=utf-8", "#EXTM3U\n"},
		{"audio/x-mpegurl, application/json", "audio/x-mpegurl; charset=utf-8", "#EXTM3U\n"},
		{"audio/*", "audio/x-mpegurl; charset=utf-8", "#EXTM3U\n"},
		{"audio/x-scpls", "audio/x-scpls; charset=utf-8", "[playlist]\n"},
		{"application/xspf+xml", "application/xspf+xml", "<?xml"},
	} {
		for _, method := range []string{"GET", "HEAD"} {
			resp, body := get(t, method, link.String(), map[string]string{"Accept": tc.accept})
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != tc.contentType || !varies(resp, "Accept") {
				t.Errorf("%s Accept %q: %d %q, Vary %q\n%.300s\nwant 200 %s, Vary: Accept", method, tc.accept, resp.StatusCode,
					resp.Header.Get("Content-Type"), resp.Header.Values("Vary"), body, tc.contentType)
				continue
			}
			if method == "HEAD" {
				continue
			}
			if !strings.HasPrefix(string(body), tc.first) {
				t.Errorf("Accept %q: the playlist begins %.40q; want %q", tc.accept, body, tc.first)
			}
			for _, e := range entries {
				if !strings.Contains(string(body), e) {
					t.Errorf("Accept %q: no entry %s in\n%s", tc.accept, e, body)
				}
			}
		}
	}
	for _, tc := range []struct{ accept, contentType string }{
		{"application/json", "application/json"},
		{"", "application/json"},
		{"*/*", "application/json"},
		{"application/json, audio/x-mpegurl", "application/json"},
		{"application/json, audio/x-mpegurl;q=0.5", "application/json"},
		{"audio/x-mpegurl;q=0", "application/json"},
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"},
		{"text/html, audio/x-mpegurl;q=0.9", "text/html"},
	} {
		if resp, body := get(t, "GET", link.String(), map[string]string{"Accept": tc.accept}); resp.StatusCode != 200 ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), tc.contentType) {
			t.Errorf("Accept %q: %d %q\n%.200s\nwant %s", tc.accept, resp.StatusCode, resp.Header.Get("Content-Type"), body, tc.contentType)
		}
	}
	// a revoked link is refused as before, whatever it is asked for
	revoked, gone := shared(t, r.base, "", "Revoked", []string{w.hold})
	if err := clientFor(t, r.base, "").UnsharePlaylist(context.Background(), revoked.ID); err != nil {
		t.Fatal(err)
	}
	if resp, body := get(t, "GET", gone.String(), map[string]string{"Accept": "audio/x-mpegurl"}); resp.StatusCode != 404 ||
		!strings.Contains(string(body), "unknown or was revoked") {
		t.Errorf("a revoked link, Accept audio/x-mpegurl: %d\n%s\nwant 404 saying it is unknown or was revoked", resp.StatusCode, body)
	}
}

// The M3U a player gets from the share link by Accept plays in mpv on an
// origin that requires tokens: mpv, given no token, fetches the first
// entry and decodes at least a second of it.
func TestShareLinkPlaylistByAcceptPlaysInMPV(t *testing.T) {
	if _, err := exec.LookPath("mpv"); err != nil {
		t.Fatal("mpv is required: run make deps (it installs mpv)")
	}
	w := newStreamWorld(t)
	for _, accept := range []string{"audio/x-mpegurl", "application/vnd.apple.mpegurl", "audio/mpegurl"} {
		resp, body := get(t, "GET", w.r.base+"/p/"+w.share, map[string]string{"Accept": accept})
		if resp.StatusCode != 200 || !strings.HasPrefix(string(body), "#EXTM3U\n") {
			t.Fatalf("Accept %q: %d %q\n%.300s\nwant the M3U8", accept, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		var first string
		for _, l := range strings.Split(string(body), "\n") {
			if l != "" && !strings.HasPrefix(l, "#") {
				first = l
				break
			}
		}
		if want := w.streamURL(0, "normal"); first != strings.Replace(want, "quality=normal&", "", 1) {
			t.Fatalf("Accept %q: the first entry %q; want %s without a quality", accept, first, want)
		}
		dir := t.TempDir()
		list, pcm := filepath.Join(dir, "shared.m3u8"), filepath.Join(dir, "out.raw")
		if err := os.WriteFile(list, body, 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		out, err := exec.CommandContext(ctx, "mpv", "--no-config", "--no-video", "--ao=pcm", "--ao-pcm-file="+pcm, "--ao-pcm-waveheader=no",
			"--audio-format=s16", "--audio-samplerate=44100", "--audio-channels=stereo", "--length=1", "--playlist-start=0", list).CombinedOutput()
		cancel()
		if err != nil || !strings.Contains(string(out), "Playing: "+first) {
			t.Fatalf("Accept %q: mpv %s: %v\n%s\nwant it playing %s", accept, list, err, out, first)
		}
		st, err := os.Stat(pcm)
		if err != nil {
			t.Fatal(err)
		}
		// --length=1 is a second of each entry: the first's at least
		if frames := st.Size() / 4; frames < 44100*9/10 {
			t.Errorf("Accept %q: mpv decoded %d frames of the playlist; want at least 0.9 s (39690)\n%s", accept, frames, out)
		}
	}
}
