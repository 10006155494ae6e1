//go:build !linux

package origin

import (
	"errors"
	"net"
)

// fastConn exists only on Linux (MSG_MORE, sendfile(2) from an offset):
// elsewhere fasthttp serves the connection as accepted.
type fastConn struct {
	*net.TCPConn
	remote string
	more   bool
	handed bool
}

func newFastConn(c net.Conn, hand func(net.Conn)) net.Conn { return c }

func (c *fastConn) sendFile(fd int, size int64, raw bool) (int64, error) {
	return 0, errors.ErrUnsupported
}

func (c *fastConn) settle() {}
