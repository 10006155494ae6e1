//go:build !linux

package origin

import (
	"errors"
	"net"
)

// fastConn exists only on Linux (MSG_MORE, sendfile(2) from an offset,
// the hand-over of bare-LF heads): elsewhere fasthttp serves the
// connection as accepted, and a request head with bare-LF line ends after
// a chunk waits until HeaderTimeout (see fastchunks_lf_linux.go).
type fastConn struct {
	*net.TCPConn
	remote string
	more   bool
	handed bool
}

func newFastConn(c net.Conn, hand func(net.Conn), lead leader) net.Conn { return c }

func (c *fastConn) sendFile(fd int, size int64, raw bool) (int64, error) {
	return 0, errors.ErrUnsupported
}

func (c *fastConn) settle() {}

func (c *fastConn) toNetHTTP() {}

func (c *fastConn) wait() {}

func (c *fastConn) keepsLead() bool { return false }

func (c *fastConn) tcpConn() *net.TCPConn { return c.TCPConn }
