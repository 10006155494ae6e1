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

// waitReadable waits for nothing: peekConn parks at once.
func waitReadable(fd uintptr, d time.Duration) bool { return false }
