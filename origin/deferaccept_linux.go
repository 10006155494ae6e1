package origin

import (
	"net"

	"golang.org/x/sys/unix"
)

// deferAccept has the kernel hand ln's connections to accept only once their
// first bytes arrived (TCP_DEFER_ACCEPT, tcp(7); nginx's `listen ... deferred`).
// A connection accepted at the handshake waited for its request once more,
// parked in Go's network poller. A listener that is not TCP, or a kernel that
// refuses the option, is left as it is: the option only saves that wait.
func deferAccept(ln net.Listener) {
	tl, ok := ln.(*net.TCPListener)
	if !ok {
		return
	}
	if rc, err := tl.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) {
			unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_DEFER_ACCEPT, 1)
		})
	}
}
