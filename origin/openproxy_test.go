package origin

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"segue/internal/testkit"
)

// TestOpenOriginBehindProxyWarns: an origin on loopback without
// --require-token behind a proxy that passes requests from another machine
// (docs/scale.md's recipe: replicas on 127.0.0.1, nginx on 0.0.0.0) logs
// once that anyone reaching the proxy uses it without a token, naming
// --require-token; it said nothing and served them as the local owner.
// Requests from local clients through the proxy, or with no proxy, say
// nothing; an origin that requires tokens says nothing either.
func TestOpenOriginBehindProxyWarns(t *testing.T) {
	var log testkit.Buffer
	open := startServer(t, ServerOptions{DataDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(&log, nil))}, "127.0.0.1:0")
	for _, xff := range []string{"", "127.0.0.1", "::1, 127.0.0.1"} {
		hdr := map[string]string{}
		if xff != "" {
			hdr["X-Forwarded-For"] = xff
		}
		if resp, _ := get(t, http.MethodGet, open.base+"/api/v1/artists", hdr); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET artists (X-Forwarded-For %q): %s", xff, resp.Status)
		}
	}
	const warning = "a proxy passes it requests from 192.0.2.7 (off loopback)"
	if strings.Contains(log.String(), warning) {
		t.Fatalf("warned of local requests:\n%s", log.String())
	}
	for range 3 {
		if resp, _ := get(t, http.MethodGet, open.base+"/api/v1/artists", map[string]string{"X-Forwarded-For": "192.0.2.7"}); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET artists through a proxy: %s", resp.Status)
		}
	}
	if n := strings.Count(log.String(), warning); n != 1 || !strings.Contains(log.String(), "level=WARN") || !strings.Contains(log.String(), "--require-token") {
		t.Errorf("log after 3 requests from another machine through a proxy (%d warnings):\n%s\nwant one warning naming --require-token", n, log.String())
	}

	var quiet testkit.Buffer
	secured := startServer(t, ServerOptions{DataDir: t.TempDir(), RequireToken: true, Logger: slog.New(slog.NewTextHandler(&quiet, nil))}, "127.0.0.1:0")
	if resp, _ := get(t, http.MethodGet, secured.base+"/api/v1/artists", map[string]string{"X-Forwarded-For": "192.0.2.7"}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("GET artists without a token through a proxy: %s, want 401", resp.Status)
	}
	if strings.Contains(quiet.String(), "off loopback") {
		t.Errorf("an origin requiring tokens warned:\n%s", quiet.String())
	}
}
