package cli

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"segue/net/originclient"
)

// An origin whose catalog database restarts answers 503 with Retry-After
// and its own message (origin/unavailable.go). segue play's "retrying"
// line said of a manifest "the origin is unreachable (is it running?
// check --origin)", and of a segment "the origin failed (503 Service
// Unavailable); its log says why", dropping the origin's words. Both now
// say it cannot answer now, when to retry, and its message.
func TestBusyOriginIsSaidAsBusy(t *testing.T) {
	const msg = "the catalog database is unreachable: retry in a few seconds"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "5")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"error":"` + msg + `"}`))
	}))
	defer srv.Close()
	c, err := originclient.New(srv.URL, originclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, merr := c.Manifest(t.Context(), "t0000000000000001")
	_, cerr := c.Chunk(t.Context(), strings.Repeat("ab", 32))
	want := "the origin cannot answer now and asks to retry in 5s: " + msg
	for what, err := range map[string]error{"a manifest": merr, "a segment": cerr} {
		if s := sentence(err); !strings.Contains(s, want) || strings.Contains(s, "is it running") {
			t.Errorf("%s from a busy origin is said %q; want it to say %q", what, s, want)
		}
	}
}
