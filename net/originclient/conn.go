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
// player's request asked again and every try after on it, and the kernel
// gives up on unacknowledged data only after many minutes. Segment
// requests that may follow a dead connection go on one of their own
// (ChunkFresh: the hedge, a try after one that ran out of time, a segment
// the player found stalled). For the rest (documents, the tracker) and to
// take the dead connection out of the pool, HTTP/2's health check (RFC
// 9113 6.7, PING): a connection that brought no frame for pingAfter is
// pinged, and closed when the answer has not come in pingWait, failing
// its requests so that they are asked again on a new one. A connection
// bringing an answer's bytes is never pinged; an idle one is pinged every
// pingAfter until IdleConnTimeout (90 s) closes it, a 17-byte frame each
// way. pingAfter is longer than the 7 s between a playing client's
// read-ahead fetches (player's refillBatch), so that a playing client's
// connection is never pinged: each ping and its answer would wake the
// process (issue 14: at most 10 wake-ups a second while playing, 8.9 the
// median measured; pinging an idle connection every second would add
// about two a second, the ping's write and its answer's read). pingWait
// is several round trips of a slow mobile link. A dead connection is
// closed within 10 s of its last frame; a segment the play head waits for
// does not wait for that. HTTP/1.1 (an http origin) sends each request in
// flight on its own connection and closes the one of a request given up.
const (
	pingAfter = 8 * time.Second
	pingWait  = 2 * time.Second
)

// ChunkFresh is ChunkProgress on a connection of its own, opened for it and
// closed after it, never one another request is using: a hedged request
// (see net/fetch) sent beside one whose connection may be dead, or a
// request after one given up that way. It costs a connection's set-up (a
// TLS handshake for https). A client made with
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
