//go:build !linux

package origin

import "net"

// deferAccept exists only on Linux (TCP_DEFER_ACCEPT).
func deferAccept(net.Listener) {}
