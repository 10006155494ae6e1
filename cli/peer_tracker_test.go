package cli

import (
	"bytes"
	"database/sql"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"segue/cache"
	"segue/internal/testkit"
	"segue/origin"
)

// The origin's tracker took any host a peer announced, so anyone holding a
// token could point listeners at someone else's host:port. Now it lists a
// peer at the host the announce came from. Real segue processes in two
// network namespaces joined by a veth pair, no multicast DNS (no
// --peer-lan): the origin in A, peers in B. A peer serving on B's veth
// address is listed there and says nothing; one serving on B's loopback,
// which no other machine reaches, is listed at B's veth address and says
// on stderr that it is listed where it does not serve.
func TestPeerListedWhereTheOriginSeesIt(t *testing.T) {
	bin := segueBinary(t)
	nsA, nsB, ipA, ipB := netnsPair(t)
	o := newSwarmHost(t, bin)
	data := filepath.Join(o.dir, "origin")
	makeCatalog(t, data) // token create makes none
	token := strings.TrimSpace(o.run("origin", "token", "create", "peers", "--data", data))
	_, srv := startInNetns(t, o, nsA, "origin", "serve", "--addr", ipA+":0", "--data", data)
	testkit.Wait(t, time.Minute, "the origin to listen", func() bool { return servingRE.MatchString(srv.String()) })
	url := "http://" + servingRE.FindStringSubmatch(srv.String())[1]
	listed := func(addr string) bool {
		db, err := sql.Open("sqlite3", filepath.Join(data, origin.CatalogFile))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM peers WHERE addr = ?`, addr).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	serve := func(listen string) (served, wantListed string, errOut *testkit.Buffer) {
		t.Helper()
		out, errOut := startInNetns(t, newSwarmHost(t, bin), nsB, "--origin", url, "--token", token, "peer", "serve", "--listen", listen+":0")
		testkit.Wait(t, time.Minute, "the peer endpoint on "+listen, func() bool { return peerRE.MatchString(out.String()) })
		served = peerRE.FindStringSubmatch(out.String())[1]
		_, port, _ := net.SplitHostPort(served)
		wantListed = net.JoinHostPort(ipB, port)
		testkit.Wait(t, time.Minute, "the tracker to list "+served+" at "+wantListed, func() bool {
			if strings.Contains(errOut.String(), "did not take") {
				t.Fatalf("peer serve on %s: %s", listen, errOut)
			}
			return listed(wantListed)
		})
		return served, wantListed, errOut
	}
	_, _, quiet := serve(ipB)
	served, at, errOut := serve("127.0.0.1")
	if listed(served) {
		t.Errorf("the tracker lists %s, an address only the peer's own machine reaches", served)
	}
	say := "segue: the origin's tracker lists this peer at " + at + ", the address the origin sees this machine at, while it serves on " + served
	testkit.Wait(t, time.Minute, "peer serve to say where the tracker lists it", func() bool { return strings.Contains(errOut.String(), say) })
	if n := strings.Count(errOut.String(), "\n"); n != 1 {
		t.Errorf("peer serve on loopback stderr: %q; want one line saying where it is listed", errOut)
	}
	if s := quiet.String(); s != "" {
		t.Errorf("peer serve listed where it serves says %q on stderr; want nothing", s)
	}
}

// startInNetns starts h's segue inside the network namespace ns, killed at
// the end of the test, and returns its stdout and stderr.
func startInNetns(t *testing.T, h *swarmHost, ns string, args ...string) (stdout, stderr *testkit.Buffer) {
	t.Helper()
	stdout, stderr = &testkit.Buffer{}, &testkit.Buffer{}
	cmd := inNetns(h, ns, args...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return stdout, stderr
}

// A peer serving on an IPv6 link-local address (fe80::/10) was never
// asked: its address needs a zone (%eth0), the tracker lists it with the
// zone of the origin's machine, and the swarm's request URL did not even
// parse with a zone in it. Real segue processes in two network namespaces
// joined by a veth pair: the origin and a peer serving on A's link-local
// address in A (it announces through loopback, so the tracker keeps the
// host it names), a listener in B that reaches the origin at A's IPv4
// address. B's bytes come from the peer, dialed on B's own interface.
func TestPeerOnALinkLocalAddress(t *testing.T) {
	bin := segueBinary(t)
	nsA, nsB, ipA, ipB := netnsPair(t)
	devA := vethIn(t, nsA)
	if out, err := exec.Command("ip", "-n", nsA, "addr", "add", "fe80::a1/64", "dev", devA, "nodad").CombinedOutput(); err != nil {
		t.Fatalf("add a link-local address: %v\n%s", err, out)
	}
	token, port, track, db, out, _ := peerBesideOrigin(t, bin, nsA, "[fe80::a1%"+devA+"]:0")
	served := peerRE.FindStringSubmatch(out.String())[1]
	if !strings.HasPrefix(served, "[fe80::a1%"+devA+"]:") {
		t.Fatalf("peer serve --listen [fe80::a1%%%s]:0 says it serves on %s; want the zone kept", devA, served)
	}
	testkit.Wait(t, time.Minute, "the tracker to list "+served, func() bool {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM peers WHERE addr = ?`, served).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	})

	// B dials from its own link-local address, which the kernel holds
	// tentative for its duplicate address detection (about a second):
	// played before it was usable, B reached no peer (a CI run)
	devB := vethIn(t, nsB)
	testkit.Wait(t, 30*time.Second, "B's link-local address to be usable", func() bool {
		out, err := exec.Command("ip", "-n", nsB, "-6", "addr", "show", "dev", devB, "tentative").CombinedOutput()
		return err == nil && len(bytes.TrimSpace(out)) == 0
	})
	b := newSwarmHost(t, bin)
	if out, err := inNetns(b, nsB, "--origin", "http://"+ipA+":"+port, "--token", token, "--peer", "--peer-listen", ipB+":0",
		"play", track, "--quality", "normal", "--output", "wav:"+filepath.Join(b.dir, "b.wav"), "--fast").CombinedOutput(); err != nil {
		t.Fatalf("B's play: %v\n%s", err, out)
	}
	st := b.stats()
	if st.BytesBySource[cache.SourcePeer] == 0 {
		log, _ := os.ReadFile(filepath.Join(b.dir, "state", "segue", "segue.log"))
		t.Fatalf("B took no bytes from the peer at %s (%d from the origin); B's log:\n%s", served, st.BytesBySource[cache.SourceOrigin], log)
	}
}

// peerBesideOrigin starts an origin serving one ingested track on every
// address of the network namespace ns, and beside it a peer that played
// the track through loopback (so holds it) and serves with --listen
// listen. It returns the origin's token for peers, port, track and open
// catalog, and the peer's stdout once it serves.
func peerBesideOrigin(t *testing.T, bin, ns, listen string) (token, port, track string, db *sql.DB, peerOut, peerErr *testkit.Buffer) {
	t.Helper()
	o := newSwarmHost(t, bin)
	data := ingestChirp(t, o)
	token = strings.TrimSpace(o.run("origin", "token", "create", "peers", "--data", data))
	_, srv := startInNetns(t, o, ns, "origin", "serve", "--addr", "0.0.0.0:0", "--data", data)
	testkit.Wait(t, time.Minute, "the origin to listen", func() bool { return servingRE.MatchString(srv.String()) })
	_, port, _ = net.SplitHostPort(servingRE.FindStringSubmatch(srv.String())[1])
	db, err := sql.Open("sqlite3", filepath.Join(data, origin.CatalogFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.QueryRow(`SELECT id FROM tracks`).Scan(&track); err != nil {
		t.Fatal(err)
	}
	p := newSwarmHost(t, bin)
	local := []string{"--origin", "http://127.0.0.1:" + port, "--token", token}
	if out, err := inNetns(p, ns, append(local, "play", track, "--quality", "normal", "--output", "wav:"+filepath.Join(p.dir, "p.wav"), "--fast")...).CombinedOutput(); err != nil {
		t.Fatalf("the peer's play: %v\n%s", err, out)
	}
	peerOut, peerErr = startInNetns(t, p, ns, append(local, "peer", "serve", "--listen", listen)...)
	testkit.Wait(t, time.Minute, "the peer endpoint", func() bool { return peerRE.MatchString(peerOut.String()) })
	testkit.Wait(t, time.Minute, "the tracker to take the peer", func() bool {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM peers`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	})
	return token, port, track, db, peerOut, peerErr
}

// lookupPeers asks the tracker of the origin at originHost:port, from the
// network namespace ns, for the peers of track, and returns its answer.
func lookupPeers(t *testing.T, ns, originHost, port, token, track string) string {
	t.Helper()
	out, err := exec.Command("ip", "netns", "exec", ns, "curl", "-sS", "--fail-with-body", "-H", "Authorization: Bearer "+token,
		"http://"+net.JoinHostPort(originHost, port)+"/api/v1/peers?track="+track).CombinedOutput()
	if err != nil {
		t.Fatalf("look up the peers from %s: %v\n%s", ns, err, out)
	}
	return string(out)
}

// vethIn is the name of the veth device in the network namespace ns.
func vethIn(t *testing.T, ns string) string {
	t.Helper()
	out, err := exec.Command("ip", "-n", ns, "-o", "link", "show", "type", "veth").Output()
	name, _, _ := strings.Cut(strings.TrimSpace(string(out)), "@")
	if _, name, _ = strings.Cut(name, ": "); err != nil || name == "" {
		t.Fatalf("the veth device in %s: %v %q", ns, err, out)
	}
	return name
}

// A peer on the origin's own machine serving on every address (--listen
// 0.0.0.0:PORT) announces through loopback, so the tracker listed it at
// 127.0.0.1:PORT, and a listener on another machine dialed its own
// loopback and never reached it. Now a lookup from another machine gets
// such a peer at the address that machine reached the origin at; one from
// the origin's machine still gets 127.0.0.1. Real segue processes in two
// network namespaces joined by a veth pair: the origin and the peer in A,
// a listener in B that reaches the origin at A's address and takes bytes
// from the peer.
func TestPeerOnTheOriginsMachineIsReachedFromAnother(t *testing.T) {
	needTools(t, "curl")
	bin := segueBinary(t)
	nsA, nsB, ipA, ipB := netnsPair(t)
	token, port, track, _, out, _ := peerBesideOrigin(t, bin, nsA, "0.0.0.0:0")
	_, peerPort, _ := net.SplitHostPort(peerRE.FindStringSubmatch(out.String())[1])
	lookup := func(ns, originHost string) string { return lookupPeers(t, ns, originHost, port, token, track) }
	if got, want := lookup(nsB, ipA), `"addr":"`+net.JoinHostPort(ipA, peerPort)+`"`; !strings.Contains(got, want) {
		t.Errorf("the tracker's answer to another machine is %s; want the peer at the origin's address (%s)", got, want)
	}
	if got, want := lookup(nsA, "127.0.0.1"), `"addr":"`+net.JoinHostPort("127.0.0.1", peerPort)+`"`; !strings.Contains(got, want) {
		t.Errorf("the tracker's answer on its own machine is %s; want the peer on loopback (%s)", got, want)
	}

	// B dials from its own link-local address, which the kernel holds
	// tentative for its duplicate address detection (about a second):
	// played before it was usable, B reached no peer (a CI run)
	devB := vethIn(t, nsB)
	testkit.Wait(t, 30*time.Second, "B's link-local address to be usable", func() bool {
		out, err := exec.Command("ip", "-n", nsB, "-6", "addr", "show", "dev", devB, "tentative").CombinedOutput()
		return err == nil && len(bytes.TrimSpace(out)) == 0
	})
	b := newSwarmHost(t, bin)
	if out, err := inNetns(b, nsB, "--origin", "http://"+ipA+":"+port, "--token", token, "--peer", "--peer-listen", ipB+":0",
		"play", track, "--quality", "normal", "--output", "wav:"+filepath.Join(b.dir, "b.wav"), "--fast").CombinedOutput(); err != nil {
		t.Fatalf("B's play: %v\n%s", err, out)
	}
	if st := b.stats(); st.BytesBySource[cache.SourcePeer] == 0 {
		log, _ := os.ReadFile(filepath.Join(b.dir, "state", "segue", "segue.log"))
		t.Fatalf("B took no bytes from the peer on the origin's machine (%d from the origin); B's log:\n%s", st.BytesBySource[cache.SourceOrigin], log)
	}
}

// A peer on the origin's machine serving on loopback alone (--listen
// 127.0.0.1:PORT) was given by the tracker to other machines at the
// origin's address, where nothing of it serves, and nobody was told. Now
// the tracker gives it only to clients on the origin's machine, and the
// peer says on stderr that other machines cannot reach it and how to
// share with them. Real segue processes in two network namespaces: the
// origin and the peer in A, the other machine's lookup from B.
func TestLoopbackPeerBesideTheOriginStaysHome(t *testing.T) {
	needTools(t, "curl")
	bin := segueBinary(t)
	nsA, nsB, ipA, _ := netnsPair(t)
	token, port, track, _, out, errOut := peerBesideOrigin(t, bin, nsA, "127.0.0.1:0")
	served := peerRE.FindStringSubmatch(out.String())[1]
	_, peerPort, _ := net.SplitHostPort(served)
	if got := lookupPeers(t, nsB, ipA, port, token, track); strings.Contains(got, ":"+peerPort+`"`) {
		t.Errorf("the tracker's answer to another machine is %s; want no peer that serves on the origin's loopback (%s)", got, served)
	}
	if got, want := lookupPeers(t, nsA, "127.0.0.1", port, token, track), `"addr":"`+served+`"`; !strings.Contains(got, want) {
		t.Errorf("the tracker's answer on its own machine is %s; want the peer on loopback (%s)", got, want)
	}
	say := "segue: this peer serves on " + served + ", on loopback alone, so the origin's tracker gives it only to segue on this machine"
	testkit.Wait(t, time.Minute, "peer serve to say it serves on loopback alone", func() bool { return strings.Contains(errOut.String(), say) })
	if !strings.Contains(errOut.String(), `[peer] listen = "0.0.0.0:PORT"`) || strings.Count(errOut.String(), "\n") != 1 {
		t.Errorf("peer serve on loopback beside the origin, stderr: %q; want one line saying how to share with other machines", errOut)
	}
}
