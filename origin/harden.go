package origin

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
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
// 400, a Range of more than maxRanges parts or in a unit other than bytes
// is ignored, its suffix ranges of length 0 are left out
// (withoutEmptySuffixes), a body over its route's limit is
// refused with 413 (at once when Content-Length says so, otherwise when the
// reader passes it; see bodyTooLarge), and a response that makes no progress
// for StallTimeout (media: PauseTimeout) is cut off (a slow-read client),
// however long the whole response takes while it moves.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
			// the hint names the character the query has: a ; (which
			// net/url no longer takes as a separator) or a stray %
			hint := " (a literal % is written %25)"
			if strings.Contains(err.Error(), "semicolon") {
				hint = " (parameters are separated by &; a literal ; is written %3B)"
			}
			writeError(w, http.StatusBadRequest, "malformed query string: "+err.Error()+hint)
			return
		}
		if rng := r.Header.Get("Range"); rng != "" {
			unit, spec, _ := strings.Cut(rng, "=")
			switch {
			case !strings.EqualFold(strings.TrimSpace(unit), "bytes"):
				// RFC 9110 (14.2): an origin must ignore a Range in a unit
				// it does not know (http.ServeContent answered 416)
				r.Header.Del("Range")
			case strings.Count(spec, ",") >= maxRanges:
				// RFC 9110 (14.2) lets a server ignore Range: the whole blob is
				// smaller than thousands of tiny parts with their headers.
				r.Header.Del("Range")
			default:
				// units compare case-insensitively; ServeContent wants "bytes="
				r.Header.Set("Range", "bytes="+withoutEmptySuffixes(spec))
			}
		}
		limit := bodyLimit(r)
		if r.ContentLength > limit {
			writeError(w, http.StatusRequestEntityTooLarge, tooLarge(limit))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		sw := &stallWriter{ResponseWriter: w, rc: http.NewResponseController(w), stall: s.opts.StallTimeout, pause: s.opts.PauseTimeout}
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

// unsatisfiableRange is a byte range that starts past the end of any
// answer: http.ServeContent answers it 416 with Content-Range bytes */LENGTH.
const unsatisfiableRange = "9223372036854775807-"

// withoutEmptySuffixes returns spec (a Range header's ranges, after
// "bytes=") without its suffix ranges of length 0 ("-0"), which select no
// byte: RFC 9110 (14.1.1) counts a range set satisfiable only when a range
// starts before the end or a suffix range has a length above 0, and
// http.ServeContent took "-0" for a range of no bytes and answered 206 with
// Content-Range "bytes N-(N-1)/N" (Go 1.26). When only such ranges were
// asked for it returns unsatisfiableRange, so the answer is 416; a spec
// without them comes back as it was.
func withoutEmptySuffixes(spec string) string {
	var kept []string
	dropped := false
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		if n, ok := strings.CutPrefix(part, "-"); ok && strings.TrimSpace(n) != "" && strings.Trim(n, "0 \t") == "" {
			dropped = true
			continue
		}
		if part != "" {
			kept = append(kept, part)
		}
	}
	switch {
	case !dropped:
		return spec
	case len(kept) == 0:
		return unsatisfiableRange
	}
	return strings.Join(kept, ",")
}

func tooLarge(limit int64) string {
	return fmt.Sprintf("request body larger than %d KiB, the limit of this route", limit>>10)
}

// BodyReadError tells a request body that could not be read whole from
// a malformed one: for err from reading a body over its route's limit it
// returns 413 and what the limit is, for one that stopped coming before
// the origin's ReadTimeout ran out (fewer bytes than its Content-Length)
// 408 and that; ok is false for any other err.
func BodyReadError(err error) (status int, msg string, ok bool) {
	var mb *http.MaxBytesError
	switch {
	case errors.As(err, &mb):
		return http.StatusRequestEntityTooLarge, tooLarge(mb.Limit), true
	case errors.Is(err, os.ErrDeadlineExceeded):
		return http.StatusRequestTimeout, "the request body did not all arrive in time (the origin's read timeout): send it whole, as long as its Content-Length says", true
	}
	return 0, "", false
}

// bodyTooLarge answers 413 or 408 when err came from a body that could
// not be read whole (BodyReadError).
func bodyTooLarge(w http.ResponseWriter, err error) bool {
	if status, msg, ok := BodyReadError(err); ok {
		writeError(w, status, msg)
		return true
	}
	return false
}

// decodeOne decodes one JSON value with no field v lacks from r into v.
// Bytes after the value other than white space are an error: two values
// as one (two batches of events in a request body, two lines of an
// events file joined) had the first taken for the whole and the rest
// dropped without a word. A failure to read r is returned as it is.
func decodeOne(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	end := dec.InputOffset()
	_, err := dec.Token()
	var syntax *json.SyntaxError
	switch {
	case errors.Is(err, io.EOF):
		return nil
	case err == nil || errors.As(err, &syntax):
		return fmt.Errorf("more follows the JSON value, which ends at byte %d: send one value", end)
	}
	return err
}

// stallWriter pushes the connection's write deadline StallTimeout ahead of
// every piece written, so only a stalled response times out; PauseTimeout
// ahead when the answer is media (isMedia: a paused player's). ReadFrom
// sends at most stallPiece bytes per deadline and keeps *os.File (inside
// an *io.LimitedReader, as http.ServeContent passes it) visible, so
// sendfile(2) still carries /chunks.
type stallWriter struct {
	http.ResponseWriter
	rc           *http.ResponseController
	stall, pause time.Duration
	stalled      bool // a write ran past its deadline
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
	wait := s.stall
	if isMedia(s.Header().Get("Content-Type")) {
		wait = s.pause
	}
	s.rc.SetWriteDeadline(time.Now().Add(wait)) // unsupported writers: no deadline, as before
}

// isMedia reports whether an answer of Content-Type ct is media, sent
// from the blob store in pieces: MP3 audio or an image. A playlist file
// (audio/x-mpegurl, audio/x-scpls: the share links' .m3u8 and .pls) is
// no media but a document built in memory.
func isMedia(ct string) bool {
	mt, _, _ := mime.ParseMediaType(ct)
	return mt == "audio/mpeg" || strings.HasPrefix(mt, "image/")
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

// maxDocsInFlight bounds the JSON documents (searches, manifests, catalog
// views, share pages) being built or written at once; more requests wait
// for a slot (FIFO) or until their client leaves. Each document is held in
// memory whole (a three-hour track's manifest is 1.3 MB, read from SQLite
// and copied once on the way), so this, times the largest document, is
// what answers may hold: without it 500 clients asking for that manifest
// took the origin to 650 MB (issue 17). Two cores serve about 2000
// documents a second, so a slot frees within milliseconds unless its
// client reads slowly; a client that stops reading keeps it at most
// StallTimeout.
const maxDocsInFlight = 32

// holdsDoc reports whether r is answered with a document built in memory:
// every GET or HEAD but /chunks, covers and progressive streams, which are
// sent from the blob store in pieces. Request bodies are bounded by their
// route's limit (bodyLimit) instead, and only authenticated clients get
// as far as sending one.
func holdsDoc(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	p := r.URL.Path
	return !strings.HasPrefix(p, "/chunks/") && !strings.HasSuffix(p, "/cover") && !strings.HasSuffix(p, "/stream")
}

// docSlot makes a request that holdsDoc wait for one of maxDocsInFlight
// slots and keep it until its answer is written, or until the answer
// turns out to be media (see slotWriter).
func (s *Server) docSlot(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !holdsDoc(r) {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case s.docs <- struct{}{}:
		case <-r.Context().Done():
			w.WriteHeader(statusClientGone) // nobody is there to read it
			return
		}
		sw := &slotWriter{ResponseWriter: w, slots: s.docs, held: true}
		defer sw.release()
		next.ServeHTTP(sw, r)
	})
}

// slotWriter gives its request's document slot back when the answer's
// header says audio or an image (isMedia): media sent from the blob store in
// pieces, however long that takes (the stream and cover art of an API
// mounted under its own paths, such as Subsonic's /rest/stream). It
// forwards ReadFrom and Unwrap like recorder.
type slotWriter struct {
	http.ResponseWriter
	slots chan struct{}
	held  bool // the slot is still taken; only the handler's goroutine touches it
}

func (s *slotWriter) release() {
	if s.held {
		s.held = false
		<-s.slots
	}
}

// media releases the slot when the Content-Type set so far is media.
func (s *slotWriter) media() {
	if isMedia(s.Header().Get("Content-Type")) {
		s.release()
	}
}

func (s *slotWriter) WriteHeader(code int) {
	s.media()
	s.ResponseWriter.WriteHeader(code)
}

func (s *slotWriter) Write(p []byte) (int, error) {
	s.media()
	return s.ResponseWriter.Write(p)
}

func (s *slotWriter) ReadFrom(src io.Reader) (int64, error) {
	s.media()
	if rf, ok := s.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(struct{ io.Writer }{s.ResponseWriter}, src)
}

func (s *slotWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// connLimiter lets at most cap(slots) connections be open. When all are
// taken and another client connects, the connection idle longest (a
// keep-alive connection between requests, HTTP/1 or HTTP/2) is closed to
// make room, so idle clients cannot hold every slot; when none is idle
// the newcomer waits until one closes or goes idle, and further ones wait
// in the listen backlog. The server's ConnState hook tells it which
// connections are idle and gives a slot back when one closes. It hands
// out the listener's own connections (unlike x/net's
// netutil.LimitListener, whose wrapper hides *net.TCPConn from sendfile(2)
// and TCP_CORK).
type connLimiter struct {
	net.Listener
	slots      chan struct{}
	done       chan struct{}
	once       sync.Once     // guards closing done
	becameIdle chan struct{} // signalled (without blocking) when a connection goes idle

	mu   sync.Mutex             // guards idle
	idle map[net.Conn]time.Time // connections between requests, and since when
}

func newConnLimiter(ln net.Listener, n int) *connLimiter {
	return &connLimiter{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{}),
		becameIdle: make(chan struct{}, 1), idle: map[net.Conn]time.Time{}}
}

// Accept takes the next connection from the listener and returns it once
// it has a slot. At most one connection beyond the bound is held here
// while room is made.
func (l *connLimiter) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	closed := false // one idle connection closed for c; its slot is coming
	for {
		select {
		case l.slots <- struct{}{}:
			return c, nil
		default:
		}
		if !closed {
			closed = l.closeIdlest()
		}
		select {
		case l.slots <- struct{}{}:
			return c, nil
		case <-l.becameIdle:
		case <-l.done:
			c.Close()
			return nil, net.ErrClosed
		}
	}
}

// closeIdlest closes the connection idle longest, if any is idle.
func (l *connLimiter) closeIdlest() bool {
	l.mu.Lock()
	var oldest net.Conn
	var since time.Time
	for c, t := range l.idle {
		if oldest == nil || t.Before(since) {
			oldest, since = c, t
		}
	}
	delete(l.idle, oldest)
	l.mu.Unlock()
	if oldest == nil {
		return false
	}
	oldest.Close() // the server sees it closed and reports StateClosed
	return true
}

func (l *connLimiter) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// forget stops tracking c without giving its slot back: fasthttp handed
// it to net/http, which reports it from now on.
func (l *connLimiter) forget(c net.Conn) {
	l.mu.Lock()
	delete(l.idle, c)
	l.mu.Unlock()
}

// connState tracks idle connections and gives a slot back when a
// connection leaves the server.
func (l *connLimiter) connState(c net.Conn, st http.ConnState) {
	l.mu.Lock()
	if st == http.StateIdle {
		l.idle[c] = time.Now()
	} else {
		delete(l.idle, c)
	}
	l.mu.Unlock()
	switch st {
	case http.StateIdle:
		select {
		case l.becameIdle <- struct{}{}:
		default:
		}
	case http.StateClosed, http.StateHijacked:
		<-l.slots
	}
}
