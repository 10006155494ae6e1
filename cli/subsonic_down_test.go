package cli

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"segue/internal/testkit"
	"segue/net/fetch"
	"segue/net/subsonic"
	"segue/player"
)

// TestSubsonicDownSaysTheServer: a Subsonic server that cannot be reached
// is said as the Subsonic server, with advice it can take: one that
// refused connections was "the origin at H is unreachable: ...; start it
// (segue origin serve) or check --origin", and one that dropped them "the
// origin at H is unreachable (is it running? ...)".
func TestSubsonicDownSaysTheServer(t *testing.T) {
	pw := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(pw, []byte("pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dropping := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
	}))
	defer dropping.Close()
	refused := testkit.RefusedAddr(t)
	dropped := strings.TrimPrefix(dropping.URL, "http://")
	for _, c := range []struct{ host, want string }{
		{refused, "segue: not available offline: no copy is stored here, and the Subsonic server at " + refused +
			" is unreachable: nothing listens there (connection refused); start it or check --origin\n"},
		{dropped, "segue: subsonic server " + dropped + ": ping: the Subsonic server at " + dropped +
			" is unreachable (is it running? check --origin)\n"},
	} {
		env := append(clientEnv(t, "http://127.0.0.1:9"), "--origin", "subsonic+http://ann@"+c.host, "--password-file", pw)
		_, errOut, code := segue(t, append(env, "search", "tone")...)
		if code != ExitError || errOut != c.want {
			t.Errorf("search on a Subsonic server at %s: exit %d, stderr\n%q\nwant exit %d and\n%q", c.host, code, errOut, ExitError, c.want)
		}
	}
}

// TestSubsonicPlayerSaysTheServer: the player wired to a Subsonic server
// (subsonicPlayer) names it where it names its source, and segue play's
// retrying line follows: a segment of which not a byte came was "the
// network is down, or the origin (or a proxy between) does not answer".
func TestSubsonicPlayerSaysTheServer(t *testing.T) {
	sub, err := subsonic.New("subsonic+http://ann@"+testkit.RefusedAddr(t), subsonic.Options{Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	var o player.Options
	subsonicPlayer(sub, nil, &o)
	p := player.New(o)
	if got := p.SourceName(); got != "the Subsonic server" {
		t.Errorf("a player on a Subsonic server names its source %q; want %q", got, "the Subsonic server")
	}
	silent := fmt.Errorf("fetch segment 9 of track t1 (retrying in 250ms): %w", fmt.Errorf("%w: cache, 2s: %w", fetch.ErrSilent, context.DeadlineExceeded))
	want := "not a byte of a segment came in time: the network is down, or the Subsonic server (or a proxy between) does not answer"
	if got := retryNote(silent, p.SourceName()); got != want {
		t.Errorf("retrying on a Subsonic server: %q\nwant %q", got, want)
	}
}
