package testkit

import (
	"net"
	"testing"
)

// TestHeldRefusesThenListens: a held address refuses connections, a
// listener's bind on its port fails while it is held, and Listen serves
// on the same port.
func TestHeldRefusesThenListens(t *testing.T) {
	h := Hold(t)
	if c, err := net.Dial("tcp", h.Addr); err == nil {
		c.Close()
		t.Fatalf("dial %s before Listen: connected, want refused", h.Addr)
	}
	if ln, err := net.Listen("tcp", h.Addr); err == nil {
		ln.Close()
		t.Fatalf("another listener took the held %s", h.Addr)
	}
	ln := h.Listen()
	defer ln.Close()
	if ln.Addr().String() != h.Addr {
		t.Fatalf("listening on %s, want the held %s", ln.Addr(), h.Addr)
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
		t.Fatalf("dial %s after Listen: %v", h.Addr, err)
	}
	c.Close()
	if err := <-accepted; err != nil {
		t.Fatalf("accept: %v", err)
	}
}
