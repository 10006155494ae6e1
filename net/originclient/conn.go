package originclient

import (
	"context"
	"net/http"
	"time"
)

// An https origin is spoken to over HTTP/2 (ALPN offers it; see
// origin/tls.go), and every request to it shares one connection. A
// connection whose path died without a reset (a NAT that dropped its
// mapping, a wifi that roamed, a firewall that stopped forwarding) then
// held every request: Go's transport put the hedged request, the
// player's request asked again and every try after on it, and a segment
// the play head waited for failed after 21 s of silence
// (fetch.TestDeadConnectionIsNotAskedAgain). HTTP/2's health check
// (RFC 9113 6.7, PING) finds such a connection: one that brought no frame
// for pingAfter is pinged, and closed, failing its requests so that they
// are asked again on a new one, when the answer has not come in pingWait.
// A live connection answers a ping within a round trip (tens of
// milliseconds on a LAN, a few hundred over the internet), so 1 s is
// several times that; together they close a dead connection within 2 s
// of its last frame, before the player's stall rule (2 s without a byte)
// asks a segment again. A connection bringing an answer's bytes is never
// pinged, and an idle one is pinged once a second until IdleConnTimeout
// (90 s) closes it: 17 bytes each way. HTTP/1.1 (an http origin) sends
// each request in flight on its own connection and needs none of this.
const (
	pingAfter = time.Second
	pingWait  = time.Second
)

// ChunkFresh is ChunkProgress on a connection of its own, opened for it and
// closed after it, never one another request is using: a hedged request
// (see net/fetch) sent beside one whose connection may be dead. It costs a
// connection's set-up (a TLS handshake for https). A client made with
// Options.HTTP whose Transport is neither an *http.Transport nor one of
// NewHTTPClient's asks on that client's connections instead.
func (c *Client) ChunkFresh(ctx context.Context, hash string, progress func(n int)) ([]byte, error) {
	hc, done := freshClient(c.http)
	defer done()
	return c.chunk(ctx, hc, hash, progress)
}

// freshClient returns hc with a clone of its transport that has no
// connection yet, and the function that closes the connections it opened;
// hc itself (and a function that does nothing) when its transport cannot
// be cloned.
func freshClient(hc *http.Client) (*http.Client, func()) {
	var tr *http.Transport
	wrap := func(rt http.RoundTripper) http.RoundTripper { return rt }
	switch t := hc.Transport.(type) {
	case nil:
		tr, _ = http.DefaultTransport.(*http.Transport)
	case *http.Transport:
		tr = t
	case hintTransport:
		tr, _ = t.next.(*http.Transport)
		wrap = func(rt http.RoundTripper) http.RoundTripper { return hintTransport{next: rt, subsonic: t.subsonic} }
	}
	if tr == nil {
		return hc, func() {}
	}
	one := tr.Clone()
	fc := *hc
	fc.Transport = wrap(one)
	return &fc, one.CloseIdleConnections
}
