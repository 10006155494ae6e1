package cli

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
)

// netnsPair makes two network namespaces joined by a veth pair, with
// multicast routed over it and nowhere else, and removes them at the end:
// multicast DNS in a test never reaches a real network. It returns their
// names and addresses.
func netnsPair(t *testing.T) (nsA, nsB, ipA, ipB string) {
	t.Helper()
	needTools(t, "ip")
	id := randomHex(3)
	nsA, nsB = "sgA"+id, "sgB"+id
	vA, vB := "sgva"+id, "sgvb"+id
	ipA, ipB = "10.213.7.1", "10.213.7.2"
	ip := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	ip("netns", "add", nsA)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", nsA).Run() })
	ip("netns", "add", nsB)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", nsB).Run() })
	// Created inside nsA, the pair never exists in this machine's namespace.
	ip("-n", nsA, "link", "add", vA, "type", "veth", "peer", "name", vB, "netns", nsB)
	for _, side := range []struct{ ns, dev, addr string }{{nsA, vA, ipA}, {nsB, vB, ipB}} {
		ip("-n", side.ns, "link", "set", "lo", "up")
		ip("-n", side.ns, "addr", "add", side.addr+"/24", "dev", side.dev)
		ip("-n", side.ns, "link", "set", side.dev, "up", "multicast", "on")
		ip("-n", side.ns, "route", "add", "224.0.0.0/4", "dev", side.dev)
	}
	return nsA, nsB, ipA, ipB
}

// inNetns runs h's segue inside the network namespace ns.
func inNetns(h *swarmHost, ns string, args ...string) *exec.Cmd {
	inner := h.command(args...)
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns}, inner.Args...)...)
	cmd.Env = inner.Env
	return cmd
}

// Issue 13, acceptance 3: two clients in separate network namespaces find
// each other with multicast DNS, with no tracker (no origin runs at all).
func TestPeerLANDiscovery(t *testing.T) {
	bin := segueBinary(t)
	nsA, nsB, ipA, ipB := netnsPair(t)
	hosts := map[string]*swarmHost{nsA: newSwarmHost(t, bin), nsB: newSwarmHost(t, bin)}
	addrs := map[string]string{}
	for ns, ip := range map[string]string{nsA: ipA, nsB: ipB} {
		h := hosts[ns]
		out := &testkit.Buffer{}
		cmd := inNetns(h, ns, "--peer-lan", "peer", "serve", "--listen", ip+":0")
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		testkit.Wait(t, time.Minute, "the peer endpoint in "+ns, func() bool { return peerRE.MatchString(out.String()) })
		addrs[ns] = peerRE.FindStringSubmatch(out.String())[1]
	}
	for from, to := range map[string]string{nsA: nsB, nsB: nsA} {
		want := addrs[to]
		testkit.Wait(t, time.Minute, from+" to discover "+want, func() bool { return discovers(t, hosts[from], from, want) })
	}
	// Each serving peer's own browser found the other too (its log).
	for ns, h := range hosts {
		other := addrs[nsA]
		if ns == nsA {
			other = addrs[nsB]
		}
		re := regexp.MustCompile(`found a peer on the LAN.*` + regexp.QuoteMeta(other))
		testkit.Wait(t, time.Minute, fmt.Sprintf("%s's log to name %s", ns, other), func() bool {
			b, _ := os.ReadFile(filepath.Join(h.dir, "state", "segue", "segue.log"))
			return re.Match(b)
		})
	}
}

// A peer serving on an IPv6 link-local address with --peer-lan advertised
// the machine's IPv4 addresses at that port, where nothing served (the
// zone %dev kept its host from parsing), and browsing took IPv4 answers
// only. Two namespaces joined by a veth pair, each peer serving on its
// link-local address: each finds the other at that address, with the zone
// of its own end of the pair.
func TestPeerLANDiscoveryLinkLocal(t *testing.T) {
	bin := segueBinary(t)
	nsA, nsB, _, _ := netnsPair(t)
	dev := map[string]string{nsA: vethIn(t, nsA), nsB: vethIn(t, nsB)}
	ll := map[string]string{nsA: "fe80::a1", nsB: "fe80::b1"}
	hosts := map[string]*swarmHost{}
	ports := map[string]string{}
	for _, ns := range []string{nsA, nsB} {
		if out, err := exec.Command("ip", "-n", ns, "addr", "add", ll[ns]+"/64", "dev", dev[ns], "nodad").CombinedOutput(); err != nil {
			t.Fatalf("add a link-local address: %v\n%s", err, out)
		}
		hosts[ns] = newSwarmHost(t, bin)
		out, _ := startInNetns(t, hosts[ns], ns, "--peer-lan", "peer", "serve", "--listen", "["+ll[ns]+"%"+dev[ns]+"]:0")
		testkit.Wait(t, time.Minute, "the peer endpoint in "+ns, func() bool { return peerRE.MatchString(out.String()) })
		_, ports[ns], _ = net.SplitHostPort(peerRE.FindStringSubmatch(out.String())[1])
	}
	for from, to := range map[string]string{nsA: nsB, nsB: nsA} {
		want := "[" + ll[to] + "%" + dev[from] + "]:" + ports[to]
		testkit.Wait(t, 30*time.Second, from+" to discover "+want, func() bool { return discovers(t, hosts[from], from, want) })
	}
}

// discovers reports whether `peer discover` run for h in the network
// namespace ns lists a peer at addr.
func discovers(t *testing.T, h *swarmHost, ns, addr string) bool {
	t.Helper()
	out, err := inNetns(h, ns, "peer", "discover", "--json", "--timeout", "1s").Output()
	if err != nil {
		t.Fatalf("peer discover in %s: %v", ns, err)
	}
	var peers []catalog.Peer
	if err := json.Unmarshal(out, &peers); err != nil {
		t.Fatalf("peer discover --json: %v\n%s", err, out)
	}
	for _, p := range peers {
		if p.Addr == addr {
			return true
		}
	}
	t.Logf("peer discover in %s lists %s", ns, out)
	return false
}

// peer discover with no peer answering says so on stderr, exit 0, and --json
// prints []: it said "no peers answered" on stdout. It runs in a network
// namespace of its own, so its query never reaches a real network.
func TestEmptyDiscoverSaysSo(t *testing.T) {
	h := newSwarmHost(t, segueBinary(t))
	ns, _, _, _ := netnsPair(t)
	const says = "no peers answered within 300ms (a peer on the LAN is a segue run with --peer-lan)\n"
	for _, asJSON := range []bool{false, true} {
		args := []string{"peer", "discover", "--timeout", "300ms"}
		if asJSON {
			args = append(args, "--json")
		}
		var out, errOut strings.Builder
		cmd := inNetns(h, ns, args...)
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		switch {
		case err != nil:
			t.Errorf("%s: %v, stderr %q; want exit 0", strings.Join(args, " "), err, errOut.String())
		case !asJSON && (out.String() != "" || errOut.String() != says):
			t.Errorf("%s: stdout %q, stderr %q; want nothing and %q", strings.Join(args, " "), out.String(), errOut.String(), says)
		case asJSON && (strings.TrimSpace(out.String()) != "[]" || errOut.String() != ""):
			t.Errorf("%s: stdout %q, stderr %q; want [] and nothing", strings.Join(args, " "), out.String(), errOut.String())
		}
	}
}
