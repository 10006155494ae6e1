package peer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// lanTestNetns names the environment variable under which the test binary,
// run again inside a network namespace, does the part that needs it.
const lanTestNetns = "PEER_TEST_IN_NETNS"

// On a machine connected to no network (loopback alone: no route for
// multicast) segue peer discover said only "browse the LAN for peers:
// failed to bind to any multicast udp port", the mdns package's words,
// which say neither why nor what to do. Browse now says that no interface
// routes multicast and what to do; a LAN peer whose network goes after it
// started says so once as a warning (it was a debug line each round). The
// test binary runs again in a fresh network namespace (ip netns; loopback
// only, then a veth pair of its own), so nothing reaches a real network.
func TestBrowseWithNoNetworkSaysWhy(t *testing.T) {
	if os.Getenv(lanTestNetns) == "1" {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := Browse(ctx, 200*time.Millisecond, "", nil)
		fmt.Printf("browse error: %v\n", err)
		// a LAN peer (peer serve --peer-lan) whose network goes (a laptop
		// off its Wi-Fi): its failing rounds were debug lines only, so it
		// said nothing. A veth pair routes multicast while it starts.
		for _, args := range [][]string{{"link", "add", "d0", "type", "veth", "peer", "name", "d1"}, {"addr", "add", "10.9.9.1/24", "dev", "d0"},
			{"link", "set", "d0", "up", "multicast", "on"}, {"link", "set", "d1", "up"}, {"route", "add", "224.0.0.0/4", "dev", "d0"}} {
			if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
				fmt.Printf("ip %v: %v %s\n", args, err, out)
			}
		}
		log := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelInfo}))
		lan, err := StartLAN(LANOptions{ID: "p1", Addr: "10.9.9.1:7701", Every: 100 * time.Millisecond, Logger: log})
		if err != nil {
			fmt.Printf("start LAN: %v\n", err)
			return
		}
		time.Sleep(300 * time.Millisecond)
		exec.Command("ip", "link", "del", "d0").Run()
		time.Sleep(time.Second)
		lan.Close()
		return
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Fatalf("ip (iproute2) is needed to make a network namespace: %v", err)
	}
	b := make([]byte, 3)
	rand.Read(b)
	ns := "sgN" + hex.EncodeToString(b)
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add %s: %v\n%s", ns, err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	if out, err := exec.Command("ip", "-n", ns, "link", "set", "lo", "up").CombinedOutput(); err != nil {
		t.Fatalf("ip link set lo up: %v\n%s", err, out)
	}
	cmd := exec.Command("ip", "netns", "exec", ns, os.Args[0], "-test.run=^TestBrowseWithNoNetworkSaysWhy$", "-test.count=1")
	cmd.Env = append(os.Environ(), lanTestNetns+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the test in namespace %s: %v\n%s", ns, err, out)
	}
	got := string(out)
	if !strings.Contains(got, "browse error: browse the LAN for peers: no network interface here takes multicast DNS") ||
		!strings.Contains(got, "connect it to the LAN") || strings.Contains(got, "failed to bind") {
		t.Errorf("Browse on a machine with loopback alone:\n%s\nwant it to say that no interface takes multicast and what to do", got)
	}
	if warned := strings.Count(got, "level=WARN"); warned != 1 || !strings.Contains(got, "no network interface here takes multicast DNS") {
		t.Errorf("a LAN peer whose network went, failing each round for 1 s, logged %d warnings:\n%s\nwant one, saying why, the first time", warned, got)
	}
}
