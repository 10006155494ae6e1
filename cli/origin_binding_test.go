package cli

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// config.toml's token and certificate pin belong to its origin. Given
// another origin (--origin, SEGUE_ORIGIN; the demo's, whose own lines say
// `segue --origin http://127.0.0.1:7700 search aurora`), segue sent that
// origin the household's token (which an origin that does not know it
// refuses, and which another server should never see) and refused to run
// at all when a pin was set ("pin_sha256 pins the certificate of an https
// origin, and the origin at ... is plain http"). A token or pin now goes
// only with the origin set beside it (or below it, when none was).
func TestConfigTokenAndPinStayWithTheirOrigin(t *testing.T) {
	real, _ := ctlOrigin(t)
	target, err := neturl.Parse(real)
	if err != nil {
		t.Fatal(err)
	}
	// the origin behind a pass-through that notes every Authorization sent
	var tokens atomic.Int64
	pass := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			tokens.Add(1)
		}
		pass.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	url := front.URL
	h := newSwarmHost(t, segueBinary(t))
	dir := filepath.Join(h.dir, "config", "segue")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	household := `origin = "https://127.0.0.1:1"
token = "sgo_` + strings.Repeat("ab", 32) + `"
`
	pin := `pin_sha256 = "` + strings.Repeat("cd", 32) + `"
`
	for _, c := range []struct {
		name, config string
		env          []string
		args         []string
	}{
		{"config token, --origin", household, nil, []string{"--origin", url}},
		{"config token and pin, --origin", household + pin, nil, []string{"--origin", url}},
		{"config token and pin, SEGUE_ORIGIN", household + pin, []string{"SEGUE_ORIGIN=" + url}, nil},
		{"SEGUE_TOKEN with SEGUE_ORIGIN, --origin", "", []string{"SEGUE_ORIGIN=https://127.0.0.1:1", "SEGUE_TOKEN=sgo_" + strings.Repeat("ef", 32)}, []string{"--origin", url}},
	} {
		if err := os.WriteFile(filepath.Join(dir, "config.toml"), []byte(c.config), 0o600); err != nil {
			t.Fatal(err)
		}
		tokens.Store(0)
		var out, errOut bytes.Buffer
		cmd := h.command(append(c.args, "search", "step")...)
		cmd.Env = append(cmd.Env, c.env...)
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil || !strings.Contains(out.String(), "Step 1") {
			t.Errorf("%s: segue search step at %s: %v, %q%q; want the tracks, no token or pin of another origin", c.name, url, err, out.String(), errOut.String())
		}
		if n := tokens.Load(); n != 0 {
			t.Errorf("%s: %d requests to %s carried the token of the origin at https://127.0.0.1:1", c.name, n, url)
		}
	}
}
