package origin

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

// Request body limits by route (see bodyLimit). A playlist edit or an
// announce is a few KiB; a batch of MaxEventBatch play events under 4 MiB.
const (
	maxEventsBody  = 4 << 20
	maxEditBody    = 1 << 20
	maxDefaultBody = 64 << 10
)

// maxRanges is the most ranges one request may ask for; more and the
// whole blob is sent (2000 one-byte ranges made a reply 2.6x the blob).
const maxRanges = 16

// bodyLimit returns how many bytes of request body r's route takes.
func bodyLimit(r *http.Request) int64 {
	switch {
	case r.URL.Path == "/api/v1/events":
		return maxEventsBody
	case r.Method == http.MethodPost || r.Method == http.MethodPatch || r.Method == http.MethodPut:
		return maxEditBody
	}
	return maxDefaultBody
}

// guard bounds what one request may cost: a malformed query string is
// 400, a Range of more than maxRanges parts is ignored, a body over its route's limit is
// refused with 413 (at once when Content-Length says so, otherwise when the
// reader passes it; see bodyTooLarge), and a response that makes no progress
// for StallTimeout is cut off (a slow-read client), however long the whole
// response takes while it moves.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
			writeError(w, http.StatusBadRequest, "malformed query string: "+err.Error()+" (a literal % is written %25)")
			return
		}
		if strings.Count(r.Header.Get("Range"), ",") >= maxRanges {
			// RFC 9110 (14.2) lets a server ignore Range: the whole blob is
			// smaller than thousands of tiny parts with their headers.
			r.Header.Del("Range")
		}
		limit := bodyLimit(r)
		if r.ContentLength > limit {
			writeError(w, http.StatusRequestEntityTooLarge, tooLarge(limit))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		sw := &stallWriter{ResponseWriter: w, rc: http.NewResponseController(w), stall: s.opts.StallTimeout}
		next.ServeHTTP(sw, r)
		if sw.stalled && r.ProtoMajor == 1 {
			// Closed as usual, the kernel would keep the unsent data and
			// keep probing a client that does not read; the socket is this
			// request's alone (HTTP/1), so reset it and free both.
			if c, ok := r.Context().Value(connKey{}).(*net.TCPConn); ok {
				c.SetLinger(0)
				c.Close()
			}
		}
	})
}

func tooLarge(limit int64) string {
	return fmt.Sprintf("request body larger than %d KiB, the limit of this route", limit>>10)
}

// bodyTooLarge answers 413 when err came from a body over its limit.
func bodyTooLarge(w http.ResponseWriter, err error) bool {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		writeError(w, http.StatusRequestEntityTooLarge, tooLarge(mb.Limit))
		return true
	}
	return false
}

// stallWriter pushes the connection's write deadline StallTimeout ahead of
// every piece written, so only a stalled response times out. ReadFrom
// sends at most stallPiece bytes per deadline and keeps *os.File (inside
// an *io.LimitedReader, as http.ServeContent passes it) visible, so
// sendfile(2) still carries /chunks.
type stallWriter struct {
	http.ResponseWriter
	rc      *http.ResponseController
	stall   time.Duration
	stalled bool // a write ran past its deadline
}

func (s *stallWriter) check(err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		s.stalled = true
	}
	return err
}

// stallPiece is what one deadline covers: 1 MiB at the 256 kbit/s a
// phone on a poor link still gets takes 33 s, about StallTimeout's default.
const stallPiece = 1 << 20

func (s *stallWriter) extend() {
	s.rc.SetWriteDeadline(time.Now().Add(s.stall)) // unsupported writers: no deadline, as before
}

func (s *stallWriter) Write(p []byte) (int, error) {
	var n int
	for len(p) > 0 {
		k := min(len(p), stallPiece)
		s.extend()
		m, err := s.ResponseWriter.Write(p[:k])
		n += m
		if err != nil {
			return n, s.check(err)
		}
		p = p[k:]
	}
	return n, nil
}

func (s *stallWriter) ReadFrom(src io.Reader) (int64, error) {
	rf, ok := s.ResponseWriter.(io.ReaderFrom)
	if !ok {
		return io.Copy(struct{ io.Writer }{s}, src)
	}
	inner, left := src, int64(-1)
	if lr, ok := src.(*io.LimitedReader); ok {
		inner, left = lr.R, lr.N
		defer func() { lr.N = left }()
	}
	var total int64
	for left != 0 {
		piece := int64(stallPiece)
		if left > 0 {
			piece = min(piece, left)
		}
		s.extend()
		n, err := rf.ReadFrom(&io.LimitedReader{R: inner, N: piece})
		total += n
		if left > 0 {
			left -= n
		}
		if err != nil {
			return total, s.check(err)
		}
		if n < piece { // the source ended
			return total, nil
		}
	}
	return total, nil
}

func (s *stallWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// connLimiter lets at most cap(slots) connections be open: Accept waits
// for a slot, and the server's ConnState hook gives it back when the
// connection closes. It hands out the listener's own connections (unlike
// x/net's netutil.LimitListener, whose wrapper hides *net.TCPConn from
// sendfile(2) and TCP_CORK).
type connLimiter struct {
	net.Listener
	slots chan struct{}
	done  chan struct{}
	once  sync.Once // guards closing done
}

func newConnLimiter(ln net.Listener, n int) *connLimiter {
	return &connLimiter{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{})}
}

func (l *connLimiter) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
	}
	return c, err
}

func (l *connLimiter) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// connState gives a slot back when a connection leaves the server.
func (l *connLimiter) connState(_ net.Conn, st http.ConnState) {
	if st == http.StateClosed || st == http.StateHijacked {
		<-l.slots
	}
}
