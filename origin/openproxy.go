package origin

import (
	"net/http"
	"net/netip"
	"strings"
)

// warnOpenBehindProxy logs once, on an open origin (no bearer tokens:
// it listens on loopback without RequireToken), that a proxy passed it a
// request from another machine (an X-Forwarded-For hop off loopback):
// whoever reaches the proxy then browses, plays and edits playlists with
// no token, which an origin listening off loopback itself never allows.
// docs/scale.md's own recipe (replicas on loopback, nginx on 0.0.0.0)
// did so with nothing said. It is a warning, not a refusal: a household
// may mean its proxy to be open on its LAN.
func (s *Server) warnOpenBehindProxy(r *http.Request) {
	if s.openProxyWarned.Load() {
		return
	}
	from, ok := offMachineHop(r.Header.Values("X-Forwarded-For"))
	if !ok || s.openProxyWarned.Swap(true) {
		return
	}
	s.log.Warn("this origin requires no token (it listens on loopback without --require-token), and a proxy passes it requests from "+
		from.String()+" (off loopback): anyone who reaches the proxy uses the origin without a token; "+
		"restart it with --require-token unless that is meant (docs/scale.md, Tokens behind a proxy)",
		"proxy", clientAddr(r.RemoteAddr).String(), "client", from.String())
}

// offMachineHop returns the first address in X-Forwarded-For values that
// is not a loopback one; false when there is none (no proxy, or only
// local clients behind it).
func offMachineHop(values []string) (netip.Addr, bool) {
	for _, v := range values {
		for _, hop := range strings.Split(v, ",") {
			a, err := netip.ParseAddr(strings.TrimSpace(hop))
			if err == nil && !a.Unmap().IsLoopback() {
				return a.Unmap(), true
			}
		}
	}
	return netip.Addr{}, false
}
