package testkit

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"testing"
)

// TestFreePortIsNotEphemeral: FreePort's ports are free and below the
// kernel's ephemeral range, so a connection's local end or a port 0
// listener cannot take one while the process it is for starts or
// restarts. Ports from Listen("127.0.0.1:0") were in that range.
func TestFreePortIsNotEphemeral(t *testing.T) {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		t.Fatal(err)
	}
	var low, high int
	if _, err := fmt.Sscan(string(b), &low, &high); err != nil {
		t.Fatalf("ip_local_port_range %q: %v", b, err)
	}
	seen := map[int]bool{}
	for range 50 {
		port, err := FreePort()
		if err != nil {
			t.Fatal(err)
		}
		if port < 10000 || port >= low {
			t.Fatalf("FreePort() = %d, want 10000 <= port < %d (the ephemeral range is %d-%d)", port, low, low, high)
		}
		seen[port] = true
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			t.Fatalf("FreePort() = %d, which cannot be listened on: %v", port, err)
		}
		l.Close()
	}
	if len(seen) < 40 {
		t.Fatalf("50 calls gave %d different ports: tests beside each other would collide", len(seen))
	}
	if addr := FreeAddr(t); addr[:10] != "127.0.0.1:" {
		t.Fatalf("FreeAddr = %q, want 127.0.0.1:PORT", addr)
	}
}
