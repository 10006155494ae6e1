package origin

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
)

// tlsHandshake is the first byte of a TLS connection: the content type of
// the record carrying the ClientHello (RFC 8446, section 5.1).
const tlsHandshake = 0x16

// splitScheme makes sp, on an https origin, give the connections that
// begin in plain http (a person who typed http://, or was given a share
// link without its s) to plainLn, served by plainServer, and the rest to
// httpLn as before. net/http answered them itself with a bare "400 Client
// sent an HTTP request to an HTTPS server.", in plain text, to a browser
// too.
func (sp *splitter) splitScheme() {
	sp.plainLn = newChanListener(sp.ln.Addr(), sp.close)
}

// plainServer serves the plain http connections of an https origin: one
// answer each (httpsOnly), logged as every request is, then the
// connection closes; limit learns their states as from the https server.
func (s *Server) plainServer(limit *connLimiter) *http.Server {
	hs := &http.Server{
		Handler:           s.realClient(accessLog(s.log, http.HandlerFunc(s.httpsOnly))),
		ReadHeaderTimeout: s.opts.HeaderTimeout,
		ReadTimeout:       s.opts.ReadTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		ConnState:         limit.connState,
	}
	hs.SetKeepAlivesEnabled(false)
	return hs
}

// plainToTLSSentence begins the plain-text answer to plain http, as Go's
// own answer said it: clients tell that answer by it
// (originclient.StatusError.PlainToTLS).
const plainToTLSSentence = "Client sent an HTTP request to an HTTPS server."

// httpsOnly answers a request that came in plain http to an origin that
// serves https only, with the address to use instead: https:// and the
// Host and path asked for.
//
// A browser opening an address (GET or HEAD, Accept preferring HTML) is
// redirected there (307, not cached: an origin served in plain http again
// later is not kept from its visitors), as browsers expect of a site, when
// that is safe: the request carries no credential (Authorization), which a
// redirect would have a client send again and again in the clear; no
// header of a proxy (Forwarded, X-Forwarded-*, Via) and a Host of the port
// the connection came to, which an address typed or linked to the origin
// has and a proxy's request to it does not: a proxy that speaks plain http
// to the origin would pass the https request the redirect makes in plain
// http again, in a loop. (The request's path, a share token too, crossed
// the network in the clear already: refusing does not undo that.) No
// Strict-Transport-Security is sent: with a self-signed certificate it
// would leave a browser no way past the certificate's warning.
//
// Otherwise a browser gets a page saying so with the link, and any other
// client the plain-text 400 of Go's answer with the link on a second line,
// and like it no Date (segue's client tells a proxy's answer by it).
func (s *Server) httpsOnly(w http.ResponseWriter, r *http.Request) {
	host := r.Host
	local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if host == "" && local != nil { // HTTP/1.0 without Host: where it connected
		host = local.String()
	}
	link := "https://" + host + r.URL.RequestURI()
	h := w.Header()
	h["Date"] = nil
	h.Set("Connection", "close")
	proxied := r.Header.Get("Forwarded") != "" || r.Header.Get("X-Forwarded-For") != "" ||
		r.Header.Get("X-Forwarded-Proto") != "" || r.Header.Get("X-Forwarded-Host") != "" || r.Header.Get("Via") != ""
	if !wantsHTML(r) {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, "%s\nThis origin serves https only: use %s\n", plainToTLSSentence, link)
		return
	}
	if proxied {
		writePage(w, http.StatusBadRequest, pageText{Title: "This server's proxy speaks plain http to it",
			Hint: "The proxy in front of this segue origin passes requests to it in plain http, and the origin serves https only. " +
				"Its host serves the origin in plain http behind the proxy (TLS ends at the proxy), or has the proxy speak https to it: see docs/tls.md."})
		return
	}
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && r.Header.Get("Authorization") == "" &&
		r.Host != "" && local != nil && samePort(r.Host, local) {
		h.Set("Location", link)
		writePage(w, http.StatusTemporaryRedirect, pageText{Title: "This server speaks https", Hint: "Go on at its https address:", Link: link})
		return
	}
	writePage(w, http.StatusBadRequest, pageText{Title: "Use https:// for this server",
		Hint: "This segue origin serves https only, and the address was opened with http://. Open it with https:// instead " +
			"(a link given to you without its s works with it):", Link: link})
}

// samePort reports whether host (a Host header: name[:port]) names the
// port of addr, the port a connection came to; without a port it names
// http's 80.
func samePort(host string, addr net.Addr) bool {
	port := "80"
	if _, p, err := net.SplitHostPort(host); err == nil {
		port = p
	}
	_, want, err := net.SplitHostPort(addr.String())
	return err == nil && port == want
}
