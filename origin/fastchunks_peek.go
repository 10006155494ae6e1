package origin

import (
	"net"
	"syscall"
	"time"
	"unsafe"
)

// peekConn returns up to len(buf) of the first bytes c received, read
// into buf, waiting up to wait for the first to come; they stay unread for
// whoever reads c next (recv(2) with MSG_PEEK). It returns what it has on any error, and nil
// for a connection that is not a socket. The read deadline is set only
// when the first bytes are not there yet (and cleared again), which on a
// client that sends its request with its connection they are: a deadline
// is a runtime timer added and deleted, and one sooner than the
// netpoller's sleep wakes the thread sleeping in it.
//
// lead first awaits the first bytes on this thread (leader.await), once,
// and is handed on before c is waited for otherwise.
func peekConn(c net.Conn, buf []byte, wait time.Duration, lead leader) []byte {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	var got int
	armed, awaited := false, false
	raw.Read(func(fd uintptr) bool {
		for {
			m, _, e := syscall.RawSyscall6(syscall.SYS_RECVFROM, fd, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), syscall.MSG_PEEK, 0, 0)
			switch e {
			case 0:
				// Bytes that came stay readable, so waiting for more
				// would spin: what the first segments hold decides.
				got = int(m)
				return true
			case syscall.EINTR:
				continue
			case syscall.EAGAIN:
				if !awaited {
					awaited = true
					if lead.await(fd) {
						continue
					}
				}
				if !armed {
					lead.handOn()
					c.SetReadDeadline(time.Now().Add(wait))
					armed = true
				}
				return false // nothing yet: wait until the socket is readable
			}
			return true
		}
	})
	if armed {
		c.SetReadDeadline(time.Time{})
	}
	return buf[:got]
}
