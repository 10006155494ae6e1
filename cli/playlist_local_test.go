//go:build !segue_client

package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"segue/internal/testkit"
	"segue/origin"
	"segue/origin/origintest"
)

// TestPlaylistListHintsLocal: on an origin that requires tokens, a token
// with no playlists listed none and said nothing, while the playlists made
// when the origin ran open were kept for "local", which no token sees.
// playlist list now says on stderr how they are handed over (stdout and
// --json unchanged), and says nothing once they are adopted.
func TestPlaylistListHintsLocal(t *testing.T) {
	ctx := context.Background()
	data := newEmptyOrigin(t)
	db, tokID, secret := origintest.LocalOwned(t, data)
	var log testkit.Buffer
	base := serveRequiringTokens(t, data, &log)
	if resp, err := http.Get(base + "/api/v1/local-owned"); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /api/v1/local-owned with no token: %v %v; want 401", resp, err)
	} else {
		resp.Body.Close()
	}
	env := clientEnv(t, base)
	if err := os.WriteFile(env[1], append([]byte("token = "+strconvQuote(secret)+"\n"), readFile(t, env[1])...), 0o644); err != nil {
		t.Fatal(err)
	}

	hint := `the origin keeps 2 playlists made while it ran open (owner "local"), which no token sees: ` +
		"on the origin's machine, segue origin token adopt-local TOKEN_ID (or a Subsonic user's name) hands them over\n"
	out, errOut, code := segue(t, append(env, "playlist", "list")...)
	if want := "no playlists of yours yet, but " + hint; code != ExitOK || out != "" || errOut != want {
		t.Errorf("playlist list of a token with none while local has 2: exit %d\nstdout %q\nstderr %q\nwant stderr %q", code, out, errOut, want)
	}
	hint = "segue: " + hint
	out, errOut, code = segue(t, append(env, "playlist", "list", "--json")...)
	var pls []json.RawMessage
	if code != ExitOK || json.Unmarshal([]byte(out), &pls) != nil || len(pls) != 0 || errOut != hint {
		t.Errorf("playlist list --json: exit %d\nstdout %q (want [])\nstderr %q\nwant stderr %q", code, out, errOut, hint)
	}

	if _, _, err := origin.AdoptLocal(ctx, db, tokID); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = segue(t, append(env, "playlist", "list")...)
	if code != ExitOK || !strings.Contains(out, "Kitchen") || errOut != "" {
		t.Errorf("playlist list after adopt-local: exit %d\nstdout %q (want Kitchen and Porch)\nstderr %q (want nothing)", code, out, errOut)
	}
}
