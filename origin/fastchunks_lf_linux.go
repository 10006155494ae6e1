package origin

import (
	"bytes"
	"errors"
	"io"
	"unsafe"
)

// Request heads whose lines end with a bare LF. net/http takes LF alone
// as a line's end, as RFC 9112 §2.2 lets a recipient, and answers such a
// request; fasthttp reads a head only once CRLFCRLF came, so on a fast
// connection it waited for more until the head's deadline and answered
// 400 (the first request of a connection never reaches it without
// CRLFCRLF: see splitter.route). The fastConn follows the bytes of each
// request it reads from the start of fasthttp's empty read buffer: the
// usual head, read whole and ending with CRLFCRLF, costs it a look at its
// last four bytes. A head without CRLFCRLF is kept (head) as it comes;
// once it is complete by net/http's rules (bareHead) and fasthttp asks
// for more, the read is refused (refuse): fasthttp answers the error,
// which Write drops, and closes the connection, which Close gives to
// net/http with the head to read again. net/http then answers it, and
// serves the connection to its end, as for a request handed back.
// fasthttp's read buffer is told by where its first read (of an empty
// buffer) began: it reads into the buffer's start whenever the buffer is
// empty. Requests sent together (pipelined) come in one read: fasthttp
// reads each head once a CRLFCRLF follows its start, so one of them
// without, behind requests it reads, would wait as well. Such a read is
// cut before that request (stallsAt), which is kept (pend) and read next,
// once fasthttp answered those before it, as a new request. A head behind
// a request with a body, or that came behind another across reads, is
// not followed: the first is net/http's (fasthttp hands such a request
// back with what follows), the second still waits.

// errHandOver is the error of a read refused so that net/http reads the
// request instead.
var errHandOver = errors.New("request head with bare LF line ends: handed to net/http")

var crlfcrlf = []byte("\r\n\r\n")

// follow notes the n bytes just read into p, fasthttp's buffer, while a
// request head is followed or may start with them, and returns how many
// of them to give fasthttp now: the rest is kept for the next read.
func (c *fastConn) follow(p []byte, n int) int {
	if n <= 0 { // nothing came (an error): the next read still starts where this one did
		return n
	}
	if c.fresh {
		c.fresh = false
		if c.rbase == nil {
			c.rbase = unsafe.SliceData(p)
		}
		if unsafe.SliceData(p) != c.rbase { // behind bytes fasthttp holds
			return n
		}
		if n >= 4 && string(p[n-4:n]) == "\r\n\r\n" { // the usual: a whole head (every head in it is read)
			return n
		}
		if i := stallsAt(p[:n]); i > 0 {
			n = i
		}
		c.head = c.kept[:0]
		if c.head == nil {
			c.head = make([]byte, 0, n)
		}
	}
	if c.head == nil {
		return n
	}
	c.head = append(c.head, p[:n]...)
	c.kept = c.head
	if bytes.Contains(c.head, crlfcrlf) || len(c.head) > fastHeaderMax {
		c.head = nil // fasthttp reads it, or refuses it as too big
	}
	return n
}

// readPending gives fasthttp the bytes a read kept back (see follow).
func (c *fastConn) readPending(p []byte) (int, error) {
	n := copy(p, c.pend)
	if c.fresh || c.head != nil {
		n = c.follow(p, n)
	}
	c.pend = c.pend[n:]
	return n, nil
}

// keep keeps b, bytes just read that follow kept back, to be read next.
func (c *fastConn) keep(b []byte) {
	c.pend = append(c.pendBuf[:0], b...)
	c.pendBuf = c.pend
}

// stallsAt returns where in b, bytes that start with a request, a later
// request begins whose head fasthttp would wait on (no CRLFCRLF from its
// start on) behind whole heads of requests without a body; 0 when there is
// none, or when no head in b has CRLFCRLF (the first one's wait is
// refuse's).
func stallsAt(b []byte) int {
	if !bytes.Contains(b, crlfcrlf) {
		return 0
	}
	for start := 0; start < len(b); {
		if start > 0 && !bytes.Contains(b[start:], crlfcrlf) {
			return start
		}
		end := headEnd(b[start:])
		if end < 0 || hasBody(b[start:start+end]) {
			return 0
		}
		start += end
	}
	return 0
}

// headEnd returns the length of the request head h starts with as
// net/http reads it (up to the LF ending its first empty line, a CR before
// each LF optional), or -1 when it is not whole or has no request line.
func headEnd(h []byte) int {
	i := bytes.IndexByte(h, '\n')
	if i <= 0 || (i == 1 && h[0] == '\r') {
		return -1
	}
	for {
		j := bytes.IndexByte(h[i+1:], '\n')
		if j < 0 {
			return -1
		}
		if j == 0 || (j == 1 && h[i+1] == '\r') {
			return i + 1 + j + 1
		}
		i += 1 + j
	}
}

// hasBody reports whether head, a whole request head, may be followed by
// a body: it has a Content-Length line but "Content-Length: 0", a
// Transfer-Encoding line, or a line that is not a header field (which
// fasthttp refuses).
func hasBody(head []byte) bool {
	_, rest, _ := bytes.Cut(head, []byte("\n"))
	for len(rest) > 0 {
		var line []byte
		line, rest, _ = bytes.Cut(rest, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		name = bytes.TrimRight(name, " \t")
		if !ok || bytes.EqualFold(name, []byte("Transfer-Encoding")) ||
			bytes.EqualFold(name, []byte("Content-Length")) && string(bytes.Trim(value, " \t")) != "0" {
			return true
		}
	}
	return false
}

// bareHead reports whether h, the start of a request without CRLFCRLF,
// holds a whole head as net/http reads it: a line after the first ending
// with LF (CR before it optional) that is empty. An empty first line is
// not one: fasthttp skips empty lines before a request line, as RFC 9112
// §2.2 asks of a server, and reads on (net/http would answer 400).
func bareHead(h []byte) bool {
	return bytes.Contains(h, []byte("\n\n")) || bytes.Contains(h, []byte("\n\r\n"))
}

// refuse fails the read fasthttp makes for more of a head it cannot read,
// so that it lets go of c (see Close).
func (c *fastConn) refuse() (int, error) {
	c.handing.Store(true)
	return 0, errHandOver
}

// Close closes c, or, after refuse, gives it to net/http with the head
// fasthttp read to read again.
func (c *fastConn) Close() error {
	if !c.handing.CompareAndSwap(true, false) { // (Server.Close closes connections from another goroutine)
		return c.closeSock()
	}
	head := c.head
	c.handed, c.head, c.kept = true, nil, nil
	c.toNetHTTP()
	c.settle()
	c.hand(&replayConn{Conn: c, r: io.MultiReader(bytes.NewReader(head), c), tcp: c.tcpConn()})
	return nil
}
