package origin

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"unicode"

	"segue/catalog"
)

// ParseProxies reads --trusted-proxy values: CIDR prefixes (10.0.0.0/8) or
// single addresses (127.0.0.1), from which X-Forwarded-Proto and
// X-Forwarded-Host are believed.
func ParseProxies(vals []string) ([]netip.Prefix, error) {
	var ps []netip.Prefix
	for _, v := range vals {
		v = strings.TrimSpace(v)
		if p, err := netip.ParsePrefix(v); err == nil {
			ps = append(ps, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(v)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: want an address (127.0.0.1) or a CIDR prefix (10.0.0.0/8)", v)
		}
		ps = append(ps, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return ps, nil
}

// ParsePublicURL checks --public-url: http(s)://host[:port][/path], no
// query or fragment, with any spaces or line breaks around it dropped (as
// an origin URL's, config.CleanOrigin). It returns it without a trailing
// slash.
func ParsePublicURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	u, err := url.Parse(strings.TrimRight(s, "/"))
	// an empty query or fragment ("https://h/?", "http://h/#") leaves
	// RawQuery and Fragment empty: look for the characters themselves
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || strings.ContainsAny(s, "?#") {
		return "", fmt.Errorf("public URL %q: want http(s)://host[:port][/path] as people reach the origin (e.g. https://music.example)", s)
	}
	return u.String(), nil
}

// base returns scheme://host as the person who made r reaches the origin:
// PublicURL when set; else the connection's own scheme and Host, with
// X-Forwarded-Proto and X-Forwarded-Host taken only from a trusted proxy.
func (s *Server) base(r *http.Request) string {
	if s.opts.PublicURL != "" {
		return s.opts.PublicURL
	}
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if s.fromTrustedProxy(r) {
		scheme, host = forwarded(r.Header, scheme, host)
	}
	return scheme + "://" + host
}

// proxiedKey marks a request realClient took from a trusted proxy.
type proxiedKey struct{}

func (s *Server) fromTrustedProxy(r *http.Request) bool {
	proxied, _ := r.Context().Value(proxiedKey{}).(bool)
	return proxied
}

// trusted reports whether a is one of the TrustedProxies.
func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.opts.TrustedProxies {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// realClient makes r.RemoteAddr the client's own address ("IP:0") when the
// connection comes from a trusted proxy: the rightmost X-Forwarded-For
// address that is not itself a trusted proxy, as nginx's realip module
// takes it with real_ip_recursive on (a client can prepend anything to the
// header; only what trusted proxies appended is believed). Whatever keys on
// the client then sees the listener, not the proxy: the refused-token rate
// limit, a peer's announced host, the access log. The request is marked so
// base believes the proxy's X-Forwarded-Proto and -Host.
func (s *Server) realClient(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ap, err := netip.ParseAddrPort(r.RemoteAddr)
		if err != nil || len(s.opts.TrustedProxies) == 0 || !s.trusted(ap.Addr()) {
			next.ServeHTTP(w, r)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), proxiedKey{}, true))
		if client, ok := forwardedFor(r.Header.Values("X-Forwarded-For"), s.trusted); ok {
			r.RemoteAddr = netip.AddrPortFrom(client, 0).String()
		}
		next.ServeHTTP(w, r)
	})
}

// forwardedFor walks the X-Forwarded-For list from the right, past the
// addresses trusted vouches for, to the first that it does not: the
// client. ok is false when the list is empty, malformed at that point, or
// all trusted.
func forwardedFor(values []string, trusted func(netip.Addr) bool) (netip.Addr, bool) {
	hops := strings.Split(strings.Join(values, ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return netip.Addr{}, false
		}
		if a = a.Unmap(); !trusted(a) {
			return a, true
		}
	}
	return netip.Addr{}, false
}

// forwarded applies X-Forwarded-Proto and X-Forwarded-Host (their first
// value when a chain of proxies left several) to scheme and host. A value
// that is not http/https or not a plain host[:port] is ignored.
func forwarded(h http.Header, scheme, host string) (string, string) {
	first := func(k string) string {
		v, _, _ := strings.Cut(h.Get(k), ",")
		return strings.TrimSpace(v)
	}
	switch p := strings.ToLower(first("X-Forwarded-Proto")); p {
	case "http", "https":
		scheme = p
	}
	if fh := first("X-Forwarded-Host"); fh != "" && validHost(fh) {
		host = fh
	}
	return scheme, host
}

// validHost reports whether h is a host[:port] and nothing else: a DNS
// name or an IP address (IPv6 in brackets), and a port.
func validHost(h string) bool {
	if len(h) > 255 || strings.ContainsAny(h, "/\\@?#% \t") {
		return false
	}
	u, err := url.Parse("http://" + h)
	if err != nil || u.Host != h || u.Hostname() == "" {
		return false
	}
	// url.Parse takes " < > ' { } and more in a host; a DNS name (IDN
	// too) is letters, digits, . - and _, or else it is an IP address
	name := u.Hostname()
	if _, err := netip.ParseAddr(name); err != nil && strings.ContainsFunc(name, func(c rune) bool {
		return !unicode.IsLetter(c) && !unicode.IsDigit(c) && c != '.' && c != '-' && c != '_'
	}) {
		return false
	}
	if p := u.Port(); p != "" {
		_, err := net.LookupPort("tcp", p)
		return err == nil && strings.Trim(p, "0123456789") == ""
	}
	return true
}

// absolute turns the relative share path into the URL a person can open;
// a self-signed origin's own https URLs carry its certificate's pin.
func (s *Server) absolute(r *http.Request, pl catalog.Playlist) catalog.Playlist {
	if pl.ShareURL == "" {
		return pl
	}
	base := s.base(r)
	pl.ShareURL = base + pl.ShareURL
	if s.opts.PinShareURLs && s.certs != nil && r.TLS != nil && s.opts.PublicURL == "" && strings.HasPrefix(base, "https://") {
		pl.ShareURL += "#sha256=" + s.certs.fingerprint()
	}
	return pl
}
