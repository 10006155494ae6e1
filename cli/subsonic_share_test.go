package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
	"segue/net/subsonic/subsonictest"
)

// TestSubsonicShareSaysWhatToDo: playlist share and unshare against a
// Subsonic server said only that the server "does not support this: share
// links are segue origin's", with nothing of what to do. Now the one
// sentence says where to share (or revoke a share) instead, exit 1: gonic
// has no createShare, which segue asks a server that has it for a link,
// nor getShares and deleteShare, by which segue revokes a share.
func TestSubsonicShareSaysWhatToDo(t *testing.T) {
	s := subsonictest.Gonic(t, subsonictest.Library(t))
	args := subsonicArgs(t, s, s.Password)
	var pl catalog.Playlist
	segueJSON(t, &pl, append(args, "playlist", "create", "Mix", "--json")...)
	for verb, want := range map[string]string{
		"share": "the Subsonic server does not support this: " + strings.TrimPrefix(s.Base, "http://") + " offers no createShare; share the playlist " +
			"from the Subsonic server's own web interface, or ingest the music into a segue origin (segue origin ingest) and share it there",
		"unshare": "the Subsonic server does not support this: " + strings.TrimPrefix(s.Base, "http://") + " offers no deleteShare; " +
			"revoke the playlist's share in the Subsonic server's own web interface",
	} {
		_, errOut, code := segue(t, append(args, "playlist", verb, pl.ID)...)
		if code != 1 || !strings.Contains(errOut, want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("playlist %s on a Subsonic server: exit %d, stderr %q; want exit 1 and one line ending %q", verb, code, errOut, want)
		}
	}
}

// TestSubsonicUnshareRevokesTheShare: against a Subsonic server, playlist
// share made a share (createShare) but playlist unshare always failed,
// exit 1, saying "a Subsonic playlist has none to revoke". Now unshare
// finds the playlist's share (getShares) and deletes it (deleteShare):
// segue's own origin through its Subsonic API, whose share link then
// answers as revoked; a second unshare says the playlist is not shared,
// and an unknown playlist is not found (exit 3).
func TestSubsonicUnshareRevokesTheShare(t *testing.T) {
	h := newToneHost(t, "Shared Tone")
	_, _, log := h.start("origin", "serve", "--addr", "127.0.0.1:0", "--data", h.data)
	testkit.Wait(t, time.Minute, "the origin to listen", func() bool { return servingRE.MatchString(log.String()) })
	host := servingRE.FindStringSubmatch(log.String())[1]
	server := []string{"--origin", "subsonic+http://" + host, "--password-file", h.keyFile}
	run := func(args ...string) (string, string, int) {
		var out, errOut bytes.Buffer
		cmd := h.command(append(append([]string{}, server...), args...)...)
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		code := cmd.ProcessState.ExitCode()
		if err != nil && code < 0 {
			t.Fatalf("segue %s: %v", strings.Join(args, " "), err)
		}
		return out.String(), errOut.String(), code
	}
	var pl catalog.Playlist
	if err := json.Unmarshal([]byte(h.run(append(server, "playlist", "create", "Mix", "t_"+h.trackID, "--json")...)), &pl); err != nil {
		t.Fatal(err)
	}
	link := strings.TrimSpace(h.run(append(server, "playlist", "share", pl.ID)...))
	page := func() (int, string) {
		req, err := http.NewRequest(http.MethodGet, link, nil)
		if err != nil {
			t.Fatalf("share link %q: %v", link, err)
		}
		req.Header.Set("Accept", "text/html")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := page(); code != http.StatusOK {
		t.Fatalf("share link %s before unshare: %d\n%s", link, code, body)
	}

	if out, errOut, code := run("playlist", "unshare", pl.ID); code != 0 {
		t.Fatalf("playlist unshare of a shared playlist: exit %d, stdout %q, stderr %q; want 0", code, out, errOut)
	}
	if code, body := page(); code != http.StatusNotFound || !strings.Contains(body, "This share link is unknown or was revoked") {
		t.Errorf("share link %s after unshare: %d\n%s\nwant 404, a page saying it was revoked", link, code, body)
	}

	want := "unshare " + pl.ID + ": the playlist is not shared on the Subsonic server " + host + ", so there is nothing to revoke; " +
		"a share made before its songs last changed is revoked in the server's own web interface\n"
	if _, errOut, code := run("playlist", "unshare", pl.ID); code != ExitError || !strings.HasSuffix(errOut, want) ||
		strings.Count(errOut, "\n") != 1 {
		t.Errorf("second playlist unshare: exit %d, stderr %q; want %d and one line ending %q", code, errOut, ExitError, want)
	}
	// a playlist the server does not know is said as every source says it
	noPL := "pl_pl0000000000000000"
	want = "playlist " + noPL + " not found on the Subsonic server at " + host + idsHint + "\n"
	if _, errOut, code := run("playlist", "unshare", noPL); code != ExitNotFound || !strings.HasSuffix(errOut, want) {
		t.Errorf("playlist unshare of an unknown playlist: exit %d, stderr %q; want %d ending %q", code, errOut, ExitNotFound, want)
	}
}
