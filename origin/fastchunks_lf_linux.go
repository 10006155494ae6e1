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
// empty. A head that came behind another request in one read (pipelined)
// is not followed and still waits.

// errHandOver is the error of a read refused so that net/http reads the
// request instead.
var errHandOver = errors.New("request head with bare LF line ends: handed to net/http")

var crlfcrlf = []byte("\r\n\r\n")

// follow notes the n bytes just read into p, fasthttp's buffer, while a
// request head is followed or may start with them.
func (c *fastConn) follow(p []byte, n int) {
	if c.fresh {
		c.fresh = false
		if c.rbase == nil {
			c.rbase = unsafe.SliceData(p)
		}
		if unsafe.SliceData(p) != c.rbase { // behind bytes fasthttp holds
			return
		}
		if n >= 4 && string(p[n-4:n]) == "\r\n\r\n" { // the usual: a whole head
			return
		}
		c.head = c.kept[:0]
		if c.head == nil {
			c.head = make([]byte, 0, n)
		}
	}
	if c.head == nil || n <= 0 {
		return
	}
	c.head = append(c.head, p[:n]...)
	c.kept = c.head
	if bytes.Contains(c.head, crlfcrlf) || len(c.head) > fastHeaderMax {
		c.head = nil // fasthttp reads it, or refuses it as too big
	}
}

// bareHead reports whether h, the start of a request without CRLFCRLF,
// holds a whole head as net/http reads it: a line ending with LF (CR
// before it optional) that is empty, the request line included.
func bareHead(h []byte) bool {
	return bytes.HasPrefix(h, []byte("\n")) || bytes.HasPrefix(h, []byte("\r\n")) ||
		bytes.Contains(h, []byte("\n\n")) || bytes.Contains(h, []byte("\n\r\n"))
}

// refuse fails the read fasthttp makes for more of a head it cannot read,
// so that it lets go of c (see Close).
func (c *fastConn) refuse() (int, error) {
	c.handing = true
	return 0, errHandOver
}

// Close closes c, or, after refuse, gives it to net/http with the head
// fasthttp read to read again.
func (c *fastConn) Close() error {
	if !c.handing {
		return c.TCPConn.Close()
	}
	head := c.head
	c.handing, c.handed, c.head, c.kept = false, true, nil, nil
	c.settle()
	c.hand(&replayConn{Conn: c, r: io.MultiReader(bytes.NewReader(head), c), tcp: c.TCPConn})
	return nil
}
