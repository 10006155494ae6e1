package player

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A rate limit in front of the origin answers 429 to a burst: the first
// manifest with a Retry-After as an HTTP-date, the first chunk with none.
// The manifest's 429 failed its track at once ("the origin refused the
// request"), and the queue went on without it. The player now waits as
// for an origin that asks to be asked again (503 with Retry-After) and
// plays the queue whole.
func TestRateLimitedOriginIsWaitedFor(t *testing.T) {
	src, a, b := twoTracks(t, 3)
	var manifests, chunkReqs atomic.Int64
	chunks := chunkServer(t, src)
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/manifest") && manifests.Add(1) == 1 {
			w.Header().Set("Retry-After", time.Now().Add(2*time.Second).UTC().Format(http.TimeFormat))
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		if answerManifest(w, r, src) {
			return
		}
		if chunkReqs.Add(1) == 1 {
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		http.Redirect(w, r, chunks.String()+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(origin.Close)
	playsBothFrom(t, origin.URL, src, a, b)
}
