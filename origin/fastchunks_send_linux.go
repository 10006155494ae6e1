package origin

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// fastConn is a connection the fast path serves (issue 14). Two things
// bring a lone client's latency near nginx's (one connection, a raw
// client, per-round p50 over nginx's: 1.27-1.43 before, 1.02-1.07 after;
// 1.07-1.18 over nginx with open_file_cache):
//
//   - A response whose body is a kept file leaves in as few segments as
//     nginx's with tcp_nopush: its head is sent with MSG_MORE, so the
//     kernel holds it until sendfile(2) puts the file's bytes behind it,
//     and the client wakes once for the response instead of once for the
//     head and again for the body. The file is sent from an offset given
//     to sendfile(2), which leaves the file's own offset at 0, so giving
//     it back needs no lseek(2).
//   - Reads and writes of the socket, which never block (it is
//     non-blocking; the netpoller waits), and sendfile(2) of a kept file
//     already sent whole once (its pages were read), are made without
//     telling the scheduler (RawSyscall). Entering a system call the usual
//     way wakes the runtime's monitor thread (sysmon) whenever the process
//     was idle, which for one request at a time is every request: a second
//     thread's context switch each, on a machine the client shares. With
//     them the origin made 1.7 context switches a request to nginx's 1.3
//     (perf stat, BenchmarkChunksVsNginx/hot's one-connection loop); without,
//     1.2. A kept file whose pages the kernel dropped since is read from
//     disk inside sendfile(2) while its thread holds a P, as a page fault
//     would; a file just opened is sent the usual way.
//
// The arguments and results of the system calls made through raw are
// fields, so that no closure is made per call: one read and one write may
// run at a time, as on any net.Conn.
type fastConn struct {
	sock
	raw    syscall.RawConn
	remote string // RemoteAddr, for the access log
	more   bool   // the next Write is a response head whose file body follows (sendFile)

	rbuf   []byte
	rn     int
	rerr   error
	readFn func(fd uintptr) bool

	wbuf    []byte
	wflags  uintptr
	wn      int
	werr    error
	writeFn func(fd uintptr) bool

	file     int   // the file sendFile sends
	off, end int64 // its next byte to send, and where to stop
	fileRaw  bool  // send it without telling the scheduler
	sendFn   func(fd uintptr) bool

	// The deadlines asked for, and those the socket has (see
	// SetReadDeadline), while lazy.
	lazy          bool
	rwant, rarmed time.Time
	wwant, warmed time.Time

	// A request head fasthttp would wait on to its deadline (see
	// fastchunks_lf_linux.go).
	fresh   bool           // a response went out since the last read (set while lazy)
	rbase   *byte          // the start of fasthttp's read buffer
	head    []byte         // the head read so far, while it has no CRLFCRLF; nil when none is followed
	kept    []byte         // head's storage, reused
	pend    []byte         // bytes read and kept back for the next read
	pendBuf []byte         // pend's storage, reused
	handing atomic.Bool    // a read was refused to hand c to net/http: Close does, Write drops fasthttp's answer
	handed  bool           // c was handed to net/http
	hand    func(net.Conn) // gives a connection to net/http
	// lead, until c goes to net/http (toNetHTTP), is told before a call
	// waits for the socket and before a request after the first: it gives
	// accepting on (splitter.serve), or first awaits the socket once
	// (awaited).
	lead    leader
	awaited bool
	sockMu  sync.Mutex // guards sock against Close from another goroutine while toNetHTTP changes it
}

// sock is the socket a fastConn serves: a *net.TCPConn, or a *sockConn
// (rawListener).
type sock interface {
	net.Conn
	syscall.Conn
}

// newFastConn wraps c, a connection fasthttp is to serve, which hand
// gives to net/http when fasthttp cannot read a request on it (see
// refuse), telling lead as the field says; one that is not a socket is
// returned as it is.
func newFastConn(c net.Conn, hand func(net.Conn), lead leader) net.Conn {
	sc, ok := c.(sock)
	if !ok {
		return c
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return c
	}
	fc := &fastConn{sock: sc, raw: raw, remote: sc.RemoteAddr().String(), lazy: true, fresh: true, hand: hand, lead: lead}
	fc.readFn, fc.writeFn, fc.sendFn = fc.read, fc.write, fc.send
	return fc
}

func (c *fastConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if c.head != nil && bareHead(c.head) {
		return c.refuse()
	}
	if len(c.pend) > 0 {
		return c.readPending(p)
	}
	c.rbuf, c.rn, c.rerr = p, 0, nil
	c.beforeRead()
	err := c.raw.Read(c.readFn)
	n, rerr := c.rn, c.rerr
	c.rbuf, c.rerr = nil, nil
	if c.fresh || c.head != nil {
		if m := c.follow(p, n); m < n {
			c.keep(p[m:n])
			n = m
		}
	}
	if err != nil {
		return n, err
	}
	return n, rerr
}

// read is one read(2) of the socket; false asks raw to wait until it is
// readable.
func (c *fastConn) read(fd uintptr) bool {
	for {
		n, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&c.rbuf[0])), uintptr(len(c.rbuf)))
		switch e {
		case 0:
			c.rn = int(n)
			if n == 0 {
				c.rerr = io.EOF
			}
			return true
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			// The first wait for a next request is on this thread, when
			// lead allows: a later one parks, as the scheduler's path
			// finds a request that came meanwhile without sleeping,
			// where waiting on the thread always slept (40 requests a
			// connection, one at a time: 55-60 µs each against 45).
			if !c.awaited && c.lead != nil {
				c.awaited = true
				if c.lead.await(fd) {
					continue
				}
			}
			c.waitRead()
			return false
		}
		c.rerr = e
		return true
	}
}

// Write sends p whole, with MSG_MORE when a file body follows.
func (c *fastConn) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if c.handing.Load() { // fasthttp's answer to the refused read: net/http answers
		return len(p), nil
	}
	if c.lazy {
		c.fresh, c.head = true, nil
	}
	c.wbuf, c.wn, c.werr, c.wflags = p, 0, nil, 0
	if c.more {
		c.more, c.wflags = false, syscall.MSG_MORE
	}
	c.beforeWrite()
	err := c.raw.Write(c.writeFn)
	n, werr := c.wn, c.werr
	c.wbuf, c.werr = nil, nil
	if err != nil {
		return n, err
	}
	return n, werr
}

// write sends what is left of c.wbuf with send(2); false asks raw to wait
// until the socket is writable.
func (c *fastConn) write(fd uintptr) bool {
	for c.wn < len(c.wbuf) {
		n, _, e := syscall.RawSyscall6(syscall.SYS_SENDTO, fd, uintptr(unsafe.Pointer(&c.wbuf[c.wn])), uintptr(len(c.wbuf)-c.wn), c.wflags, 0, 0)
		switch e {
		case 0:
			c.wn += int(n)
			continue
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			c.waitWrite()
			return false
		}
		c.werr = e
		return true
	}
	return true
}

// sendFile sends bytes [0, size) of the open file fd with sendfile(2),
// waiting (under the write deadline) while the socket is full; raw says
// whether to make the calls without telling the scheduler (a kept file,
// whose pages are read). It returns how many bytes were sent.
func (c *fastConn) sendFile(fd int, size int64, raw bool) (int64, error) {
	c.more = false // the head was sent with it
	c.file, c.off, c.end, c.fileRaw, c.werr = fd, 0, size, raw, nil
	c.beforeWrite()
	err := c.raw.Write(c.sendFn)
	n, werr := c.off, c.werr
	c.werr = nil
	if err != nil {
		return n, err
	}
	return n, werr
}

// send is sendfile(2) of what is left of the file; false asks raw to wait
// until the socket is writable.
func (c *fastConn) send(sock uintptr) bool {
	for c.off < c.end {
		count := uintptr(min(c.end-c.off, 1<<30))
		var n uintptr
		var e syscall.Errno
		if c.fileRaw {
			n, _, e = syscall.RawSyscall6(syscall.SYS_SENDFILE, sock, uintptr(c.file), uintptr(unsafe.Pointer(&c.off)), count, 0, 0)
		} else {
			n, _, e = syscall.Syscall6(syscall.SYS_SENDFILE, sock, uintptr(c.file), uintptr(unsafe.Pointer(&c.off)), count, 0, 0)
		}
		switch {
		case e == syscall.EINTR:
			continue
		case e == syscall.EAGAIN:
			c.waitWrite()
			return false
		case e != 0:
			c.werr = e
			return true
		case n == 0: // the file is shorter than it was
			c.werr = io.ErrUnexpectedEOF
			return true
		}
		// The kernel moved c.off past the bytes sent.
	}
	return true
}

// Deadlines. fasthttp sets three a request (the idle wait, the request's
// head, the response's write), and each is a runtime timer moved (and
// the netpoller woken when it comes sooner than the others). While
// fasthttp serves the connection (lazy), they are only remembered, and
// given to the socket when a call has to wait for it (EAGAIN), which is
// when a deadline can end anything; a request that came whole and a
// response the socket takes at once arm none. One thing differs from an
// armed deadline: a call that need not wait succeeds even after its
// deadline passed (the bytes were there, or the socket took them). A
// deadline the socket has and that passed would refuse a call before it
// is tried (the runtime checks it first): stale re-arms it first.
// Connections handed back to net/http, which sets deadlines from other
// goroutines (to end its background read), arm every deadline at once
// (settle).

func (c *fastConn) SetReadDeadline(t time.Time) error {
	if !c.lazy {
		return c.sock.SetReadDeadline(t)
	}
	c.rwant = t
	return nil
}

func (c *fastConn) SetWriteDeadline(t time.Time) error {
	if !c.lazy {
		return c.sock.SetWriteDeadline(t)
	}
	c.wwant = t
	return nil
}

func (c *fastConn) SetDeadline(t time.Time) error {
	if !c.lazy {
		return c.sock.SetDeadline(t)
	}
	c.rwant, c.wwant = t, t
	return nil
}

// stale reports whether armed, the deadline a socket has, would refuse a
// call that want, the deadline asked for, allows: it passed and want is
// later (or none).
func stale(armed, want time.Time) bool {
	return !armed.IsZero() && (want.IsZero() || armed.Before(want)) && !armed.After(time.Now())
}

func (c *fastConn) armRead() {
	c.sock.SetReadDeadline(c.rwant)
	c.rarmed = c.rwant
}

func (c *fastConn) armWrite() {
	c.sock.SetWriteDeadline(c.wwant)
	c.warmed = c.wwant
}

// waitRead and waitWrite arm the deadline asked for before a call waits
// for the socket.
func (c *fastConn) waitRead() {
	c.wait()
	if c.lazy && !c.rarmed.Equal(c.rwant) {
		c.armRead()
	}
}

func (c *fastConn) waitWrite() {
	c.wait()
	if c.lazy && !c.warmed.Equal(c.wwant) {
		c.armWrite()
	}
}

// beforeRead and beforeWrite re-arm a stale deadline (see stale).
func (c *fastConn) beforeRead() {
	if c.lazy && stale(c.rarmed, c.rwant) {
		c.armRead()
	}
}

func (c *fastConn) beforeWrite() {
	if c.lazy && stale(c.warmed, c.wwant) {
		c.armWrite()
	}
}

// ReadFrom arms the write deadline: the socket's own ReadFrom (sendfile)
// waits without asking c.
func (c *fastConn) ReadFrom(r io.Reader) (int64, error) {
	c.waitWrite()
	if tc := c.tcpConn(); tc != nil {
		return tc.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c}, r)
}

// wait hands accepting on, if c still has lead.
func (c *fastConn) wait() {
	if c.lead != nil {
		c.lead.handOn()
	}
}

// keepsLead reports whether accepting may stay with c's goroutine through
// its next request (leader.keeps).
func (c *fastConn) keepsLead() bool { return c.lead != nil && c.lead.keeps() }

// toNetHTTP readies c for net/http, which serves it from now on: accepting
// goes on (lead, which c then forgets), and a *sockConn becomes the
// *net.TCPConn net/http needs (sockConn.tcp), c reading and writing
// through it from now on.
func (c *fastConn) toNetHTTP() {
	c.wait()
	c.lead = nil
	c.sockMu.Lock()
	defer c.sockMu.Unlock()
	sc, ok := c.sock.(*sockConn)
	if !ok {
		return
	}
	tc := sc.tcp()
	if tc == nil {
		return
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return
	}
	c.sock, c.raw = tc, raw
}

// tcpConn returns c's socket as a *net.TCPConn, or nil while it is a
// *sockConn.
func (c *fastConn) tcpConn() *net.TCPConn {
	tc, _ := c.sock.(*net.TCPConn)
	return tc
}

// closeSock closes c's socket.
func (c *fastConn) closeSock() error {
	c.sockMu.Lock()
	s := c.sock
	c.sockMu.Unlock()
	return s.Close()
}

// settle arms the deadlines asked for and gives every later one to the
// socket at once: fasthttp no longer serves c.
func (c *fastConn) settle() {
	if !c.lazy {
		return
	}
	c.armRead()
	c.armWrite()
	c.lazy = false
}
