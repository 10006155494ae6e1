package origin

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

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
// query or fragment. It returns it without a trailing slash.
func ParsePublicURL(s string) (string, error) {
	u, err := url.Parse(strings.TrimRight(s, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("public URL %q: want http(s)://host[:port] as people reach the origin (e.g. https://music.example)", s)
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

func (s *Server) fromTrustedProxy(r *http.Request) bool {
	if len(s.opts.TrustedProxies) == 0 {
		return false
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	for _, p := range s.opts.TrustedProxies {
		if p.Contains(ap.Addr().Unmap()) {
			return true
		}
	}
	return false
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

// validHost reports whether h is a host[:port] and nothing else.
func validHost(h string) bool {
	if len(h) > 255 || strings.ContainsAny(h, "/\\@?#% \t") {
		return false
	}
	u, err := url.Parse("http://" + h)
	if err != nil || u.Host != h || u.Hostname() == "" {
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
