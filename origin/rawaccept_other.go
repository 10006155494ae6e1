//go:build !linux

package origin

import (
	"net"
	"time"
)

// newRawListener returns ln: accepting without telling the scheduler is
// Linux's (rawaccept_linux.go).
func newRawListener(ln net.Listener) net.Listener { return ln }

// forNetHTTP returns c: every connection is net's.
func forNetHTTP(c net.Conn) net.Conn { return c }

// awaitAlone waits for nothing: a lone connection parks at once.
func awaitAlone(fd uintptr, lfd int, d time.Duration) bool { return false }

// listenerFD returns -1: no listening socket is watched.
func listenerFD(ln net.Listener) int { return -1 }
