package originclient

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Requests whose answer never came as HTTP: what listens at the origin URL
// is not a segue origin (another program's port, an https server asked in
// plain http), or a proxy in front of it sends segue round in redirects.
// net/http's errors for these are text only; each was said as "the origin
// is unreachable (is it running? ...)" about a server that answered.

// maxRedirects is how many redirects a request follows, as net/http's
// default policy does.
const maxRedirects = 10

// RedirectLoopError ends a request redirected maxRedirects times without
// an answer (a proxy or origin that redirects to itself, or two that
// redirect to each other). net/http's own error named only the last
// Location, often a bare path, and was said as an unreachable origin.
type RedirectLoopError struct {
	Host string // the host first asked
	N    int    // the redirects followed
}

func (e *RedirectLoopError) Error() string {
	return fmt.Sprintf("%s redirected %d times without an answer", e.Host, e.N)
}

// stopRedirects is the CheckRedirect of NewHTTPClient's client.
func stopRedirects(_ *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return &RedirectLoopError{Host: via[0].URL.Host, N: len(via)}
	}
	return nil
}

// brokenAnswer begins net/http's error for an answer it could not read as
// HTTP (a malformed status line or header), before the parser's words.
const brokenAnswer = "net/http: HTTP/1.x transport connection broken: "

// NotHTTP reports whether err is a request's failure because what answered
// sent bytes that are no HTTP answer (an SSH banner, a malformed status line
// or Content-Length), as opposed to no answer at all (a connection closed
// or reset, a timeout), which is an unreachable origin.
func NotHTTP(err error) bool {
	var ue *url.Error
	if !errors.As(err, &ue) || ue.Err == nil {
		return false
	}
	rest, ok := strings.CutPrefix(ue.Err.Error(), brokenAnswer)
	var ne net.Error
	return ok && rest != "" && !errors.As(ue.Err, &ne) && !errors.Is(ue.Err, io.EOF) && !errors.Is(ue.Err, io.ErrUnexpectedEOF)
}

// SpeaksTLS reports whether err is NotHTTP because the answer was a TLS
// record (an alert, 0x15 0x03): an https server was asked in plain http.
func SpeaksTLS(err error) bool {
	return NotHTTP(err) && strings.Contains(err.Error(), `malformed HTTP response "\x15\x03`)
}
