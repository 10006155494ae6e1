//go:build !unix || aix

package origin

import "net"

// hungUp cannot look at a socket here without reading from it (no
// MSG_DONTWAIT): it reports false, and a connection the server hung up
// on is found by pgx's ping when idle over a second (see
// pgConn.ResetSession).
func hungUp(net.Conn) bool { return false }
