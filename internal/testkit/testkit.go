// Package testkit holds what tests across segue's packages share: an output
// that a process or logger writes while the test reads it, polling a
// condition with a deadline (tests never sleep a fixed time to wait), and
// the playing benchmarks' harness: a headless PulseAudio that ALSA plays
// into (pulse.go), cmus as the peer (cmus.go) and what /proc says a
// process used (proc.go).
package testkit

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Buffer is a bytes.Buffer safe for one writer goroutine (a process's
// output, a logger, a screen) and the test reading it.
type Buffer struct {
	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String is everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Take is what was written since the last Take, and empties the buffer.
func (b *Buffer) Take() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.buf.String()
	b.buf.Reset()
	return out
}

// Logger is a text slog.Logger writing to b, for tests that wait on a log line.
func (b *Buffer) Logger() *slog.Logger { return slog.New(slog.NewTextHandler(b, nil)) }

// Poll is how often Wait and WaitReport look at their condition.
const Poll = 10 * time.Millisecond

// Wait polls ok until it holds; after d it fails the test with "timed out
// waiting for " + what. Deadlines are generous: these machines are loaded.
func Wait(t testing.TB, d time.Duration, what string, ok func() bool) {
	t.Helper()
	WaitReport(t, d, ok, func() string { return "timed out waiting for " + what })
}

// WaitReport is Wait whose failure message is made when it fails (report
// can describe the state the condition was waiting on).
func WaitReport(t testing.TB, d time.Duration, ok func() bool, report func() string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal(report())
		}
		time.Sleep(Poll)
	}
}

// FreeAddr returns a loopback address (127.0.0.1:PORT) whose port is free,
// for a process that takes an address, not a listener: FreePort's.
// For an address that must stay unanswered, RefusedAddr.
func FreeAddr(t testing.TB) string {
	t.Helper()
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// FreePort returns a loopback TCP port that nothing listens on, for a
// process that binds it itself (PostgreSQL, MinIO, nginx, a segue origin),
// maybe again after a restart. It is drawn from below the kernel's
// ephemeral range (net.ipv4.ip_local_port_range, 32768-60999 by default),
// which port 0 listeners and every connection's local end take theirs from:
// a port from Listen("127.0.0.1:0") was sometimes another test's
// connection's by the time the process bound it, or while it restarted.
// Only another explicit bind can take this one. The error says the range
// leaves no room below it or no port was found free.
func FreePort() (int, error) {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	low := 32768
	if err == nil {
		fmt.Sscan(string(b), &low)
	}
	const first = 10000 // above the well-known and most registered ports
	if low <= first+1000 {
		return 0, fmt.Errorf("the ephemeral range starts at %d: no room below it for a test's port (raise net.ipv4.ip_local_port_range's low end above %d)", low, first+1000)
	}
	for range 100 {
		port := first + mrand.IntN(low-first)
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue // in use
		}
		l.Close()
		return port, nil
	}
	return 0, fmt.Errorf("no free loopback port in %d-%d after 100 tries", first, low-1)
}

// RefusedAddr returns a loopback HOST:PORT whose connections are refused
// for the rest of the test (a Held address that never listens).
func RefusedAddr(t testing.TB) string {
	t.Helper()
	return Hold(t).Addr
}

// Held is a loopback address whose connections are refused until Listen
// makes it a real listener on the same socket: a TCP socket bound to it
// that does not listen holds the port, so no other test's server can take
// it meanwhile (a listener closed to get a dead address freed its port,
// and a test running beside it took it: the "unreachable" origin
// answered). Connecting before Listen gets a reset, "connection refused".
// A server stopped and started again on the address calls Rehold before
// its listener closes and Listen again to start. The sockets set
// SO_REUSEPORT and not SO_REUSEADDR, so they may share the port with each
// other, while a listener's bind (Go's sets SO_REUSEADDR only) fails.
type Held struct {
	// Addr is 127.0.0.1:PORT.
	Addr string
	t    testing.TB
	mu   sync.Mutex // guards fd
	fd   int        // the bound socket; -1 once Listen handed it on
	port int        // Addr's
}

// Hold binds a socket to a free loopback port and holds it, unlistened,
// for the rest of the test.
func Hold(t testing.TB) *Held {
	t.Helper()
	h := &Held{t: t, fd: -1}
	t.Cleanup(func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.fd >= 0 {
			syscall.Close(h.fd)
			h.fd = -1
		}
	})
	if err := h.bind(0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(h.fd)
	if err != nil {
		t.Fatal(err)
	}
	h.port = sa.(*syscall.SockaddrInet4).Port
	h.Addr = fmt.Sprintf("127.0.0.1:%d", h.port)
	return h
}

// bind binds a new socket to 127.0.0.1:port and holds it; h.mu is held or
// h not yet shared.
func (h *Held) bind(port int) error {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("hold 127.0.0.1:%d: %w", port, err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); err != nil {
		syscall.Close(fd)
		return fmt.Errorf("hold 127.0.0.1:%d: %w", port, err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: port}); err != nil {
		syscall.Close(fd)
		return fmt.Errorf("hold 127.0.0.1:%d: %w", port, err)
	}
	h.fd = fd
	return nil
}

// Listen starts listening on the held socket and returns it as a
// net.Listener (the caller closes it); the port is never free in between.
// It may be called once after Hold and once after each Rehold.
func (h *Held) Listen() net.Listener {
	h.t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fd < 0 {
		h.t.Fatalf("listen on %s: the held socket was already handed on (Rehold before listening again)", h.Addr)
	}
	if err := syscall.Listen(h.fd, syscall.SOMAXCONN); err != nil {
		h.t.Fatalf("listen on %s: %v", h.Addr, err)
	}
	f := os.NewFile(uintptr(h.fd), h.Addr)
	h.fd = -1 // f owns it now
	defer f.Close()
	ln, err := net.FileListener(f) // a dup of f's descriptor
	if err != nil {
		h.t.Fatalf("listen on %s: %v", h.Addr, err)
	}
	return ln
}

// Rehold holds the address again with a new socket that does not listen,
// for a server about to stop: call it while its listener is still open,
// so the port is never free, and Listen to start again. Holding an address
// already held does nothing. A failure is reported with Errorf (servers
// stop in cleanups and other goroutines), and the next Listen fails the
// test.
func (h *Held) Rehold() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fd >= 0 {
		return
	}
	if err := h.bind(h.port); err != nil {
		h.t.Errorf("rehold: %v", err)
	}
}

// Do sends req with c (nil: http.DefaultClient) and reads the whole body;
// a request or read that fails fails the test.
func Do(t testing.TB, c *http.Client, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// DoRaw writes raw (a request as it goes on the wire, possibly cut short)
// on a new connection to base (http://HOST:PORT) and reads one response
// and its body, waiting up to wait; a failure fails the test.
func DoRaw(t testing.TB, base, raw string, wait time.Duration) (*http.Response, []byte) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(wait))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("read the response to %.40q: %v", raw, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}
