package peer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
	"segue/net/fetch"
	"segue/net/originclient"
	"segue/origin"
	"segue/origin/blobs"
)

// hedgeOrigin starts a real origin on loopback holding segs.
func hedgeOrigin(t *testing.T, segs ...[]byte) *originclient.Client {
	t.Helper()
	dataDir := t.TempDir()
	store := blobs.FS{Dir: filepath.Join(dataDir, origin.BlobDir)}
	for _, b := range segs {
		if _, err := store.Put(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := origin.New(origin.ServerOptions{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	oc, err := originclient.New(ts.URL, originclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return oc
}

// stoppedPeer is a real peer endpoint that takes requests and then sends
// nothing, as one whose process was stopped (kill -STOP) while serving: its
// store's Get never returns while the test runs.
func stoppedPeer(t *testing.T) string {
	t.Helper()
	st := &blockingStore{entered: make(chan struct{}, 16), release: make(chan struct{})}
	addr, _ := realPeer(t, ServerOptions{Store: st})
	t.Cleanup(func() { close(st.release) }) // before the endpoint's own cleanup
	return addr
}

// resettingPeer is a real peer endpoint holding segs behind a proxy that
// passes on the first 1000 bytes of each answer and then resets the
// connection, as a peer killed (kill -9) in the middle of an upload.
func resettingPeer(t *testing.T, segs ...[]byte) string {
	t.Helper()
	real, _ := realPeer(t, ServerOptions{}, segs...)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				up, err := net.Dial("tcp", real)
				if err != nil {
					return
				}
				defer up.Close()
				go io.Copy(up, c) // ends when either side closes
				io.CopyN(c, up, 1000)
				c.(*net.TCPConn).SetLinger(0) // close with a reset
			})
		}
	})
	return ln.Addr().String()
}

// hedgeChain is a fetch chain of a swarm finding peers, then the origin,
// with the local player's buffer at ahead. The swarm's TimeScale stretches
// the audio time its budget is made of past any test's run (a budget of
// weeks), and fetch's own timeout is a day: only a hedge to the origin can
// bring a segment that the peers hold up. The swarm's client dials without
// a timeout of its own, so a host that drops packets holds it up too.
func hedgeChain(t *testing.T, oc *originclient.Client, ahead time.Duration, peers []string, segs ...[]byte) (*fetch.Fetcher, *Swarm) {
	t.Helper()
	g := NewGauge(0)
	g.Set(ahead)
	s := NewSwarm(SwarmOptions{Discovery: []Discovery{fixed(peers)}, Gauge: g, TimeScale: 1e-6,
		HTTP: &http.Client{Transport: &http.Transport{}}, Logger: slog.New(slog.DiscardHandler)})
	r := catalog.Rendition{Name: "normal"}
	for _, seg := range segs {
		sum := sha256.Sum256(seg)
		hash := hex.EncodeToString(sum[:])
		r.Segments = append(r.Segments, catalog.Segment{Hash: hash, Size: int64(len(seg)), Frames: 96})
	}
	s.Learn(&catalog.Manifest{TrackID: "t1", Renditions: []catalog.Rendition{r}})
	f := fetch.New(openCache(t), []fetch.Tier{
		{Source: catalog.SourcePeer, Remote: s, Attempts: 1},
		{Source: catalog.SourceOrigin, Remote: oc},
	}, fetch.Options{Timeouts: map[catalog.Urgency]time.Duration{catalog.UrgencySoon: 24 * time.Hour}})
	return f, s
}

// A peer that stops answering while it serves read-ahead (its process
// stopped, its host gone), or that dies and leaves only such a peer, held
// the segment from the origin for the swarm's whole budget (the buffer
// less 1 s, up to 5 s): with a short buffer, a stall (2.18 s seen). Now the
// origin is asked too once the peers are late (Swarm.hedgeAfter), its
// answer is taken while the peer still hangs, and the peer is skipped for
// the next segment, which the origin serves at once.
func TestLatePeerIsHedgedToTheOrigin(t *testing.T) {
	seg1, hash1 := randomSegment(t, 160_000)
	seg2, hash2 := randomSegment(t, 160_000)
	for _, tc := range []struct {
		name  string
		peers func(t *testing.T) (addrs, hung []string)
	}{
		{"stopped", func(t *testing.T) ([]string, []string) {
			a := stoppedPeer(t)
			return []string{a}, []string{a}
		}},
		{"host gone", func(t *testing.T) ([]string, []string) {
			a := testkit.GoneHost(t)
			return []string{a}, []string{a}
		}},
		{"killed, then a stopped one", func(t *testing.T) ([]string, []string) {
			dead := resettingPeer(t, seg1, seg2)
			stopped := stoppedPeer(t)
			return []string{dead, stopped}, []string{stopped}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			oc := hedgeOrigin(t, seg1, seg2)
			addrs, hung := tc.peers(t)
			f, s := hedgeChain(t, oc, 3*time.Second, addrs, seg1, seg2)
			data, from, err := f.Segment(context.Background(), hash1, catalog.UrgencySoon)
			if err != nil || from != catalog.SourceOrigin || string(data) != string(seg1) {
				t.Fatalf("segment 1: %d bytes from %q, %v; want it from the origin", len(data), from, err)
			}
			// Every peer asked failed: none is ranked for the next segment.
			if got := s.Policy().Rank(addrs, int64(len(seg2)), catalog.UrgencySoon, time.Now()); len(got) != 0 {
				t.Errorf("after the hedge the peers ranked are %v; want none (%v hung)", got, hung)
			}
			data, from, err = f.Segment(context.Background(), hash2, catalog.UrgencySoon)
			if err != nil || from != catalog.SourceOrigin || string(data) != string(seg2) {
				t.Fatalf("segment 2: %d bytes from %q, %v; want it from the origin", len(data), from, err)
			}
		})
	}
}

// With an ample buffer the peers keep the whole budget: a late peer is not
// hedged to the origin, whose share of the bytes stays low. A real peer
// slower than its hedge point still delivers.
func TestSlowPeerWithAmpleBufferIsNotHedged(t *testing.T) {
	seg, hash := randomSegment(t, 256<<10)
	addr, _ := realPeer(t, ServerOptions{UploadRate: 512 << 10}, seg) // 0.5 s: past its 200 ms hedge point
	oc := hedgeOrigin(t, seg)
	f, _ := hedgeChain(t, oc, ampleAhead, []string{addr}, seg)
	data, from, err := f.Segment(context.Background(), hash, catalog.UrgencySoon)
	if err != nil || from != catalog.SourcePeer || string(data) != string(seg) {
		t.Fatalf("%d bytes from %q, %v; want it from the peer", len(data), from, err)
	}
}

// The swarm is a fetch chain's hedged tier.
var _ fetch.HedgedRemote = (*Swarm)(nil)

// A peer found through the origin's tracker that takes a request and then
// holds its answer (its process stopped while serving), asked for the next
// track's first segment ahead of time (prefetch: the swarm never hedges
// it, its budget is 10 s of audio) or for read-ahead with an ample buffer,
// held the segment when the play head came to wait for it (fetch.Urge, or
// a caller at UrgencyNow joining the download): the swarm's client gave up
// on the headers 5 s after it asked, 3.5 s into the wait here; a peer
// whose answer stopped mid-body (its path died) held it until the swarm's
// budget (5 s) ran out, 3.5 s into the wait too. Now the chain asks the origin beside the peers once the
// play head waits and they have had HedgeAfter, and the peer, once the
// origin answered first, is counted failed (it was not: each next segment
// went to it first again).
func TestUrgedPeerRequestIsHedgedToTheOrigin(t *testing.T) {
	seg, hash := randomSegment(t, 160_000)
	// stalling is a real peer holding seg behind a TCPProxy that passes
	// 16 KiB of each connection's answer and then nothing (its path died)
	stalling := func(t *testing.T) string {
		addr, _ := realPeer(t, ServerOptions{}, seg)
		p := testkit.NewTCPProxy(t, addr)
		p.StallNext(-1, 16<<10)
		return p.Addr()
	}
	for _, tc := range []struct {
		name string
		peer func(t *testing.T) string
		u    catalog.Urgency
		join bool // the play head's caller joins at UrgencyNow, else Urge
	}{
		{"prefetched, joined at UrgencyNow", stoppedPeer, catalog.UrgencyPrefetch, true},
		{"read ahead with an ample buffer, urged", stoppedPeer, catalog.UrgencySoon, false},
		{"stalled mid-answer, read ahead, urged", stalling, catalog.UrgencySoon, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			oc := hedgeOrigin(t, seg)
			peer := tc.peer(t)
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			if _, err := oc.AnnouncePeer(ctx, catalog.PeerAnnounce{ID: "holder", Addr: peer, Tracks: []string{"t1"}}); err != nil {
				t.Fatal(err)
			}
			gauge := NewGauge(0)
			gauge.Set(ampleAhead + 5*time.Second)
			s := NewSwarm(SwarmOptions{Discovery: []Discovery{NewTracker(oc, "listener", 0, nil)}, Gauge: gauge,
				Logger: slog.New(slog.DiscardHandler)})
			s.Learn(&catalog.Manifest{TrackID: "t1", Renditions: []catalog.Rendition{{Name: "normal",
				Segments: []catalog.Segment{{Hash: hash, Size: int64(len(seg)), Frames: 96}}}}})
			f := fetch.New(openCache(t), []fetch.Tier{
				{Source: catalog.SourcePeer, Remote: s, Attempts: 1},
				{Source: catalog.SourceOrigin, Remote: oc},
			}, fetch.Options{})
			type got struct {
				data []byte
				from catalog.Source
				err  error
			}
			first := make(chan got, 1)
			go func() {
				data, from, err := f.Segment(ctx, hash, tc.u)
				first <- got{data, from, err}
			}()
			time.Sleep(fetch.DefaultHedgeAfter) // ahead of the play head: the peer keeps it
			select {
			case g := <-first:
				t.Fatalf("asked ahead of the play head, the segment ended (from %q, %v) while the peer held it", g.from, g.err)
			default:
			}
			waited := time.Now()
			var g got
			if tc.join {
				g.data, g.from, g.err = f.Segment(ctx, hash, catalog.UrgencyNow)
			} else {
				f.Urge(hash)
				g = <-first
			}
			silence := time.Since(waited)
			t.Logf("the play head waited %v: %d bytes from %s, %v", silence, len(g.data), g.from, g.err)
			if g.err != nil || g.from != catalog.SourceOrigin || string(g.data) != string(seg) || silence > time.Second {
				t.Errorf("the play head waited %v for %d bytes from %q (%v); want the segment from the origin within 1 s", silence, len(g.data), g.from, g.err)
			}
			// The peer held the segment past its time: it is skipped for
			// the next ones, as when the swarm hedged itself, rather than
			// holding each of them until the chain asks the origin again.
			var failures int64
			for _, st := range s.Policy().Stats() {
				if st.Addr == peer {
					failures = st.Failures
				}
			}
			if failures != 1 {
				t.Errorf("the peer that held the segment has %d failures; want 1", failures)
			}
			if order := s.Policy().Rank([]string{peer}, int64(len(seg)), catalog.UrgencySoon, time.Now()); len(order) != 0 {
				t.Errorf("the peer that held the segment is still asked first for the next one: %v", order)
			}
		})
	}
}
