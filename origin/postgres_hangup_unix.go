//go:build unix && !aix

package origin

import (
	"crypto/tls"
	"errors"
	"net"
	"syscall"
)

// hungUp reports whether the server at the other end of an idle
// connection has closed it or sent on it unasked: a peek that does not
// wait (recv with MSG_PEEK|MSG_DONTWAIT, the check go-sql-driver/mysql's
// conncheck.go makes for the same reason). An idle PostgreSQL session is
// sent nothing (segue does not LISTEN), so bytes waiting there are the
// session's FATAL error before its close, and a read of none is the close
// itself. Only "nothing yet" (EAGAIN) is a live connection; a conn that
// is not a socket cannot be looked at and counts as live.
func hungUp(conn net.Conn) bool {
	if tc, ok := conn.(*tls.Conn); ok {
		conn = tc.NetConn() // a TLS alert or record waiting is unasked too
	}
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	var peekErr error
	var b [1]byte
	if err := raw.Read(func(fd uintptr) bool {
		_, _, peekErr = syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return true // done: never wait for the socket to become readable
	}); err != nil {
		return true
	}
	return !errors.Is(peekErr, syscall.EAGAIN) && !errors.Is(peekErr, syscall.EWOULDBLOCK)
}
