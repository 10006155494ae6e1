package origin

import (
	"net"
	"os"
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
// a pollable *os.File (sockConn), which os.NewFile makes with two more
// calls the scheduler does not see either (fcntl(2) and the poller's
// epoll_ctl(2)). With the rest of this change (splitter.serve's late
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
	return &sockConn{f: os.NewFile(uintptr(nfd), "tcp"), local: l.addr, remote: sockAddr(&sa)}, nil
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

// sockConn is a TCP connection rawListener accepted: the socket as a
// pollable *os.File, whose reads, writes and deadlines wait in the
// netpoller as a *net.TCPConn's do. The fast path serves it as it is; a
// connection net/http is to serve becomes a *net.TCPConn first (tcp), for
// sendfile(2), TCP_CORK and the reset of a stalled response.
type sockConn struct {
	f             *os.File
	local, remote net.Addr
}

func (c *sockConn) Read(p []byte) (int, error)            { return c.f.Read(p) }
func (c *sockConn) Write(p []byte) (int, error)           { return c.f.Write(p) }
func (c *sockConn) Close() error                          { return c.f.Close() }
func (c *sockConn) LocalAddr() net.Addr                   { return c.local }
func (c *sockConn) RemoteAddr() net.Addr                  { return c.remote }
func (c *sockConn) SetDeadline(t time.Time) error         { return c.f.SetDeadline(t) }
func (c *sockConn) SetReadDeadline(t time.Time) error     { return c.f.SetReadDeadline(t) }
func (c *sockConn) SetWriteDeadline(t time.Time) error    { return c.f.SetWriteDeadline(t) }
func (c *sockConn) SyscallConn() (syscall.RawConn, error) { return c.f.SyscallConn() }

// tcp returns c as a *net.TCPConn (net.FileConn, which duplicates the
// descriptor) and closes c's own; without keep-alive probes, as Listen's
// connections. When that fails (out of descriptors) it returns nil and c
// stays as it is.
func (c *sockConn) tcp() *net.TCPConn {
	nc, err := net.FileConn(c.f)
	if err != nil {
		return nil
	}
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		nc.Close()
		return nil
	}
	tc.SetKeepAlive(false)
	c.f.Close()
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
