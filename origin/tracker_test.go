package origin

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"segue/catalog"
	"segue/net/originclient"
)

func addrs(ps []catalog.Peer) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Addr
	}
	slices.Sort(out)
	return out
}

// The tracker over real HTTP, on each catalog engine: announces with an
// unspecified host take the request's source, lookups never return the
// asker, stale announces expire (and are dropped from the catalog by a
// later announce), and a re-announce replaces the previous one.
func TestTrackerOverHTTP(t *testing.T) { forEachEngine(t, testTrackerOverHTTP) }

func testTrackerOverHTTP(t *testing.T, e engine) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	f := newFixtureOn(t, e)
	r := startServer(t, f.serverOptions(), "127.0.0.1:0")
	r.srv.tracker.now = func() time.Time { return now }
	c, err := originclient.New(r.base, originclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	announce := func(id, addr string, tracks ...string) {
		t.Helper()
		reply, err := c.AnnouncePeer(ctx, catalog.PeerAnnounce{ID: id, Addr: addr, Tracks: tracks})
		if err != nil || reply.TTLSeconds != 90 {
			t.Fatalf("announce %s: %+v, %v", id, reply, err)
		}
	}
	lookup := func(track, self string) []string {
		t.Helper()
		ps, err := c.Peers(ctx, track, self)
		if err != nil {
			t.Fatal(err)
		}
		return addrs(ps)
	}
	announce("pa", "127.0.0.1:7001", "t1", "t2", "t1")
	announce("pb", "0.0.0.0:7002", "t1")
	if got := lookup("t1", ""); !slices.Equal(got, []string{"127.0.0.1:7001", "127.0.0.1:7002"}) {
		t.Fatalf("peers of t1 = %v", got)
	}
	if got := lookup("t1", "pa"); !slices.Equal(got, []string{"127.0.0.1:7002"}) {
		t.Fatalf("peers of t1 asked by pa = %v, want pb only", got)
	}
	announce("pa", "127.0.0.1:7001", "t3") // replaces t1, t2
	if got := lookup("t2", ""); len(got) != 0 {
		t.Fatalf("peers of t2 after pa dropped it = %v", got)
	}
	announce("pa", "127.0.0.1:7009", "t3") // the same tracks from a new address
	if got := lookup("t3", ""); !slices.Equal(got, []string{"127.0.0.1:7009"}) {
		t.Fatalf("peers of t3 after pa moved = %v, want its new address", got)
	}
	now = now.Add(60 * time.Second)
	announce("pa", "127.0.0.1:7001", "t1") // pa renewed, pb not
	now = now.Add(31 * time.Second)        // pb's announce is 91 s old
	if got := lookup("t1", ""); !slices.Equal(got, []string{"127.0.0.1:7001"}) {
		t.Fatalf("peers of t1 after pb expired = %v", got)
	}
	announce("pc", "127.0.0.1:7003", "t4")
	var rows int
	if err := f.db.QueryRow(`SELECT count(*) FROM peers WHERE id = 'pb'`).Scan(&rows); err != nil || rows != 0 {
		t.Fatalf("the expired peer pb has %d rows in peers after a later announce (%v); want it dropped", rows, err)
	}
	if err := f.db.QueryRow(`SELECT count(*) FROM peer_tracks WHERE peer_id = 'pb'`).Scan(&rows); err != nil || rows != 0 {
		t.Fatalf("the expired peer pb has %d rows in peer_tracks (%v); want them dropped with it", rows, err)
	}
	for i := range 15 {
		announce("many"+itoa(i), "127.0.0.1:"+itoa(8000+i), "popular")
	}
	if got := lookup("popular", ""); len(got) != catalog.MaxPeersListed {
		t.Fatalf("popular track lists %d peers, want %d", len(got), catalog.MaxPeersListed)
	}
	full := make([]string, catalog.MaxAnnouncedTracks)
	for i := range full {
		full[i] = "big" + itoa(i)
	}
	announce("big", "127.0.0.1:7777", full...)
	if got := lookup(full[len(full)-1], ""); !slices.Equal(got, []string{"127.0.0.1:7777"}) {
		t.Fatalf("peers of the last of %d announced tracks = %v", len(full), got)
	}
	for _, bad := range []catalog.PeerAnnounce{
		{ID: "", Addr: "127.0.0.1:1"},
		{ID: "x/y", Addr: "127.0.0.1:1"},
		{ID: "ok", Addr: "127.0.0.1"},
		{ID: "ok", Addr: "127.0.0.1:0"},
		{ID: "ok", Addr: "127.0.0.1:1", Tracks: []string{"../t"}},
		{ID: "ok", Addr: "127.0.0.1:1", Tracks: make([]string, catalog.MaxAnnouncedTracks+1)},
	} {
		if _, err := c.AnnouncePeer(ctx, bad); err == nil {
			t.Errorf("announce %+v was accepted", bad)
		}
	}
	if _, err := c.Peers(ctx, "", ""); err == nil {
		t.Error("a lookup without a track was answered")
	}
}

// Peers behind one token never learn of peers behind another, unless the
// origin allows it, and one token's peer ID never replaces another's.
func TestTrackerKeepsTokensApart(t *testing.T) { forEachEngine(t, testTrackerKeepsTokensApart) }

func testTrackerKeepsTokensApart(t *testing.T, e engine) {
	tr := NewTracker(newFixtureOn(t, e).db, 0, nil)
	ctx := t.Context()
	must(t, tr.Announce(ctx, "owner:a", catalog.PeerAnnounce{ID: "p1", Addr: "10.0.0.1:1", Tracks: []string{"t1"}}))
	if got, err := tr.Peers(ctx, "owner:b", "t1", ""); err != nil || len(got) != 0 {
		t.Fatalf("another token's lookup found %v (%v)", got, err)
	}
	must(t, tr.Announce(ctx, "owner:b", catalog.PeerAnnounce{ID: "p1", Addr: "10.0.0.2:1", Tracks: []string{"t2"}}))
	if got, err := tr.Peers(ctx, "owner:a", "t1", ""); err != nil || !slices.Equal(addrs(got), []string{"10.0.0.1:1"}) {
		t.Fatalf("the same token's lookup found %v (%v); want p1 of owner:a, untouched by owner:b's p1", got, err)
	}
}

// TestTrackerSharedByReplicas: two replicas over one catalog (one SQLite
// file, or one PostgreSQL database) answer from the same announces: a peer
// announced to replica A is found through replica B, a re-announce to B
// replaces what A was told, and an expiry seen by A holds for B.
func TestTrackerSharedByReplicas(t *testing.T) { forEachEngine(t, testTrackerSharedByReplicas) }

func testTrackerSharedByReplicas(t *testing.T, e engine) {
	f := newFixtureOn(t, e)
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	var cs []*originclient.Client
	for range 2 {
		r := startServer(t, f.serverOptions(), "127.0.0.1:0")
		r.srv.tracker.now = clock
		c, err := originclient.New(r.base, originclient.Options{})
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	a, b := cs[0], cs[1]
	ctx := t.Context()
	lookup := func(c *originclient.Client, track string) []string {
		t.Helper()
		ps, err := c.Peers(ctx, track, "")
		if err != nil {
			t.Fatal(err)
		}
		return addrs(ps)
	}
	if _, err := a.AnnouncePeer(ctx, catalog.PeerAnnounce{ID: "pa", Addr: "127.0.0.1:7001", Tracks: []string{"t1", "t2"}}); err != nil {
		t.Fatal(err)
	}
	if got := lookup(b, "t1"); !slices.Equal(got, []string{"127.0.0.1:7001"}) {
		t.Fatalf("replica B's peers of t1 = %v; want pa, announced to replica A", got)
	}
	if _, err := b.AnnouncePeer(ctx, catalog.PeerAnnounce{ID: "pa", Addr: "127.0.0.1:7001", Tracks: []string{"t2"}}); err != nil {
		t.Fatal(err)
	}
	if got := lookup(a, "t1"); len(got) != 0 {
		t.Fatalf("replica A's peers of t1 = %v after pa told replica B it holds only t2; want none", got)
	}
	if got := lookup(a, "t2"); !slices.Equal(got, []string{"127.0.0.1:7001"}) {
		t.Fatalf("replica A's peers of t2 = %v; want pa", got)
	}
	now = now.Add(DefaultPeerTTL + time.Second)
	if got := lookup(b, "t2"); len(got) != 0 {
		t.Fatalf("replica B's peers of t2 = %v after pa's announce expired; want none", got)
	}
}

func FuzzValidAnnounce(f *testing.F) {
	f.Add("p1", "127.0.0.1:7001", "t1", "10.0.0.2:5555")
	f.Add("p1", ":7001", "t1", "10.0.0.2:5555")
	f.Add("p1", "[::]:7001", "t1", "[fe80::1]:5555")
	f.Add("", "x", "", "")
	f.Fuzz(func(t *testing.T, id, addr, track, remote string) {
		a := catalog.PeerAnnounce{ID: id, Addr: addr, Tracks: []string{track}}
		err := validAnnounce(&a, remote)
		if err != nil {
			if !errors.Is(err, errBadAnnounce) {
				t.Fatalf("error %v does not wrap errBadAnnounce", err)
			}
			return
		}
		if !validID(a.ID, 64) || !validID(track, 128) || a.Addr == "" {
			t.Fatalf("accepted %+v from %q", a, remote)
		}
	})
}

// TestAnnounceBehindATrustedProxy: a peer announcing ":PORT" through a
// trusted proxy is registered at its own address, not the proxy's.
func TestAnnounceBehindATrustedProxy(t *testing.T) {
	r := startServer(t, ServerOptions{DataDir: t.TempDir(), TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}, "127.0.0.1:0")
	req, _ := http.NewRequest("POST", r.base+"/api/v1/peers/announce", strings.NewReader(`{"id":"pa","addr":":7701","tracks":["t1"]}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", "192.168.1.20")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("announce through the proxy: %s", resp.Status)
	}
	peers, err := r.srv.tracker.Peers(t.Context(), "owner:"+LocalOwner, "t1", "")
	if got := addrs(peers); err != nil || !slices.Equal(got, []string{"192.168.1.20:7701"}) {
		t.Fatalf("peers of t1 = %v (%v), want the client's own address 192.168.1.20:7701", got, err)
	}
}
