package testkit

import (
	"bufio"
	"net"
	"strings"
	"sync"
	"testing"
)

// HungSocket listens on the unix socket path (which must not exist) and
// stands in for a hung segue's control socket: it accepts every
// connection (as the kernel does for a live process whose answering
// goroutines are stuck), reads its first line and never answers, until
// the test ends. It returns the lines read so far, without their newline.
func HungSocket(t testing.TB, path string) (lines func() []string) {
	t.Helper()
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	var got []string
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go func() {
				if line, err := bufio.NewReader(c).ReadString('\n'); err == nil {
					mu.Lock()
					got = append(got, strings.TrimSuffix(line, "\n"))
					mu.Unlock()
				}
			}()
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), got...)
	}
}
