package config

import (
	"net"
	"strconv"
	"testing"
)

// TestListenedAddr listens on each address for real: an unspecified host
// keeps the family asked for (Go reports 0.0.0.0 as [::]), any other
// address is the listener's own, always with the port it got.
func TestListenedAddr(t *testing.T) {
	for _, c := range []struct{ asked, host string }{
		{"0.0.0.0:0", "0.0.0.0"},
		{"[::]:0", "::"},
		{"[0:0:0:0:0:0:0:0]:0", "::"},
		{":0", "::"},
		{"127.0.0.1:0", "127.0.0.1"},
		{"[::1]:0", "::1"},
	} {
		ln, err := net.Listen("tcp", c.asked)
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		if want, got := net.JoinHostPort(c.host, strconv.Itoa(port)), ListenedAddr(c.asked, ln.Addr()); got != want {
			t.Errorf("ListenedAddr(%q, %v) = %q; want %q", c.asked, ln.Addr(), got, want)
		}
		ln.Close()
	}
}
