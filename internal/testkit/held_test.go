package testkit

import (
	"net"
	"testing"
)

// TestHeldRefusesThenListens: a held address refuses connections, a
// listener's bind on its port fails while it is held, and Listen serves
// on the same port; after Rehold and the listener's close it is held
// again, and a second Listen serves there again.
func TestHeldRefusesThenListens(t *testing.T) {
	h := Hold(t)
	for round := 1; round <= 2; round++ {
		if c, err := net.Dial("tcp", h.Addr); err == nil {
			c.Close()
			t.Fatalf("round %d: dial %s before Listen: connected, want refused", round, h.Addr)
		}
		if ln, err := net.Listen("tcp", h.Addr); err == nil {
			ln.Close()
			t.Fatalf("round %d: another listener took the held %s", round, h.Addr)
		}
		ln := h.Listen()
		if ln.Addr().String() != h.Addr {
			t.Fatalf("round %d: listening on %s, want the held %s", round, ln.Addr(), h.Addr)
		}
		accepted := make(chan error, 1)
		go func() {
			c, err := ln.Accept()
			if err == nil {
				c.Close()
			}
			accepted <- err
		}()
		c, err := net.Dial("tcp", h.Addr)
		if err != nil {
			t.Fatalf("round %d: dial %s after Listen: %v", round, h.Addr, err)
		}
		c.Close()
		if err := <-accepted; err != nil {
			t.Fatalf("round %d: accept: %v", round, err)
		}
		h.Rehold()
		ln.Close()
	}
}
