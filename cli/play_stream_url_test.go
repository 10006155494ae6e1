package cli

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlayExportEntries: each entry of `playlist export` is a stream URL,
// `.../api/v1/tracks/ID/stream` (with `?share=TOKEN` when the playlist is
// shared), and README says play, `ctl queue add` and `offline add` take
// URLs. Such a URL was refused ("want .../tracks/ID, ..."), and so was
// `.../tracks/ID/manifest`: the resolver looked for the last word one
// place too early. Now the owner plays an entry of their own origin, and a
// listener configured for another origin plays a shared playlist's entry
// with the share token the entry carries (the origin requires tokens).
func TestPlayExportEntries(t *testing.T) {
	url, ids, _, _, env, pl, _ := sharedMix(t)
	export := segueOK(t, append(env, "playlist", "export", pl.ID, "--format", "m3u8")...)
	var entries []string
	for _, line := range strings.Split(export, "\n") {
		if strings.HasPrefix(line, url) {
			entries = append(entries, line)
		}
	}
	if len(entries) != len(ids) || !strings.Contains(entries[0], "/stream?share=") {
		t.Fatalf("export entries %q, want %d stream URLs with the share token", entries, len(ids))
	}
	own := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(own.Close)
	listener := clientEnv(t, own.URL)
	plain := url + "/api/v1/tracks/" + ids[1] + "/stream"
	for _, c := range []struct {
		env    []string
		target string
	}{
		{env, plain}, // the owner, no share token
		{env, url + "/api/v1/tracks/" + ids[1] + "/manifest"},
		{listener, entries[0]}, // another origin's shared entry
	} {
		wav := filepath.Join(t.TempDir(), "out.wav")
		out, errOut, code := segue(t, append(c.env, "play", c.target, "--fast", "--json", "--output", "wav:"+wav)...)
		if code != 0 || !strings.Contains(out, `"event":"finished"`) {
			t.Errorf("play %s: exit %d, want 0 and a finished event\nstdout: %s\nstderr: %s", c.target, code, out, errOut)
		}
	}
}
