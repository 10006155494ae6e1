package testkit

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
)

// TCPProxy passes TCP connections on loopback to a server, byte for byte
// (TLS and HTTP/2 pass through it untouched), and can blackhole the
// connections open at one moment: they stay open and pass nothing more
// either way, as a connection does whose path died without a reset (a NAT
// that dropped its mapping, a wifi that roamed, a firewall that stopped
// forwarding), while connections opened after pass. FaultProxy works on
// HTTP answers and cannot stall one connection under HTTP/2's streams.
type TCPProxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex // guards conns, next and nextAfter
	conns []*proxied
	// next connections accepted are blackholed after nextAfter bytes
	// toward the client (StallNext; next < 0: every one)
	next      int
	nextAfter int64

	accepted atomic.Int64
	wg       sync.WaitGroup
}

// proxied is one client connection and its upstream.
type proxied struct {
	client, server net.Conn
	// stallAt: once this many bytes went from the server to the client,
	// nothing more passes either way (<0: never)
	stallAt  atomic.Int64
	toClient atomic.Int64
	stalled  chan struct{} // closed when the connection is blackholed
	once     sync.Once
}

func (c *proxied) stall() { c.once.Do(func() { close(c.stalled) }) }

// NewTCPProxy listens on a loopback port and passes each connection on to
// target (host:port). It closes with t.
func NewTCPProxy(t testing.TB, target string) *TCPProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &TCPProxy{ln: ln, target: target}
	p.wg.Go(p.accept)
	t.Cleanup(p.close)
	return p
}

// Addr is the proxy's host:port.
func (p *TCPProxy) Addr() string { return p.ln.Addr().String() }

// Accepted is how many connections the proxy has taken.
func (p *TCPProxy) Accepted() int64 { return p.accepted.Load() }

// Stall blackholes every connection open now and returns how many.
func (p *TCPProxy) Stall() int { return p.StallAfter(0) }

// StallAfter blackholes every connection open now once n more bytes have
// gone through it from the server to the client, and returns how many
// connections it armed.
func (p *TCPProxy) StallAfter(n int64) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.stallAt.Store(c.toClient.Load() + n)
		if n == 0 {
			c.stall()
		}
	}
	return len(p.conns)
}

// StallNext blackholes each of the next count connections the proxy
// accepts (every one from now on when count < 0) once after bytes have
// gone through it from the server to the client: a connection that dies
// at a chosen point of what it carries, whenever it is opened.
func (p *TCPProxy) StallNext(count int, after int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.next, p.nextAfter = count, after
}

func (p *TCPProxy) accept() {
	for {
		cc, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.accepted.Add(1)
		sc, err := net.Dial("tcp", p.target)
		if err != nil {
			cc.Close()
			continue
		}
		c := &proxied{client: cc, server: sc, stalled: make(chan struct{})}
		c.stallAt.Store(-1)
		p.mu.Lock()
		p.conns = append(p.conns, c)
		if p.next != 0 {
			c.stallAt.Store(p.nextAfter)
			if p.next > 0 {
				p.next--
			}
		}
		p.mu.Unlock()
		p.wg.Go(func() { c.pipe(sc, cc, true) })
		p.wg.Go(func() { c.pipe(cc, sc, false) })
	}
}

// pipe copies from src to dst until either ends or the connection is
// blackholed; toClient says the direction, whose bytes count toward
// stallAt.
func (c *proxied) pipe(src, dst net.Conn, toClient bool) {
	buf := make([]byte, 16<<10)
	for {
		n, err := src.Read(buf)
		out := buf[:n]
		select {
		case <-c.stalled:
			out = nil
		default:
		}
		reached := false
		if at := c.stallAt.Load(); toClient && at >= 0 && len(out) > 0 {
			if left := max(0, at-c.toClient.Load()); int64(len(out)) >= left {
				out, reached = out[:left], true
			}
		}
		if len(out) > 0 {
			if _, werr := dst.Write(out); werr != nil {
				break
			}
			if toClient {
				c.toClient.Add(int64(len(out)))
			}
		}
		if reached {
			c.stall()
		}
		if err != nil {
			break
		}
		select {
		case <-c.stalled:
			// blackholed: read on and drop everything until a side
			// closes, so that neither end sees a full window or an error
			io.Copy(io.Discard, src)
			return
		default:
		}
	}
	dst.Close()
	src.Close()
}

func (p *TCPProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.client.Close()
		c.server.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// GoneHost is the address of a host that no longer answers: its packets
// are dropped. A listener whose accept queue is full drops the SYNs of
// new connections, as a vanished host's network does.
func GoneHost(t testing.TB) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := (&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: sa.(*syscall.SockaddrInet4).Port}).String()
	filler, err := net.Dial("tcp", addr) // fills the queue of one
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { filler.Close() })
	return addr
}
