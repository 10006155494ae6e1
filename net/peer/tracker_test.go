package peer

import (
	"context"
	"testing"
	"time"

	"segue/catalog"
	"segue/net/originclient"
	"segue/origin"
	"segue/origin/origintest"
)

// The origin's tracker going away (a restart, an outage) left a listener
// with no peers as soon as its last answer was 10 s old, though the peer
// holding the track was still there: with the origin down as well, play
// stalled on segments a peer held. A real origin and a real peer endpoint
// on loopback; the origin stops after the first lookup.
func TestTrackerAwayKeepsItsLastPeers(t *testing.T) {
	srv, err := origin.New(origin.ServerOptions{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	base, stop := origintest.Serve(t, srv)
	oc, err := originclient.New(base, originclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(oc.Close)
	seg, hash := randomSegment(t, 32<<10)
	addr, _ := realPeer(t, ServerOptions{}, seg)
	ctx := context.Background()
	if _, err := oc.AnnouncePeer(ctx, catalog.PeerAnnounce{ID: "holder", Addr: addr, Tracks: []string{"t1"}}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	s, _ := swarmFor(t, seg, hash, NewTracker(oc, "listener", 0, func() time.Time { return now }))
	if _, err := s.ChunkAt(ctx, hash, catalog.UrgencySoon); err != nil {
		t.Fatalf("with the tracker up: %v", err)
	}
	stop()
	now = now.Add(DefaultLookupTTL + time.Second)
	if _, err := s.ChunkAt(ctx, hash, catalog.UrgencySoon); err != nil {
		t.Fatalf("tracker away, its answer %s old: %v; want the segment from the peer it named", DefaultLookupTTL+time.Second, err)
	}
	now = now.Add(StaleLookup)
	if _, err := s.ChunkAt(ctx, hash, catalog.UrgencySoon); err == nil {
		t.Fatalf("tracker away, its answer %s old: the peer is still asked; want the answer forgotten", StaleLookup+DefaultLookupTTL+time.Second)
	}
}
