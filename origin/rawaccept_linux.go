package origin

import (
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// rawListener accepts the fast path's connections without telling the
// scheduler (issue 14). net's Accept makes accept(2) and setsockopt(2)
// the usual way, and entering a system call so wakes the runtime's
// monitor thread (sysmon) whenever the process was idle: on a lone
// client's new connection, a second thread's context switch before its
// first request was read, on a machine the client shares. Here accept4(2)
// and the TCP_NODELAY net sets are raw system calls (they never block: the
// socket is non-blocking and the netpoller waits), and the connection is
// a sockConn, a bare descriptor until it has to wait. With the rest of this change (splitter.serve's late
// handing on of accepting, peekConn's wait on its thread), in 7 runs of
// BenchmarkChunksVsNginx/hot taking turns with the build before it (load
// average 0.8-2.9 from other work, 2026-12-07), a new connection's first
// request took 1.02-1.19x nginx's time at the p50 (median 1.07; before
// 1.07-1.19, median 1.12) and the one-connection p99 was 0.93-1.05x
// nginx's (median 1.02; before 1.04-1.13, median 1.09); 64 connections
// got 0.94-1.12x nginx's requests per second (median 1.09; before
// 0.95-1.16, median 1.07). An earlier form of the change with net's
// Accept measured no better than the build before it (first request
// 1.12-1.20x, 3 runs).
//
// The listener's own descriptor is closed once duplicated, so that the
// netpoller watches one descriptor of the socket, not two.
type rawListener struct {
	f      *os.File // the listening socket
	raw    syscall.RawConn
	addr   net.Addr
	closed atomic.Bool
}

// newRawListener returns a rawListener of ln's socket, or ln itself when
// it is not TCP or cannot be duplicated.
func newRawListener(ln net.Listener) net.Listener {
	tl, ok := ln.(*net.TCPListener)
	if !ok {
		return ln
	}
	f, err := tl.File()
	if err != nil {
		return ln
	}
	raw, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return ln
	}
	tl.Close() // the socket stays open in f
	return &rawListener{f: f, raw: raw, addr: tl.Addr()}
}

func (l *rawListener) Addr() net.Addr { return l.addr }

func (l *rawListener) Close() error {
	l.closed.Store(true)
	return l.f.Close()
}

// Accept waits for the next connection and returns it as a *sockConn. Its
// errors are net's: a *net.OpError whose Temporary is true for running
// out of descriptors, and net.ErrClosed once Close was called.
func (l *rawListener) Accept() (net.Conn, error) {
	var (
		nfd int
		sa  syscall.RawSockaddrAny
		e   syscall.Errno
	)
	err := l.raw.Read(func(fd uintptr) bool {
		for {
			n := uint32(syscall.SizeofSockaddrAny)
			r, _, en := syscall.RawSyscall6(syscall.SYS_ACCEPT4, fd, uintptr(unsafe.Pointer(&sa)), uintptr(unsafe.Pointer(&n)),
				syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0, 0)
			switch en {
			case syscall.EINTR, syscall.ECONNABORTED: // as net retries them
				continue
			case syscall.EAGAIN:
				return false // none yet: wait until the socket is readable
			}
			nfd, e = int(r), en
			return true
		}
	})
	if err != nil && l.closed.Load() {
		err = net.ErrClosed // as the poller's "use of closed file" means here
	}
	if err == nil && e != 0 {
		err = os.NewSyscallError("accept4", e)
	}
	if err != nil {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Addr: l.addr, Err: err}
	}
	one := int32(1)
	syscall.RawSyscall6(syscall.SYS_SETSOCKOPT, uintptr(nfd), syscall.IPPROTO_TCP, syscall.TCP_NODELAY, uintptr(unsafe.Pointer(&one)), 4, 0)
	return newSockConn(nfd, l.addr, sockAddr(&sa)), nil
}

// sockAddr returns the TCP address in sa, as accept4(2) filled it in.
func sockAddr(sa *syscall.RawSockaddrAny) *net.TCPAddr {
	switch sa.Addr.Family {
	case syscall.AF_INET:
		p := (*syscall.RawSockaddrInet4)(unsafe.Pointer(sa))
		return &net.TCPAddr{IP: net.IP(append([]byte(nil), p.Addr[:]...)), Port: bigEndianPort(p.Port)}
	case syscall.AF_INET6:
		p := (*syscall.RawSockaddrInet6)(unsafe.Pointer(sa))
		a := &net.TCPAddr{IP: net.IP(append([]byte(nil), p.Addr[:]...)), Port: bigEndianPort(p.Port)}
		if p.Scope_id != 0 {
			if ifi, err := net.InterfaceByIndex(int(p.Scope_id)); err == nil {
				a.Zone = ifi.Name
			}
		}
		return a
	}
	return &net.TCPAddr{}
}

// bigEndianPort returns the port p holds in network byte order.
func bigEndianPort(p uint16) int {
	b := (*[2]byte)(unsafe.Pointer(&p))
	return int(b[0])<<8 | int(b[1])
}

// sockConn is a TCP connection rawListener accepted. Until a call has to
// wait for the socket it is a bare descriptor, read, written and closed
// with raw system calls; the first wait (or deadline, or conversion)
// makes it a pollable *os.File (register), whose reads, writes and
// deadlines wait in the netpoller as a *net.TCPConn's do. A lone client's
// connection whose requests come while its goroutine awaits them on its
// thread (leader.await) so never enters the netpoller: os.NewFile's
// fcntl(2) and epoll_ctl(2), the epoll_ctl(2) that takes it out again, the
// file's finalizer, and the close(2) os.File makes the usual way (which
// wakes the runtime's monitor thread when the process was idle) are
// spared it (issue 14). It measures where the client shares the cores
// with other work: in runs of BenchmarkChunksVsNginx/hot taking turns
// with the build before it (2026-12-07), a new connection's first request
// took a median 1.00x nginx's time at the p50 (9 runs, load average 1-2;
// before 1.01) and 0.99x (5 runs, load 4; before 1.06); on an idle
// machine (load 0.0, 8 runs) 1.04x, as before (1.03x). The fast path serves it as it is; a connection
// net/http is to serve becomes a *net.TCPConn first (tcp), for
// sendfile(2), TCP_CORK and the reset of a stalled response.
//
// Calls on the bare descriptor are made by one goroutine at a time (the
// one serving the connection); Close may come from another (the
// splitter's and the fast server's shutdown), and then shuts the socket
// down, ending any wait on it, and leaves closing the descriptor to the
// call under way (busy), so its number is never reused under that call.
type sockConn struct {
	local, remote net.Addr

	mu      sync.Mutex      // guards the fields below
	fd      int             // the bare descriptor; -1 once registered or closed
	f       *os.File        // the socket once registered
	raw     syscall.RawConn // f's
	busy    bool            // a call on fd is under way
	closing bool            // Close came during that call: its end closes fd
}

func newSockConn(fd int, local, remote net.Addr) *sockConn {
	return &sockConn{fd: fd, local: local, remote: remote}
}

// errSockClosed is the error of a call on a closed sockConn, as a closed
// *os.File's.
var errSockClosed = os.ErrClosed

// begin starts a call on c: it returns the bare descriptor (c busy until
// end), or -1 and c's poller RawConn once registered, or an error once
// closed.
func (c *sockConn) begin() (int, syscall.RawConn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.f != nil:
		return -1, c.raw, nil
	case c.fd < 0 || c.closing:
		return -1, nil, errSockClosed
	}
	c.busy = true
	return c.fd, nil, nil
}

// end ends the call begin started, closing the descriptor when Close came
// during it.
func (c *sockConn) end() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.busy = false
	if c.closing && c.f == nil && c.fd >= 0 {
		syscall.RawSyscall(syscall.SYS_CLOSE, uintptr(c.fd), 0, 0)
		c.fd = -1
	}
}

// register makes c's socket a pollable *os.File, once, and returns its
// RawConn; an error once c is closed or closing.
func (c *sockConn) register() (syscall.RawConn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.f != nil {
		return c.raw, nil
	}
	if c.fd < 0 || c.closing {
		return nil, errSockClosed
	}
	f := os.NewFile(uintptr(c.fd), "tcp")
	raw, err := f.SyscallConn()
	if err != nil { // never for a descriptor os.NewFile took
		return nil, err
	}
	c.f, c.raw, c.fd = f, raw, -1
	return raw, nil
}

// file returns c's socket as a registered *os.File.
func (c *sockConn) file() (*os.File, error) {
	if _, err := c.register(); err != nil {
		return nil, err
	}
	return c.f, nil
}

func (c *sockConn) Read(p []byte) (int, error) {
	f, err := c.file()
	if err != nil {
		return 0, err
	}
	return f.Read(p)
}

func (c *sockConn) Write(p []byte) (int, error) {
	f, err := c.file()
	if err != nil {
		return 0, err
	}
	return f.Write(p)
}

// Close closes the socket: at once when no call is under way, else by
// shutting it down and leaving the descriptor to the call's end.
func (c *sockConn) Close() error {
	c.mu.Lock()
	if f := c.f; f != nil {
		c.mu.Unlock()
		return f.Close()
	}
	defer c.mu.Unlock()
	switch {
	case c.fd < 0 || c.closing:
		return errSockClosed
	case c.busy:
		c.closing = true
		syscall.RawSyscall(syscall.SYS_SHUTDOWN, uintptr(c.fd), syscall.SHUT_RDWR, 0)
		return nil
	}
	_, _, e := syscall.RawSyscall(syscall.SYS_CLOSE, uintptr(c.fd), 0, 0)
	c.fd = -1
	if e != 0 {
		return os.NewSyscallError("close", e)
	}
	return nil
}

func (c *sockConn) LocalAddr() net.Addr  { return c.local }
func (c *sockConn) RemoteAddr() net.Addr { return c.remote }

// The deadlines register the socket: a deadline matters only to a call
// that waits (fastConn asks for one only then).
func (c *sockConn) SetDeadline(t time.Time) error {
	f, err := c.file()
	if err != nil {
		return err
	}
	return f.SetDeadline(t)
}

func (c *sockConn) SetReadDeadline(t time.Time) error {
	f, err := c.file()
	if err != nil {
		return err
	}
	return f.SetReadDeadline(t)
}

func (c *sockConn) SetWriteDeadline(t time.Time) error {
	f, err := c.file()
	if err != nil {
		return err
	}
	return f.SetWriteDeadline(t)
}

// SyscallConn returns c's RawConn: its calls get the bare descriptor
// until one has to wait (its function returns false), which registers the
// socket and waits in the netpoller from then on.
func (c *sockConn) SyscallConn() (syscall.RawConn, error) { return sockRaw{c}, nil }

// sockRaw is a sockConn's syscall.RawConn.
type sockRaw struct{ c *sockConn }

func (r sockRaw) Control(fn func(fd uintptr)) error {
	fd, raw, err := r.c.begin()
	if err != nil {
		return err
	}
	if raw != nil {
		return raw.Control(fn)
	}
	fn(uintptr(fd))
	r.c.end()
	return nil
}

func (r sockRaw) Read(fn func(fd uintptr) bool) error {
	return r.c.call(fn, syscall.RawConn.Read)
}

func (r sockRaw) Write(fn func(fd uintptr) bool) error {
	return r.c.call(fn, syscall.RawConn.Write)
}

// call calls fn on the bare descriptor and, when fn asks to wait for the
// socket (returns false), registers it and goes on with wait, the
// netpoller's RawConn.Read or Write, which calls fn again before waiting.
func (c *sockConn) call(fn func(fd uintptr) bool, wait func(syscall.RawConn, func(uintptr) bool) error) error {
	fd, raw, err := c.begin()
	if err != nil {
		return err
	}
	if raw == nil {
		done := fn(uintptr(fd))
		c.end()
		if done {
			return nil
		}
		if raw, err = c.register(); err != nil {
			return err
		}
	}
	return wait(raw, fn)
}

// tcp returns c as a *net.TCPConn (net.FileConn, which duplicates the
// descriptor) and closes c's own; without keep-alive probes, as Listen's
// connections. When that fails (out of descriptors) it returns nil and c
// stays as it is.
func (c *sockConn) tcp() *net.TCPConn {
	f, err := c.file()
	if err != nil {
		return nil
	}
	nc, err := net.FileConn(f)
	if err != nil {
		return nil
	}
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		nc.Close()
		return nil
	}
	tc.SetKeepAlive(false)
	f.Close()
	return tc
}

// forNetHTTP returns c ready for net/http: a *sockConn as a *net.TCPConn
// (sockConn.tcp), any other connection as it is.
func forNetHTTP(c net.Conn) net.Conn {
	if sc, ok := c.(*sockConn); ok {
		if tc := sc.tcp(); tc != nil {
			return tc
		}
	}
	return c
}

// awaitAlone waits up to d for fd to be readable, on this thread and
// without telling the scheduler (ppoll(2) as a raw system call), watching
// the listening socket lfd too (none when negative), and reports whether
// fd became readable while no connection waits on lfd. A signal (the
// runtime preempting the goroutine, which its garbage collector does to
// every running one) does not end the wait: ppoll is asked again for what
// is left of d, so a stop of the world waits at most d for this thread.
// It ended it, false, and under a busy collector (GOGC=1, or a test
// package's heap) a lone connection handed accepting on at every wait.
func awaitAlone(fd uintptr, lfd int, d time.Duration) bool {
	type pollFd struct {
		fd             int32
		events, revent int16
	}
	const pollIn = 0x1
	pfd := [2]pollFd{{fd: int32(fd), events: pollIn}, {fd: int32(lfd), events: pollIn}} // poll(2) skips a negative fd
	end := time.Now().Add(d)
	for {
		ts := syscall.NsecToTimespec(int64(max(time.Until(end), 0)))
		n, _, e := syscall.RawSyscall6(syscall.SYS_PPOLL, uintptr(unsafe.Pointer(&pfd[0])), 2, uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
		if e == syscall.EINTR && time.Now().Before(end) {
			continue
		}
		return e == 0 && n > 0 && pfd[0].revent != 0 && pfd[1].revent == 0
	}
}

// listenerFD returns the socket of ln, a rawListener (behind a
// connLimiter or not), or -1.
func listenerFD(ln net.Listener) int {
	if l, ok := ln.(*connLimiter); ok {
		ln = l.Listener
	}
	rl, ok := ln.(*rawListener)
	if !ok {
		return -1
	}
	fd := -1
	rl.raw.Control(func(f uintptr) { fd = int(f) })
	return fd
}
