package peer

import (
	"context"
	"net"
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

// An origin out of reach that does not refuse (a home's internet link down,
// its LAN up) held each segment's peer lookup until the fetch attempt ran
// out, and the LAN's peers, asked after the tracker, were never reached
// in time. A tracker that accepts connections and answers nothing, and a
// real peer endpoint found on the LAN: the segment comes from the peer
// well within a 3 s attempt (the fetch chain's for the play head).
func TestHangingTrackerDoesNotHoldBackTheLAN(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan net.Conn, 16)
	t.Cleanup(func() {
		ln.Close()
		for len(accepted) > 0 {
			(<-accepted).Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			select {
			case accepted <- c: // read nothing, answer nothing
			default:
				c.Close()
			}
		}
	}()
	oc, err := originclient.New("http://"+ln.Addr().String(), originclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(oc.Close)
	seg, hash := randomSegment(t, 32<<10)
	addr, _ := realPeer(t, ServerOptions{}, seg)
	s, _ := swarmFor(t, seg, hash, NewTracker(oc, "listener", 0, nil), fixed{addr})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	if _, err := s.ChunkAt(ctx, hash, catalog.UrgencySoon); err != nil {
		t.Fatalf("tracker hanging, a LAN peer holding the segment: %v after %s", err, time.Since(start).Round(time.Millisecond))
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the segment took %s, waiting on the tracker", took)
	}
}
