package origin

import (
	"errors"
	"net"
	"syscall"
)

// peekConn returns up to n of the first bytes c received, waiting (up to
// c's read deadline) for the first to come; they stay unread for whoever
// reads c next (recv(2) with MSG_PEEK). It returns what it has on any
// error, and nil for a connection that is not a socket.
func peekConn(c net.Conn, n int) []byte {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	buf := make([]byte, n)
	var got int
	raw.Read(func(fd uintptr) bool {
		m, _, err := syscall.Recvfrom(int(fd), buf, syscall.MSG_PEEK)
		if errors.Is(err, syscall.EAGAIN) {
			return false // nothing yet: wait until the socket is readable
		}
		if err != nil || m <= 0 {
			return true
		}
		got = m
		// Bytes that came stay readable, so waiting for more would spin:
		// what the first segments hold decides.
		return true
	})
	return buf[:got]
}
