package cli

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestShareLinkSegmentsFromItsOrigin: a listener whose configured origin is
// another one (their own, or the default with nothing there) opens a share
// link. Every segment was asked of the configured origin first (a wasted
// round trip each; 0.3 s of retries each when it was down, which the
// throughput estimate took for a slow network); now a segment named by the
// link's manifests is asked of the link's origin, and the configured origin
// sees no /chunks request.
func TestShareLinkSegmentsFromItsOrigin(t *testing.T) {
	_, _, _, access, _, _, shareURL := sharedMix(t)
	var chunks atomic.Int64
	own := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/chunks/") {
			chunks.Add(1)
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(own.Close)
	listener := clientEnv(t, own.URL)
	wav := filepath.Join(t.TempDir(), "out.wav")
	segueOK(t, append(listener, "play", shareURL, "--fast", "--json", "--output", "wav:"+wav)...)
	if n := chunks.Load(); n != 0 {
		t.Errorf("the configured origin was asked for %d segments of another origin's link, want 0", n)
	}
	if got := access.requests("/chunks/", http.StatusOK); len(got) == 0 {
		t.Errorf("the link's origin served no segment")
	}
}
