package peer

import (
	"context"
	"net/http"
	"testing"

	"segue/catalog"
)

// A peer is any address a tracker or the LAN names, so it may be hostile.
// One that answered with a redirect was followed, up to ten times, to
// wherever it pointed: segue made GET requests for a stranger to any
// address (a router's page on the listener's LAN), and a redirect loop
// spent the segment's time. A peer's redirect is now its failure, and the
// next peer is asked.
func TestSwarmFollowsNoRedirect(t *testing.T) {
	seg, hash := randomSegment(t, 50_000)
	good, _ := realPeer(t, ServerOptions{}, seg)
	target, targetHits := scriptedPeer(t, func(w http.ResponseWriter, _ *http.Request) { w.Write(seg) })
	redirecting, _ := scriptedPeer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://"+target+r.URL.Path, http.StatusFound)
	})
	s, _ := swarmFor(t, seg, hash, fixed{redirecting, good})
	data, err := s.ChunkAt(context.Background(), hash, catalog.UrgencySoon)
	if err != nil || string(data) != string(seg) {
		t.Fatalf("ChunkAt: %d bytes, %v; want the segment", len(data), err)
	}
	if n := targetHits.Load(); n != 0 {
		t.Errorf("the address a peer redirected to was asked %d times; want never", n)
	}
	for _, st := range s.Policy().Stats() {
		if st.Addr == redirecting && st.Failures != 1 {
			t.Errorf("redirecting peer stats %+v: want 1 failure", st)
		}
	}
}
