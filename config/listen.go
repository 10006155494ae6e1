package config

import (
	"errors"
	"net"
	"net/netip"
	"strconv"
	"syscall"
)

// ListenedAddr is the address a listener opened for the listen address
// asked (HOST:PORT) took, as HOST:PORT with the real port: got's address,
// except that an unspecified host keeps the family asked for. Go opens
// 0.0.0.0 as a dual-stack socket and reports it as [::], so `--listen
// 0.0.0.0:0` printed [::]:PORT; it now prints 0.0.0.0:PORT, and [::]:0
// prints [::]:PORT. A link-local IPv6 host keeps the zone asked for: Go
// reports [fe80::1%eth0]:0 opened as [fe80::1]:PORT, which no other program
// can connect to (a link-local address needs its interface). A host name
// or other address is shown as got has it.
func ListenedAddr(asked string, got net.Addr) string {
	tcp, ok := got.(*net.TCPAddr)
	host, _, err := net.SplitHostPort(asked)
	if a, perr := netip.ParseAddr(host); ok && err == nil && perr == nil && a.Zone() != "" && tcp.Zone == "" {
		if b, bok := netip.AddrFromSlice(tcp.IP); bok && b.Unmap() == a.WithZone("") {
			return netip.AddrPortFrom(a, uint16(tcp.Port)).String()
		}
	}
	ip := net.ParseIP(host)
	if !ok || err != nil || ip == nil || !ip.IsUnspecified() || !tcp.IP.IsUnspecified() {
		return got.String()
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(tcp.Port))
}

// ListenAdvice says what to do when listening on an address failed with
// err, for a flag (or setting) named flag: another program holds the port,
// the machine has no such address, or the port needs privileges.
func ListenAdvice(err error, flag string) string {
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return "another program listens there (another segue perhaps): stop it or pick another " + flag
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return "no network interface of this machine has that address: use 127.0.0.1, 0.0.0.0 (every interface) or one of its own in " + flag
	case errors.Is(err, syscall.EACCES):
		return "ports below 1024 need root (or CAP_NET_BIND_SERVICE): pick one from 1024 in " + flag
	}
	return "pick another " + flag
}
