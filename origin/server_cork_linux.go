package origin

import (
	"net"
	"syscall"
)

// cork sets TCP_CORK on c (nginx's tcp_nopush): the response headers and
// the start of the file, written before sendfile(2) takes over, leave in
// full segments with the file data instead of as a small packet of their
// own. Uncorking pushes out what is left. Errors are ignored: corking only
// saves packets.
func cork(c net.Conn, on bool) {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return
	}
	v := 0
	if on {
		v = 1
	}
	raw.Control(func(fd uintptr) {
		syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_CORK, v)
	})
}
