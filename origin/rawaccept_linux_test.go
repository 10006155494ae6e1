package origin

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// rawListener's connections carry the addresses net's would, read and
// write, become *net.TCPConn for net/http with the same peer, and a Close
// ends a waiting Accept with net.ErrClosed, as net's listener does.
func TestRawListenerAcceptsAsNetDoes(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0"} {
		ln, err := Listen(addr)
		if err != nil {
			t.Fatal(err)
		}
		rl := newRawListener(ln)
		if _, ok := rl.(*rawListener); !ok {
			t.Fatalf("newRawListener(%T) = %T", ln, rl)
		}
		client, err := net.Dial("tcp", rl.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c, err := rl.Accept()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := c.RemoteAddr().String(), client.LocalAddr().String(); got != want {
			t.Errorf("%s: RemoteAddr %s, the client is at %s", addr, got, want)
		}
		if got, want := c.LocalAddr().String(), client.RemoteAddr().String(); got != want {
			t.Errorf("%s: LocalAddr %s, the client dialled %s", addr, got, want)
		}
		client.Write([]byte("ping"))
		buf := make([]byte, 4)
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ping" {
			t.Fatalf("%s: read %q, %v", addr, buf, err)
		}
		tc, ok := forNetHTTP(c).(*net.TCPConn)
		if !ok {
			t.Fatalf("%s: forNetHTTP gave no *net.TCPConn", addr)
		}
		if got, want := tc.RemoteAddr().String(), client.LocalAddr().String(); got != want {
			t.Errorf("%s: as *net.TCPConn, RemoteAddr %s, want %s", addr, got, want)
		}
		tc.Write([]byte("pong"))
		client.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.ReadFull(client, buf); err != nil || string(buf) != "pong" {
			t.Fatalf("%s: client read %q, %v", addr, buf, err)
		}
		tc.Close()
		if n, err := client.Read(buf); err != io.EOF {
			t.Errorf("%s: after the server closed, the client read %d, %v; want EOF (one descriptor was left open)", addr, n, err)
		}
		client.Close()

		done := make(chan error, 1)
		go func() { _, err := rl.Accept(); done <- err }()
		time.Sleep(20 * time.Millisecond)
		rl.Close()
		select {
		case err := <-done:
			if !errors.Is(err, net.ErrClosed) {
				t.Errorf("%s: Accept after Close: %v, want net.ErrClosed", addr, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: Close did not end a waiting Accept", addr)
		}
		if _, err := net.Dial("tcp", rl.Addr().String()); err == nil {
			t.Errorf("%s: the socket still listens after Close", addr)
		}
	}
}
