package cli

import (
	"encoding/json"
	"fmt"
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
		testkit.Wait(t, time.Minute, from+" to discover "+want, func() bool {
			out, err := inNetns(hosts[from], from, "peer", "discover", "--json", "--timeout", "1s").Output()
			if err != nil {
				t.Fatalf("peer discover in %s: %v", from, err)
			}
			var peers []catalog.Peer
			if err := json.Unmarshal(out, &peers); err != nil {
				t.Fatalf("peer discover --json: %v\n%s", err, out)
			}
			for _, p := range peers {
				if p.Addr == want {
					return true
				}
			}
			return false
		})
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
