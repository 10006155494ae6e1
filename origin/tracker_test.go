package origin

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
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
	if got, err := tr.Peers(ctx, "owner:b", "t1", "", false); err != nil || len(got) != 0 {
		t.Fatalf("another token's lookup found %v (%v)", got, err)
	}
	must(t, tr.Announce(ctx, "owner:b", catalog.PeerAnnounce{ID: "p1", Addr: "10.0.0.2:1", Tracks: []string{"t2"}}))
	if got, err := tr.Peers(ctx, "owner:a", "t1", "", false); err != nil || !slices.Equal(addrs(got), []string{"10.0.0.1:1"}) {
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

// FuzzValidAnnounce: whatever is announced from wherever, an accepted
// announce lists the peer at the source's host (or, for a local client,
// an address of the machine or unspecified) and a port 1-65535; refusals wrap
// errBadAnnounce.
func FuzzValidAnnounce(f *testing.F) {
	for _, c := range []struct {
		addr, remote string
		local        bool
	}{
		{"127.0.0.1:7001", "10.0.0.2", false},
		{":7001", "10.0.0.2", false},
		{"[::]:7001", "fe80::1%eth0", false},
		{"203.0.113.9:7001", "192.168.1.20", false},
		{"victim.example:7001", "192.168.1.20", false},
		{"[::ffff:192.168.1.20]:7001", "192.168.1.20", false},
		{"192.168.1.20:7001", "::ffff:192.168.1.20", false},
		{"192.168.1.20:7001", "2001:db8::20", false},
		{"192.0.2.2:7001", "127.0.0.1", true},
		{"203.0.113.9:7001", "::1", true},
		{"[::ffff:127.0.0.1]:+07001", "127.0.0.1", true},
		{"203.0.113.9:7001", "", false},
	} {
		f.Add("p1", c.addr, "t1", c.remote, c.local)
	}
	f.Add("", "x", "", "", false)
	lan := netip.MustParseAddr("192.0.2.2")
	own := func(a netip.Addr) bool { a = a.Unmap().WithZone(""); return a.IsLoopback() || a == lan }
	f.Fuzz(func(t *testing.T, id, addr, track, remote string, local bool) {
		src := announceSource{unknown: "unknown", own: own}
		if ra, err := netip.ParseAddr(remote); err == nil {
			src.addr = ra.Unmap()
			src.local = local && src.addr.IsLoopback()
		}
		a := catalog.PeerAnnounce{ID: id, Addr: addr, Tracks: []string{track}}
		err := validAnnounce(&a, src)
		if err != nil {
			if !errors.Is(err, errBadAnnounce) {
				t.Fatalf("error %v does not wrap errBadAnnounce", err)
			}
			return
		}
		if !validID(a.ID, 64) || !validID(track, 128) {
			t.Fatalf("accepted %+v from %q", a, remote)
		}
		ap, err := netip.ParseAddrPort(a.Addr)
		if err != nil || ap.Port() == 0 || ap.String() != a.Addr {
			t.Fatalf("announce of %q from %q listed at %q: want a canonical IP:port (%v)", addr, remote, a.Addr, err)
		}
		if ap.Addr() != src.addr && !(src.local && (own(ap.Addr()) || ap.Addr().IsUnspecified()) && !ap.Addr().Is4In6()) {
			t.Fatalf("announce of %q from %q (local %v) listed at %q: want the source's host", addr, remote, src.local, a.Addr)
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
	peers, err := r.srv.tracker.Peers(t.Context(), "owner:"+LocalOwner, "t1", "", false)
	if got := addrs(peers); err != nil || !slices.Equal(got, []string{"192.168.1.20:7701"}) {
		t.Fatalf("peers of t1 = %v (%v), want the client's own address 192.168.1.20:7701", got, err)
	}
}

// announceRaw posts body to r's announce endpoint, with X-Forwarded-For
// xff when not empty, and returns the status and the body of the answer.
func announceRaw(t *testing.T, r *running, body, xff string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", r.base+"/api/v1/peers/announce", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	resp, b := testkit.Do(t, nil, req)
	return resp.StatusCode, string(b)
}

// TestAnnounceListsTheSource: a peer is listed at the host its announce
// came from, whatever host it announced (BitTorrent trackers ignore the
// optional ip the same way), so a token or a share link cannot point a
// group's listeners at someone else's host:port. The clients here are
// behind a trusted proxy on loopback, which names them in X-Forwarded-For.
func TestAnnounceListsTheSource(t *testing.T) {
	r := startServer(t, ServerOptions{DataDir: t.TempDir(), TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}, "127.0.0.1:0")
	for i, c := range []struct{ client, addr, want string }{
		{"192.168.1.20", "203.0.113.9:7001", "192.168.1.20:7001"},           // someone else's host
		{"192.168.1.20", "victim.example:7001", "192.168.1.20:7001"},        // a name
		{"192.168.1.20", "127.0.0.1:7001", "192.168.1.20:7001"},             // the origin's own loopback
		{"192.168.1.20", "192.168.1.20:7001", "192.168.1.20:7001"},          // its own: kept
		{"192.168.1.20", "[::ffff:192.168.1.20]:7001", "192.168.1.20:7001"}, // its own, IPv4-mapped
		{"::ffff:192.168.1.20", "192.168.1.20:7001", "192.168.1.20:7001"},   // a mapped source
		{"2001:db8::20", "[2001:db8::20]:7001", "[2001:db8::20]:7001"},
		{"2001:db8::20", "192.168.1.20:7001", "[2001:db8::20]:7001"}, // another family: the source's
		{"2001:db8::20", "[2001:db8::99]:7001", "[2001:db8::20]:7001"},
		// a client claiming loopback through the proxy is not on the
		// origin's machine: it may not pick its host either
		{"::1", "203.0.113.9:7001", "[::1]:7001"},
	} {
		track := "t" + itoa(i)
		body := `{"id":"p` + itoa(i) + `","addr":"` + c.addr + `","tracks":["` + track + `"]}`
		code, msg := announceRaw(t, r, body, c.client)
		var reply catalog.PeerAnnounceReply
		if code != 200 || json.Unmarshal([]byte(msg), &reply) != nil {
			t.Fatalf("announce of %s from %s: %d %s", c.addr, c.client, code, msg)
		}
		if reply.Addr != c.want {
			t.Errorf("%s announced %s: the reply says it is listed at %q, want %s", c.client, c.addr, reply.Addr, c.want)
		}
		peers, err := r.srv.tracker.Peers(t.Context(), "owner:"+LocalOwner, track, "", false)
		if got := addrs(peers); err != nil || !slices.Equal(got, []string{c.want}) {
			t.Errorf("%s announced %s: listed at %v (%v), want %s", c.client, c.addr, got, err, c.want)
		}
	}
	// The proxy did not say who the client is: the origin cannot tell
	// where peers would reach it, and says so rather than listing the proxy.
	code, msg := announceRaw(t, r, `{"id":"px","addr":"203.0.113.9:7001","tracks":["tx"]}`, "")
	if code != http.StatusBadRequest || !strings.Contains(msg, "X-Forwarded-For") {
		t.Errorf("announce through the proxy without X-Forwarded-For: %d %s; want 400 saying to have the proxy send X-Forwarded-For", code, msg)
	}
	if peers, err := r.srv.tracker.Peers(t.Context(), "owner:"+LocalOwner, "tx", "", false); err != nil || len(peers) != 0 {
		t.Errorf("the announce without a known client is listed: %v (%v)", addrs(peers), err)
	}
}

// TestAnnounceFromThisMachine: a peer on the origin's machine (a loopback
// source, no proxy) may announce another address of the machine, its LAN
// address for the other listeners; a host that is not the machine's is
// replaced by the source's, as for anyone else.
func TestAnnounceFromThisMachine(t *testing.T) {
	r := startServer(t, ServerOptions{DataDir: t.TempDir()}, "127.0.0.1:0")
	var own []string
	ifs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, ia := range ifs {
		if n, ok := ia.(*net.IPNet); ok {
			own = append(own, net.JoinHostPort(n.IP.String(), "7002")) // 127.0.0.1 at least
		}
	}
	cases := []struct{ addr, want string }{
		{"203.0.113.9:7001", "127.0.0.1:7001"},
		{"victim.example:7001", "127.0.0.1:7001"},
		{":7001", "127.0.0.1:7001"},
		{"[::ffff:127.0.0.1]:7001", "127.0.0.1:7001"},
	}
	for _, a := range own {
		cases = append(cases, struct{ addr, want string }{a, a})
	}
	for i, c := range cases {
		track := "t" + itoa(i)
		body := `{"id":"p` + itoa(i) + `","addr":"` + c.addr + `","tracks":["` + track + `"]}`
		if code, msg := announceRaw(t, r, body, ""); code != 200 {
			t.Fatalf("announce of %s: %d %s", c.addr, code, msg)
		}
		// as another client on the origin's machine looks it up
		req, err := http.NewRequest("GET", r.base+"/api/v1/peers?track="+track, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, b := testkit.Do(t, nil, req)
		var list catalog.PeerList
		if err := json.Unmarshal(b, &list); resp.StatusCode != 200 || err != nil || !slices.Equal(addrs(list.Peers), []string{c.want}) {
			t.Errorf("a peer on the origin's machine announced %s: listed at %s (%v), want %s", c.addr, b, err, c.want)
		}
	}
}

// TestSeenFrom: the peers on the origin's machine as each asker gets them.
// One serving on every address (listed unspecified) is given at the
// address another machine reached the origin at, and at loopback on the
// origin's machine; one serving on loopback alone is given to the
// origin's machine only: another machine cannot reach it, and was sent to
// the origin's address, where nothing of it serves. A peer listed at a
// LAN address is given as it is to everyone.
func TestSeenFrom(t *testing.T) {
	listed := []string{"0.0.0.0:7001", "127.0.0.1:7002", "[::]:7003", "[::1]:7004", "192.168.1.5:7005", "192.168.1.20:7006"}
	lan, v6 := netip.MustParseAddr("192.168.1.5"), netip.MustParseAddr("2001:db8::5")
	local := announceSource{addr: netip.MustParseAddr("127.0.0.1"), local: true}
	remote := announceSource{addr: netip.MustParseAddr("192.168.1.20")}
	for _, c := range []struct {
		name  string
		asker announceSource
		here  netip.Addr
		want  []string
	}{
		{"on the origin's machine", local, netip.MustParseAddr("127.0.0.1"),
			[]string{"127.0.0.1:7001", "127.0.0.1:7002", "[::1]:7003", "[::1]:7004", "192.168.1.5:7005", "192.168.1.20:7006"}},
		{"on the origin's machine at its LAN address", local, lan,
			[]string{"127.0.0.1:7001", "127.0.0.1:7002", "[::1]:7003", "[::1]:7004", "192.168.1.5:7005", "192.168.1.20:7006"}},
		{"another machine", remote, lan,
			[]string{"192.168.1.5:7001", "192.168.1.5:7003", "192.168.1.5:7005", "192.168.1.20:7006"}},
		{"another machine over IPv6", remote, v6,
			[]string{"192.168.1.5:7005", "192.168.1.20:7006", "[2001:db8::5]:7001", "[2001:db8::5]:7003"}},
		{"another machine through a proxy on the origin's machine", remote, netip.MustParseAddr("127.0.0.1"),
			[]string{"127.0.0.1:7001", "192.168.1.5:7005", "192.168.1.20:7006", "[::1]:7003"}},
	} {
		peers := make([]catalog.Peer, len(listed))
		for i, a := range listed {
			peers[i] = catalog.Peer{ID: itoa(i), Addr: a}
		}
		if got, want := addrs(seenFrom(peers, c.asker, c.here)), slices.Sorted(slices.Values(c.want)); !slices.Equal(got, want) {
			t.Errorf("%s gets %v, want %v", c.name, got, want)
		}
	}
}

// TestRemoteAskerGetsTenItCanReach: peers serving on the origin's loopback
// alone are never given to another machine, and were left out after the
// lookup took its 10: with many of them, a lookup from another machine
// got few peers or none, though two it could reach held the track.
func TestRemoteAskerGetsTenItCanReach(t *testing.T) {
	r := startServer(t, ServerOptions{DataDir: t.TempDir(), TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}, "127.0.0.1:0")
	group := "owner:" + LocalOwner
	for i := range 40 {
		must(t, r.srv.tracker.Announce(t.Context(), group, catalog.PeerAnnounce{ID: "home" + itoa(i), Addr: "127.0.0.1:" + itoa(7000+i), Tracks: []string{"t1"}}))
	}
	for _, ip := range []string{"192.168.1.20", "192.168.1.21"} {
		must(t, r.srv.tracker.Announce(t.Context(), group, catalog.PeerAnnounce{ID: "lan" + ip[len(ip)-2:], Addr: ip + ":7001", Tracks: []string{"t1"}}))
	}
	req, err := http.NewRequest("GET", r.base+"/api/v1/peers?track=t1", nil)
	must(t, err)
	req.Header.Set("X-Forwarded-For", "192.168.1.30")
	resp, body := testkit.Do(t, nil, req)
	var list catalog.PeerList
	if resp.StatusCode != 200 || json.Unmarshal(body, &list) != nil {
		t.Fatalf("lookup from another machine: %s %s", resp.Status, body)
	}
	if got := addrs(list.Peers); !slices.Equal(slices.Sorted(slices.Values(got)), []string{"192.168.1.20:7001", "192.168.1.21:7001"}) {
		t.Errorf("lookup from another machine: %v; want the two LAN peers", got)
	}
}
