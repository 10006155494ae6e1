package cli

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"segue/internal/testkit"
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
