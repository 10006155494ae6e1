//go:build !linux

package origin

import "net"

// cork is a no-op where TCP_CORK does not exist.
func cork(net.Conn, bool) {}
