package peer

import (
	"context"
	"net"
	"net/netip"
	"net/url"
	"time"
)

// A link-local IPv6 address (fe80::/10) is reached only with a zone, the
// %eth0 of [fe80::1%eth0]:7700: the network interface of the dialing
// machine that leads to the link. The tracker lists a link-local peer with
// a zone of the origin's machine (the interface it heard the announce on,
// or the one a peer on its machine announced), which another machine may
// not have, or has under another name. A listener dials such a peer on its
// own interface toward the origin instead: a link-local peer is on the
// origin's link, so that interface leads to it when the origin is on that
// link too, and nothing does otherwise.

// withZone returns the peer address addr (host:port) with zone as its
// host's zone when the host is a link-local IPv6 address and zone is not
// empty; any other addr comes back unchanged.
func withZone(addr, zone string) string {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil || zone == "" || !ap.Addr().Is6() || !ap.Addr().IsLinkLocalUnicast() {
		return addr
	}
	return netip.AddrPortFrom(ap.Addr().WithZone(zone), ap.Port()).String()
}

// linkLocal reports whether host:port addr names a link-local IPv6 host.
func linkLocal(addr string) bool {
	ap, err := netip.ParseAddrPort(addr)
	return err == nil && ap.Addr().Is6() && ap.Addr().IsLinkLocalUnicast()
}

// zoneToward returns the name of the network interface this machine sends
// packets to the host of originURL (http(s)://host[:port]) through, as the
// routing table says: a UDP socket is connected there and its local address
// read; no packet is sent. It returns "" when the URL has no host, the
// host does not resolve within a few seconds, or the interface is loopback
// (the origin runs on this machine: the zones its tracker lists are this
// machine's own).
func zoneToward(ctx context.Context, originURL string) string {
	u, err := url.Parse(originURL)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	port := u.Port()
	if port == "" {
		port = map[bool]string{true: "443", false: "80"}[u.Scheme == "https"]
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil && ip.Zone() != "" {
		return ip.Zone() // the URL names the interface itself
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	c, err := (&net.Dialer{}).DialContext(ctx, "udp", net.JoinHostPort(host, port))
	if err != nil {
		return ""
	}
	defer c.Close()
	la, ok := c.LocalAddr().(*net.UDPAddr)
	if !ok || la.IP.IsLoopback() {
		return ""
	}
	if la.Zone != "" {
		return la.Zone
	}
	ifs, err := net.Interfaces()
	if err != nil {
		return ""
	}
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.Equal(la.IP) {
				return ifc.Name
			}
		}
	}
	return ""
}
