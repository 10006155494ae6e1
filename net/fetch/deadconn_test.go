package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
	"segue/net/originclient"
	"segue/origin"
	"segue/origin/blobs"
)

// tlsOriginBehind starts a real origin serving data over https (HTTP/2,
// offered through ALPN as segue origin serve does) behind a TCPProxy, and
// returns a client that pins its certificate and talks to it through the
// proxy, as NewHTTPClient makes one for --pin-sha256.
func tlsOriginBehind(t *testing.T, data ...[]byte) (c *originclient.Client, hashes []string, proxy *testkit.TCPProxy, hits *atomic.Int64) {
	t.Helper()
	dir := t.TempDir()
	store := blobs.FS{Dir: filepath.Join(dir, origin.BlobDir)}
	for _, b := range data {
		h, err := store.Put(context.Background(), b)
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, h)
	}
	srv, err := origin.New(origin.ServerOptions{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	hits = new(atomic.Int64)
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/chunks/") {
			hits.Add(1)
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	ts.EnableHTTP2 = true
	ts.StartTLS()
	t.Cleanup(ts.Close)
	proxy = testkit.NewTCPProxy(t, ts.Listener.Addr().String())
	c, err = originclient.New("https://"+proxy.Addr(), originclient.Options{TLS: originclient.TLSOptions{PinSHA256: originclient.Fingerprint(ts.Certificate().Raw)}})
	if err != nil {
		t.Fatal(err)
	}
	return c, hashes, proxy, hits
}

// A connection to an https origin whose path died without a reset (a NAT
// or wifi that dropped it) carries HTTP/2: every request to the origin
// shares it. The segment the play head waits for, asked on it, got no
// answer, and neither did the hedged request nor the tries after, which
// Go's transport put on the same connection: the segment failed after
// 15.6 s here (3.3 s, 6 s, 6 s; 16.8 s at the default HedgeAfter). Now
// the hedge goes on a connection of its own (ChunkFresh) and the dead
// connection is found by HTTP/2 pings and closed: at the default
// HedgeAfter the segment came 1.5 s into the wait (2.1 s with the pings
// alone, the next try going on a new connection once they closed the dead
// one). Here HedgeAfter is 300 ms, so that the hedge must answer before
// the pings end the connection.
func TestDeadConnectionIsNotAskedAgain(t *testing.T) {
	c, hashes, proxy, _ := tlsOriginBehind(t, randomBytes(40_000), randomBytes(40_000))
	const hedgeAfter = 300 * time.Millisecond
	f := New(openCache(t), []Tier{{Source: catalog.SourceOrigin, Remote: c}}, Options{HedgeAfter: hedgeAfter})
	ctx := context.Background()
	if _, _, err := f.Segment(ctx, hashes[0], catalog.UrgencyNow); err != nil {
		t.Fatal(err)
	}
	if n := proxy.Stall(); n != 1 {
		t.Fatalf("%d connections open to the origin; want 1 (HTTP/2)", n)
	}
	start := time.Now()
	sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	_, _, err := f.Segment(sctx, hashes[1], catalog.UrgencyNow)
	silence := time.Since(start)
	t.Logf("segment after the connection died: %v, %v; %d connections", silence, err, proxy.Accepted())
	if err != nil || silence > hedgeAfter+time.Second || f.Hedges() != 1 {
		t.Errorf("segment came in %v (%v), %d hedges; want it within %v from one hedge on another connection", silence, err, f.Hedges(), hedgeAfter+time.Second)
	}
}

// A connection that dies mid-answer (bytes came, then none) is not hedged:
// the download is under way. Over HTTP/2 its try ran to its timeout and
// every try after went on the same dead connection: the segment had not
// come 40 s into the wait (3 s, then 6 s, 12 s, ...). Now a try after one
// that ran out of time asks on a connection of its own: 3.1 s, the first
// try's time.
func TestConnectionDeadMidAnswerIsLeft(t *testing.T) {
	c, hashes, proxy, _ := tlsOriginBehind(t, randomBytes(40_000), randomBytes(400_000))
	const timeout = 3 * time.Second
	f := New(openCache(t), []Tier{{Source: catalog.SourceOrigin, Remote: c}}, Options{Timeouts: map[catalog.Urgency]time.Duration{catalog.UrgencySoon: timeout}})
	ctx := context.Background()
	if _, _, err := f.Segment(ctx, hashes[0], catalog.UrgencySoon); err != nil {
		t.Fatal(err)
	}
	if n := proxy.StallAfter(100_000); n != 1 {
		t.Fatalf("%d connections open to the origin; want 1 (HTTP/2)", n)
	}
	start := time.Now()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	_, _, err := f.Segment(sctx, hashes[1], catalog.UrgencySoon)
	took := time.Since(start)
	t.Logf("segment came in %v: %v; %d connections", took, err, proxy.Accepted())
	if err != nil || took > timeout+time.Second || proxy.Accepted() != 2 {
		t.Errorf("segment came in %v (%v), %d connections; want it within %v, on a second connection", took, err, proxy.Accepted(), timeout+time.Second)
	}
}

// A segment the player gave up as stalled (Stalled) is asked again on a
// connection of its own: on the dead one it waited until the HTTP/2
// pings closed it (10 s) or the try ran out. 0.0x s now.
func TestStalledSegmentIsAskedOnANewConnection(t *testing.T) {
	c, hashes, proxy, _ := tlsOriginBehind(t, randomBytes(40_000), randomBytes(40_000))
	f := New(openCache(t), []Tier{{Source: catalog.SourceOrigin, Remote: c}}, Options{})
	ctx := context.Background()
	if _, _, err := f.Segment(ctx, hashes[0], catalog.UrgencySoon); err != nil {
		t.Fatal(err)
	}
	proxy.Stall()
	f.Stalled(hashes[1])
	start := time.Now()
	sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	_, _, err := f.Segment(sctx, hashes[1], catalog.UrgencySoon)
	took := time.Since(start)
	t.Logf("segment came in %v: %v; %d connections", took, err, proxy.Accepted())
	if err != nil || took > time.Second || proxy.Accepted() != 2 {
		t.Errorf("segment came in %v (%v), %d connections; want it within 1 s, on a second connection", took, err, proxy.Accepted())
	}
}

// A dead HTTP/2 connection is taken out of the pool by the origin client's
// pings (originclient's pingAfter 8 s, pingWait 2 s): a request after it,
// with no rule of its own to leave it (a chunk asked directly, as a
// document is), goes on a new connection once they closed it. Without
// them it waited on the dead one until its caller gave up (15 s here).
func TestDeadConnectionIsClosedByPings(t *testing.T) {
	c, hashes, proxy, _ := tlsOriginBehind(t, randomBytes(40_000), randomBytes(40_000))
	ctx := context.Background()
	if _, err := c.Chunk(ctx, hashes[0]); err != nil {
		t.Fatal(err)
	}
	proxy.Stall()
	start := time.Now()
	sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	_, err := c.Chunk(sctx, hashes[1])
	took := time.Since(start)
	t.Logf("asked again after %v: %v; %d connections", took, err, proxy.Accepted())
	if took > 11*time.Second {
		t.Errorf("the request waited %v (%v); want the dead connection closed within 10 s", took, err)
	}
	if _, err := c.Chunk(sctx, hashes[1]); err != nil || proxy.Accepted() != 2 {
		t.Errorf("after: %v, %d connections; want the chunk on a second connection", err, proxy.Accepted())
	}
}

var _ FreshRemote = (*originclient.Client)(nil)

// An origin that answers nothing at all (its host gone: packets dropped)
// fails the segment the play head waits for after HedgeAfter + 5 times
// Timeouts[UrgencyNow] and the backoffs: the first try lasts until the
// hedged request sent HedgeAfter into it has had its own Timeouts[UrgencyNow]
// (4.5 s at the defaults, where the try alone has 3 s), then two tries of
// twice the time each (nothing came), 100 ms and 200 ms apart: 16.8 s at
// the defaults. Here 150 ms, 400 ms: 2.45 s.
func TestSilentOriginFailsInTheDocumentedTime(t *testing.T) {
	_, hashes, _, _ := originWith(t, randomBytes(1000))
	c := client(t, "http://"+testkit.GoneHost(t))
	o := Options{HedgeAfter: 150 * time.Millisecond, Timeouts: map[catalog.Urgency]time.Duration{catalog.UrgencyNow: 400 * time.Millisecond}}
	f := New(openCache(t), []Tier{{Source: catalog.SourceOrigin, Remote: c}}, o)
	start := time.Now()
	_, _, err := f.Segment(context.Background(), hashes[0], catalog.UrgencyNow)
	took := time.Since(start)
	want := o.HedgeAfter + 5*o.Timeouts[catalog.UrgencyNow] + 300*time.Millisecond
	t.Logf("failed in %v (want %v): %v", took, want, err)
	if !errors.Is(err, ErrSilent) || f.Hedges() != 1 {
		t.Fatalf("%v, %d hedges; want ErrSilent after one hedge", err, f.Hedges())
	}
	if took < want || took > want+time.Second {
		t.Errorf("failed in %v; want %v (HedgeAfter + 5 x the timeout + 300 ms of backoff)", took, want)
	}
}
