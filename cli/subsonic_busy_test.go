package cli

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"segue/net/subsonic/subsonictest"
)

// TestBusySubsonicServerIsOneSentence: a Subsonic server answering 503
// with Retry-After makes segue search say, in one line, that it is busy
// and when to try again (exit 1); it said "HTTP 503 Service Unavailable".
func TestBusySubsonicServerIsOneSentence(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/rest/ping") {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"subsonic-response":{"status":"ok","version":"1.16.1"}}`)
			return
		}
		w.Header().Set("Retry-After", "5")
		http.Error(w, "busy", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	s := subsonictest.Server{Base: srv.URL, User: "ann", Password: "pw"}
	_, errOut, code := segue(t, append(subsonicArgs(t, s, s.Password), "search", "tone")...)
	want := "subsonic server " + strings.TrimPrefix(srv.URL, "http://") + ": search3: the server is busy (HTTP 503 Service Unavailable): try again in 5s"
	if code != ExitError || !strings.Contains(errOut, want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Errorf("search, server busy: exit %d, stderr %q; want exit %d and one line saying %q", code, errOut, ExitError, want)
	}
}
