package cli

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"sync"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// originPort is the loopback port a testOrigin serves on, bound from its
// first start to the end of the test. A listener closed to stop the origin
// freed its port until the restart listened again, and another test's
// server could take it in between: the restart failed, or the origin that
// was down answered. So the sockets set SO_REUSEPORT (two sockets of one
// user may then share a port) and not SO_REUSEADDR: stop binds the socket
// that holds the port before the listener closes; it does not listen, so
// connections are refused (as testkit.Held's are), and the next start
// listens on it. Go's listeners set SO_REUSEADDR only and cannot bind the
// port meanwhile; only a socket of this user with SO_REUSEPORT could.
type originPort struct {
	t    testing.TB
	addr string     // 127.0.0.1:PORT
	mu   sync.Mutex // guards fd
	fd   int        // the bound socket that does not listen; -1 while none
}

// bindOriginPort binds a socket to addr (127.0.0.1:0 for a free port) and
// holds it, unlistened, for the rest of the test.
func bindOriginPort(t testing.TB, addr string) *originPort {
	t.Helper()
	ap, err := netip.ParseAddrPort(addr)
	if err != nil || !ap.Addr().Is4() {
		t.Fatalf("test origin address %q: want an IPv4 HOST:PORT (%v)", addr, err)
	}
	p := &originPort{t: t, fd: -1}
	t.Cleanup(func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.fd >= 0 {
			unix.Close(p.fd)
			p.fd = -1
		}
	})
	fd, err := p.bind(ap)
	if err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		unix.Close(fd)
		t.Fatal(err)
	}
	p.fd = fd
	p.addr = netip.AddrPortFrom(ap.Addr(), uint16(sa.(*unix.SockaddrInet4).Port)).String()
	return p
}

// bind returns a new socket with SO_REUSEPORT bound to ap.
func (p *originPort) bind(ap netip.AddrPort) (int, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("hold %s: %w", ap, err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("hold %s: %w", ap, err)
	}
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: ap.Addr().As4(), Port: int(ap.Port())}); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("hold %s: %w", ap, err)
	}
	return fd, nil
}

// listen makes the held socket a listener (the caller closes it); hold
// must bind the next one before it closes.
func (p *originPort) listen() net.Listener {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fd < 0 {
		p.t.Fatalf("listen on %s: no socket holds it (started twice without a stop?)", p.addr)
	}
	if err := unix.Listen(p.fd, unix.SOMAXCONN); err != nil {
		p.t.Fatalf("listen on %s: %v", p.addr, err)
	}
	f := os.NewFile(uintptr(p.fd), p.addr)
	p.fd = -1 // f owns it now
	defer f.Close()
	ln, err := net.FileListener(f) // a dup of f's descriptor
	if err != nil {
		p.t.Fatalf("listen on %s: %v", p.addr, err)
	}
	return ln
}

// hold binds the socket that holds the port while the origin is stopped;
// call it while the listener is still open. A failure is reported with
// Errorf (stop runs in cleanups and other goroutines) and the next listen
// fails the test.
func (p *originPort) hold() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fd >= 0 {
		return
	}
	fd, err := p.bind(netip.MustParseAddrPort(p.addr))
	if err != nil {
		p.t.Errorf("stop the test origin: %v", err)
		return
	}
	p.fd = fd
}

// TestStoppedOriginHoldsItsAddress: a stopped testOrigin refuses
// connections, and no other server can listen on its address until it
// starts there again (its closed listener freed the port in between).
func TestStoppedOriginHoldsItsAddress(t *testing.T) {
	o := &testOrigin{t: t, data: t.TempDir(), addr: "127.0.0.1:0"}
	o.start()
	t.Cleanup(o.stop)
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	get := func() error {
		resp, err := c.Get("http://" + o.addr + "/api/v1/artists")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return errors.New(resp.Status)
		}
		return nil
	}
	for round := range 2 {
		if err := get(); err != nil {
			t.Fatalf("round %d: the started origin: %v", round+1, err)
		}
		o.stop()
		if err := get(); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("round %d: the stopped origin: %v; want connection refused", round+1, err)
		}
		if ln, err := net.Listen("tcp", o.addr); err == nil {
			ln.Close()
			t.Fatalf("round %d: another server listened on the stopped origin's address %s", round+1, o.addr)
		}
		o.start()
	}
	if err := get(); err != nil {
		t.Fatalf("the origin started a third time: %v", err)
	}
}
