package origin

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"

	"segue/origin/blobs"
)

// The /chunks fast path (issue 14). A plain GET of a segment is what the
// origin serves most, and net/http alone spends about 1.5x nginx's CPU on
// one (request parsing, header maps, the background read that watches for
// a client leaving, deadlines), so on a busy machine it serves fewer per
// second than nginx whatever the handler does. fasthttp (valyala/fasthttp,
// a well-kept server built to allocate nothing per request) serves the
// same request for about nginx's CPU, sending the file with sendfile(2).
//
// It runs beside net/http on the same port, and only where it cannot
// change an answer: a plaintext origin that needs no tokens, trusts no
// proxies and does not redirect /chunks to its blob store (TLS keeps
// net/http's HTTP/2; tokens, X-Forwarded-For and presigned URLs are
// net/http's to check). A new connection whose first bytes are "GET /chunks/" or
// "HEAD /chunks/" goes to fasthttp (see splitter); every other connection
// goes to net/http as before, as does one whose first request head did
// not come whole in its first fastPeek bytes. On a fasthttp connection, fastChunk answers
// a plain GET or HEAD of a stored segment (no Range, no precondition, no
// body, no query) itself, with the same headers and access log line as
// serveBlob; any other request, and any segment that is not found or
// bigger than stallPiece, is handed back: the request is replayed to
// net/http on the same connection, which then serves the connection to
// its end (handBack). So errors, Range, 304, auth and every other route
// answer exactly as before. A request head must come within
// HeaderTimeout and the whole request within ReadTimeout after it, as
// net/http has them. What differs on a fasthttp connection: a head over
// fastHeaderMax or malformed in a way fasthttp refuses is answered with
// fasthttp's plain-text 400 or 431 instead of net/http's. A head whose
// lines end with a bare LF, which fasthttp would wait on until
// HeaderTimeout, is handed to net/http too (on Linux: see
// fastchunks_lf_linux.go).

// fastHeaderMax bounds a request head on a fasthttp connection (its read
// buffer); net/http's default is 1 MiB, which fasthttp would hold per
// connection.
const fastHeaderMax = 16 << 10

// fastStarts are the first bytes of a connection that fasthttp serves.
var fastStarts = [][]byte{[]byte("GET /chunks/"), []byte("HEAD /chunks/")}

// fastPeek is how many bytes decide where a connection goes: its first
// request head must be among them, so a head fasthttp would refuse as too
// big (over fastHeaderMax) never reaches it first.
const fastPeek = 4 << 10

// splitter accepts connections from the origin's listener and hands each
// to net/http (httpLn) or to fasthttp by its first bytes, read without
// consuming them (peekConn), so either server gets the connection
// untouched. Its goroutines (serve) take turns to accept; the one that
// accepted a connection waits for its first bytes (headTimeout at most),
// serves a fast connection to its end with fasthttp's ServeConn, and then
// waits a while for its next turn. Through fasthttp's
// own accept loop (on fastLn) and worker pool, each connection went
// through two more goroutines, each handoff waking another thread for the
// idle processor: a new connection and its first request cost the origin
// 7.4-8.1 context switches and 163-175 µs of CPU, against 5.7-5.8 and
// 143-171 µs now (perf stat, 1000 connections of one request each, two
// alternating runs; issue 14). fasthttp still serves fastLn, which never
// yields a connection, because its Shutdown only acts on a server that
// serves a listener.
type splitter struct {
	ln             net.Listener
	headTimeout    time.Duration // ServerOptions.HeaderTimeout
	httpLn, fastLn *chanListener
	// plainLn, on an https origin (splitScheme), gets the connections
	// that begin in plain http instead of a TLS handshake; nil otherwise.
	plainLn *chanListener
	wg      sync.WaitGroup // the goroutines of serve
	started atomic.Int32   // how many goroutines of serve were started

	mu      sync.Mutex            // guards fast, peeking and closed
	fast    map[net.Conn]struct{} // connections fasthttp serves, closed by closeFast
	peeking map[net.Conn]struct{} // connections whose first bytes are awaited
	closed  bool                  // no more connections are routed

	serveFast func(net.Conn) error // fasthttp's ServeConn, set by start
	lnFD      int                  // ln's socket, watched while a lone connection is awaited (leadHand.await); -1 when unknown
	lead      chan struct{}        // gives accepting to a goroutine done with its connection (serve)
	done      chan struct{}        // closed with closed: idle goroutines end
}

// keepServing is how long a goroutine that served a connection waits for
// another (serve), as fasthttp's worker pool keeps its workers.
const keepServing = 10 * time.Second

// newSplitter returns a splitter of ln's connections; start starts it.
func newSplitter(ln net.Listener, headTimeout time.Duration) *splitter {
	sp := &splitter{ln: ln, headTimeout: headTimeout, fast: map[net.Conn]struct{}{}, peeking: map[net.Conn]struct{}{},
		lnFD: listenerFD(ln), lead: make(chan struct{}), done: make(chan struct{})}
	sp.httpLn = newChanListener(ln.Addr(), sp.close)
	sp.fastLn = newChanListener(ln.Addr(), sp.close)
	return sp
}

// start accepts connections, serving the fast ones with serveFast.
func (sp *splitter) start(serveFast func(net.Conn) error) {
	sp.serveFast = serveFast
	sp.wg.Add(1)
	sp.started.Add(1)
	go sp.serve()
}

// serve is one of the splitter's goroutines, which take turns to accept
// (leader/follower): the one that accepted a connection routes it itself
// and hands accepting to a waiting goroutine (a new one when none waits)
// once the connection is about to park, goes to net/http, or sends its
// second request while another connection is open or waits (leader,
// called through route, peekConn and fastConn), then waits for its turn
// to accept again (up to keepServing), until the splitter closes; when it
// never handed accepting on (a lone connection that never parked), it
// accepts again at once. So a new
// connection is peeked at on the thread that accepted it, and its first
// request, when it came whole, is answered before any other thread is
// woken: handing the connection to another goroutine put a goroutine
// switch and the accept loop's next accept(2) before it, and handing
// accepting on first woke a thread for the idle processor.
// A goroutine kept this way has the stack a fast connection needs; a new
// one grows its stack to fasthttp's depth during its first request,
// copying it each time it doubles: with a new goroutine per connection,
// growing stacks and starting goroutines were 6.4% of the origin's CPU
// samples under connections of one request each, 1.0% kept (and the
// handoff 2.5%) (perf record, 2000 connections; issue 14).
func (sp *splitter) serve() {
	defer sp.wg.Done()
	buf := make([]byte, fastPeek) // the first bytes of each connection
	h := &leadHand{sp: sp}
	t := time.NewTimer(keepServing)
	t.Stop()
	for {
		c, ok := sp.accept()
		if !ok {
			return
		}
		h.handed = false
		sp.route(c, buf, h)
		if !h.handed { // accepting is still this goroutine's
			continue
		}
		t.Reset(keepServing)
		select {
		case <-sp.lead:
			t.Stop()
		case <-t.C:
			return
		case <-sp.done:
			return
		}
	}
}

// leader is what the goroutine that accepted a connection does with
// accepting while it serves that connection (splitter.serve).
type leader interface {
	// handOn gives accepting to another goroutine, the first time it is
	// called for the connection.
	handOn()
	// await waits for fd, the connection's socket, to be readable on this
	// thread, as long as accepting need not go on meanwhile, and reports
	// whether it is; false asks the caller to hand on and park.
	await(fd uintptr) bool
	// keeps reports whether accepting may stay with this goroutine through
	// another request of the connection.
	keeps() bool
}

// leadHand is the leader of serve's goroutine, for one connection at a
// time.
type leadHand struct {
	sp     *splitter
	handed bool
}

// handOn hands accepting to a waiting goroutine (a new one when none
// waits), the first time it is called for a connection.
func (h *leadHand) handOn() {
	if h.handed {
		return
	}
	h.handed = true
	select {
	case h.sp.lead <- struct{}{}:
	default:
		h.sp.wg.Add(1)
		h.sp.started.Add(1)
		go h.sp.serve()
	}
}

// aloneWait bounds leadHand.await. A variable for the tests, whose client
// is a goroutine of the test's own process: on a loaded machine it may
// wait longer than this for a processor.
var aloneWait = time.Millisecond

// await waits up to aloneWait for fd on this thread (awaitAlone: the
// scheduler is not told, and the thread keeps its processor), while the
// connection is the only one open, accepting was not handed on, and no
// new connection comes meanwhile; otherwise it returns false at once.
// Parking instead hands accepting on, waking a second thread for the idle
// processor, and arms the connection's deadline: on a machine the client
// shares, both cost the client the time to take its answer. A lone
// client's request comes tens of µs after its connection, and its next
// tens of µs after it took an answer.
func (h *leadHand) await(fd uintptr) bool {
	return !h.handed && h.sp.alone() && awaitAlone(fd, h.sp.lnFD, aloneWait)
}

// keeps reports whether accepting can stay with this goroutine through
// its connection's next request: it was not handed on, the connection is
// the only one open, and no new connection waits (so a client that keeps
// its requests coming, and never lets the connection wait, holds up no
// other).
func (h *leadHand) keeps() bool {
	lfd := h.sp.lnFD
	return !h.handed && lfd >= 0 && h.sp.alone() && !awaitAlone(uintptr(lfd), -1, 0) // the listener not readable
}

// accept returns the listener's next connection; once it fails for good
// it fails both servers' listeners and returns false.
func (sp *splitter) accept() (net.Conn, bool) {
	var wait time.Duration // after a temporary failure (out of descriptors), as net/http waits
	for {
		c, err := sp.ln.Accept()
		if ne, ok := err.(net.Error); ok && ne.Temporary() { // the test net/http's Serve makes
			wait = min(max(2*wait, 5*time.Millisecond), time.Second)
			time.Sleep(wait)
			continue
		}
		if err != nil {
			sp.httpLn.fail(err)
			sp.fastLn.fail(err)
			if sp.plainLn != nil {
				sp.plainLn.fail(err)
			}
			return nil, false
		}
		return c, true
	}
}

// route waits for c's first bytes, peeked into buf, and gives it to the
// server they call for; it serves a fast connection itself, to its end.
func (sp *splitter) route(c net.Conn, buf []byte, lead leader) {
	sp.mu.Lock()
	if sp.closed {
		sp.mu.Unlock()
		c.Close()
		return
	}
	sp.peeking[c] = struct{}{}
	sp.mu.Unlock()
	start := peekConn(c, buf, sp.headTimeout, lead)
	sp.mu.Lock()
	delete(sp.peeking, c)
	if sp.plainLn != nil { // an https origin: split by scheme (splitScheme)
		sp.mu.Unlock()
		if len(start) > 0 && start[0] != tlsHandshake {
			lead.handOn()
			sp.plainLn.push(c)
			return
		}
		sp.httpLn.push(c) // TLS, or nothing came: net/http's handshake times it out
		return
	}
	fast := false
	for _, s := range fastStarts {
		fast = fast || bytes.HasPrefix(start, s)
	}
	fast = fast && bytes.Contains(start, []byte("\r\n\r\n"))
	if fast && sp.closed { // closeFast may have run: serve no more
		sp.mu.Unlock()
		c.Close()
		return
	}
	if fast {
		c = newFastConn(c, sp.httpLn.push, lead)
		sp.fast[c] = struct{}{}
	}
	sp.mu.Unlock()
	if fast {
		if _, hooked := c.(*fastConn); !hooked {
			lead.handOn() // off Linux no fastConn calls it while c is served
		}
		sp.serveFast(c)
		return
	}
	lead.handOn()
	sp.httpLn.push(forNetHTTP(c)) // net/http answers or times out whatever came, as before
}

// alone reports whether the connection being routed is the only one open
// (connLimiter counts them).
func (sp *splitter) alone() bool {
	l, ok := sp.ln.(*connLimiter)
	return ok && len(l.slots) <= 1
}

// left forgets a connection fasthttp no longer serves.
func (sp *splitter) left(c net.Conn) {
	sp.mu.Lock()
	delete(sp.fast, c)
	sp.mu.Unlock()
}

// closeFast closes every connection fasthttp serves (Server.Close).
func (sp *splitter) closeFast() {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	for c := range sp.fast {
		c.Close()
	}
}

// wait waits for the goroutines of serve to end (once
// ln is closed and the connections they serve are).
func (sp *splitter) wait() { sp.wg.Wait() }

// close stops accepting and closes the connections still being peeked at
// (none has sent a request yet); both servers' listeners report closed.
// Both servers close their listener when they shut down: only the first
// close does anything.
func (sp *splitter) close() error {
	sp.mu.Lock()
	already := sp.closed
	sp.closed = true
	for c := range sp.peeking {
		c.Close()
	}
	sp.mu.Unlock()
	if already {
		return nil
	}
	close(sp.done)
	return sp.ln.Close()
}

// chanListener is a net.Listener whose connections come from a splitter.
type chanListener struct {
	addr   net.Addr
	conns  chan net.Conn
	done   chan struct{}
	once   sync.Once // guards closing done
	err    error     // why Accept fails, set before done closes
	closer func() error
}

func newChanListener(addr net.Addr, closer func() error) *chanListener {
	return &chanListener{addr: addr, conns: make(chan net.Conn), done: make(chan struct{}), closer: closer}
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, l.err
	}
}

// push hands c to the server accepting from l, or closes it when l is closed.
func (l *chanListener) push(c net.Conn) {
	select {
	case l.conns <- c:
	case <-l.done:
		c.Close()
	}
}

func (l *chanListener) fail(err error) {
	l.once.Do(func() {
		l.err = err
		close(l.done)
	})
}

func (l *chanListener) Close() error {
	l.fail(net.ErrClosed)
	return l.closer()
}

func (l *chanListener) Addr() net.Addr { return l.addr }

// newFastServer is the fasthttp server of the splitter's fast connections,
// with net/http's timeouts and bounds where fasthttp has them; limit
// learns its connections' states as from net/http.
func (s *Server) newFastServer(sp *splitter, limit *connLimiter) *fasthttp.Server {
	return &fasthttp.Server{
		Handler:               func(ctx *fasthttp.RequestCtx) { s.fastChunk(sp, ctx) },
		NoDefaultServerHeader: true,
		NoDefaultContentType:  true,
		KeepHijackedConns:     true, // net/http serves them on
		ReadBufferSize:        fastHeaderMax,
		MaxRequestBodySize:    maxEventsBody,
		ReadTimeout:           s.opts.HeaderTimeout, // from a request's first byte: its head; headRead gives a body more
		HeaderReceived:        s.headRead,
		WriteTimeout:          s.opts.PauseTimeout, // a response here is media of at most stallPiece
		IdleTimeout:           idleTimeout,
		CloseOnShutdown:       true,
		Logger:                slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		ConnState: func(c net.Conn, st fasthttp.ConnState) {
			switch st {
			case fasthttp.StateIdle:
				limit.connState(c, http.StateIdle)
			case fasthttp.StateClosed:
				sp.left(c)
				if fc, ok := c.(*fastConn); ok && fc.handed { // given to net/http, which reports it from now on
					limit.forget(c)
					return
				}
				limit.connState(c, http.StateClosed)
			case fasthttp.StateHijacked: // handed back: net/http reports it from now on
				sp.left(c)
				limit.forget(c)
			default:
				limit.connState(c, http.StateActive)
			}
		},
	}
}

// headRead gives a request whose head came a body, if it has one,
// ReadTimeout to arrive, as net/http's ReadTimeout does after
// ReadHeaderTimeout. A request without one keeps its deadline: nothing
// more is read for it.
func (s *Server) headRead(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	// fasthttp's ContentLength: -2 without Content-Length and
	// Transfer-Encoding, -1 chunked.
	if n := h.ContentLength(); n == 0 || n == -2 {
		return fasthttp.RequestConfig{}
	}
	return fasthttp.RequestConfig{ReadTimeout: s.opts.ReadTimeout}
}

// fastChunk answers a plain GET or HEAD of a stored segment as serveBlob
// does, and hands every other request back to net/http.
func (s *Server) fastChunk(sp *splitter, ctx *fasthttp.RequestCtx) {
	if fc, ok := ctx.Conn().(*fastConn); ok {
		// Accepting goes on before a second request unless the
		// connection is alone and no new one waits (a client that keeps
		// its requests coming never makes the connection wait;
		// leader.keeps), and before a blob store over the network is
		// asked.
		if _, local := s.blobs.(blobs.FS); !local || ctx.ConnRequestNum() > 1 && !fc.keepsLead() {
			fc.wait()
		}
	}
	hash, ok := plainChunk(&ctx.Request)
	if !ok {
		s.handBack(sp, ctx)
		return
	}
	data, body, size, typ, err := s.fastBody(ctx, hash)
	if err != nil {
		s.handBack(sp, ctx) // net/http says what was wrong
		return
	}
	if size > stallPiece { // never data: maxCachedBlob is not larger
		body.Close()
		s.handBack(sp, ctx) // net/http sends it piece by piece, each with its deadline
		return
	}
	h := &ctx.Response.Header
	h.SetContentTypeBytes(fastMIMEs[typ])
	for _, kv := range fastChunkHeaders {
		h.SetCanonical(kv[0], kv[1])
	}
	var etag [2 + 64]byte // "hash"
	etag[0], etag[len(etag)-1] = '"', '"'
	copy(etag[1:], hash)
	h.SetCanonical(fastEtag, etag[:])
	written := size
	switch {
	case ctx.IsHead():
		written = 0
		h.SetContentLength(int(size))
		if body != nil {
			body.Close()
		}
	case data != nil:
		ctx.Response.SetBodyRaw(data)
	default:
		// fasthttp sends a file with sendfile(2), then closes it. Headers
		// flushed first: fasthttp flushes them itself only for a bare
		// *os.File, and otherwise reads the file's start into its buffer
		// (a read(2) and a copy) to send with them. On a fastConn the
		// head goes with MSG_MORE and the kept file sends itself behind
		// it.
		ctx.Response.ImmediateHeaderFlush = true
		ctx.Response.SetBodyStream(body, int(size))
		if k, ok := body.(*keptFile); ok {
			if fc, ok := ctx.Conn().(*fastConn); ok && k.fd >= 0 {
				k.to, fc.more = fc, true
				k.srv, k.req = s, ctx // it logs the request when fasthttp closes it
				return
			}
		}
	}
	s.fastLog(ctx, hash, written)
}

// The headers of a chunk served on the fast path, as serveBlob sets them,
// their names as net/http writes them (the Content-Type: fastMIMEs).
var (
	fastEtag         = []byte("Etag")
	fastChunkHeaders = [][2][]byte{
		{[]byte("Cache-Control"), []byte(chunkCacheControl)},
		{[]byte("X-Content-Type-Options"), []byte("nosniff")},
		{[]byte("Accept-Ranges"), []byte("bytes")},
	}
)

// fastLog logs the line accessLog logs for a request net/http serves,
// with the request's time as fasthttp took it.
func (s *Server) fastLog(ctx *fasthttp.RequestCtx, hash string, written int64) {
	method := http.MethodGet
	if ctx.IsHead() {
		method = http.MethodHead
	}
	remote := ""
	if fc, ok := ctx.Conn().(*fastConn); ok {
		remote = fc.remote
	} else {
		remote = ctx.RemoteAddr().String()
	}
	logRequest(ctx, s.log, request{
		method: method,
		path:   "/chunks/" + hash,
		status: http.StatusOK,
		bytes:  written,
		start:  ctx.Time(),
		end:    time.Now(),
		remote: remote,
	})
}

// fastBody returns blob hash's bytes (data) or an open body to send, its
// size and its type. A blob stored in a file is sent from it, through
// openFiles, which keeps its type with its open files (so a kept file's
// type costs nothing, and a file opened for a blob it keeps no file of
// one pread(2)); a blob of another store (S3) goes through the memory
// cache as in serveBlob. The type of bytes in memory is read off them.
func (s *Server) fastBody(ctx context.Context, hash string) (data []byte, body io.ReadCloser, size int64, typ blobType, err error) {
	f, typ, known := s.files.take(hash)
	if f != nil {
		return nil, f, f.size, typ, nil
	}
	if data, ok := s.mem.get(hash); ok {
		return data, nil, int64(len(data)), sniffBlob(data), nil
	}
	if fs, ok := s.blobs.(blobs.FS); ok {
		f, size, err := openBlobFile(fs, hash)
		if err != nil {
			return nil, nil, 0, 0, err
		}
		k, err := s.files.lend(hash, f, size, typ, known)
		if err != nil {
			return nil, nil, 0, 0, err
		}
		return nil, k, size, k.typ, nil
	}
	b, err := s.blobs.Open(ctx, hash)
	if err != nil {
		return nil, nil, 0, 0, err
	}
	if f, ok := b.ReadSeekCloser.(*os.File); ok {
		k, err := s.files.lend(hash, f, b.Size, typ, known)
		if err != nil {
			return nil, nil, 0, 0, err
		}
		return nil, k, b.Size, k.typ, nil
	}
	data, b, err = s.cacheBlob(hash, b)
	if err != nil || data != nil {
		return data, nil, int64(len(data)), sniffBlob(data), err
	}
	sniffed, typ, err := s.openedType(hash, b)
	if err != nil {
		b.Close()
		return nil, nil, 0, 0, err
	}
	return nil, sniffed, b.Size, typ, nil
}

// openBlobFile opens the file of blob hash in fs and returns its size:
// openat(2) and fstat(2), as nginx makes. os.Open makes four more on Linux
// (it tries to add the file to the netpoller, which refuses a regular file
// with EPERM, setting O_NONBLOCK and clearing it again around that), about
// a third of a missed request's system calls on the fast path (issue 14).
func openBlobFile(fs blobs.FS, hash string) (*os.File, int64, error) {
	path, err := fs.Path(hash)
	if err != nil {
		return nil, 0, err
	}
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, 0, err
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		syscall.Close(fd)
		return nil, 0, err
	}
	return os.NewFile(uintptr(fd), path), st.Size, nil
}

// plainChunk returns the hash of a GET or HEAD of /chunks/{hash} over
// HTTP/1.1 that has a Host (net/http refuses one without), a valid hash
// and no query, body, Range, precondition or Expect: the request answered 200 with the whole blob or not found.
func plainChunk(r *fasthttp.Request) (string, bool) {
	h := &r.Header
	// fasthttp's ContentLength: -2 without Content-Length and
	// Transfer-Encoding, -1 chunked.
	if n := h.ContentLength(); !(h.IsGet() || h.IsHead()) || !h.IsHTTP11() || (n != 0 && n != -2) || len(h.Host()) == 0 {
		return "", false
	}
	path, ok := bytes.CutPrefix(h.RequestURI(), []byte("/chunks/"))
	if !ok {
		return "", false
	}
	hash := string(path)
	if !blobs.ValidHash(hash) { // no query either: '?' is not hex
		return "", false
	}
	// One pass over the headers (a Peek of each refused name normalized
	// it and went over them all: 7 passes a request).
	for k := range h.All() {
		for _, r := range fastRefused {
			if len(k) == len(r) && bytes.EqualFold(k, r) {
				return "", false
			}
		}
	}
	return hash, true
}

// fastRefused are the request headers that plainChunk leaves to net/http.
var fastRefused = [][]byte{[]byte("Range"), []byte("If-None-Match"), []byte("If-Match"), []byte("If-Modified-Since"), []byte("If-Unmodified-Since"), []byte("Expect"), []byte("Transfer-Encoding")}

// handBack replays ctx's request to net/http on the same connection, which
// serves it and every later request there; fasthttp lets go of the
// connection (hijack) without answering.
func (s *Server) handBack(sp *splitter, ctx *fasthttp.RequestCtx) {
	replay := replayRequest(&ctx.Request)
	fc, _ := ctx.Conn().(*fastConn)
	if fc != nil {
		fc.toNetHTTP()
	}
	tcp := tcpConn(ctx.Conn())
	ctx.HijackSetNoResponse(true)
	ctx.Hijack(func(c net.Conn) {
		if fc != nil {
			fc.settle() // net/http sets deadlines from other goroutines
		}
		sp.httpLn.push(&replayConn{Conn: c, r: io.MultiReader(bytes.NewReader(replay), c), tcp: tcp})
	})
}

// replayRequest writes r again as it came: its request line, the header
// lines as sent (fasthttp may have changed the case of their names) and
// the blank line after them, and the body fasthttp read. A chunked body goes as one chunk.
func replayRequest(r *fasthttp.Request) []byte {
	h := &r.Header
	var b bytes.Buffer
	b.Write(h.Method())
	b.WriteByte(' ')
	b.Write(h.RequestURI())
	b.WriteByte(' ')
	b.Write(h.Protocol())
	b.WriteString("\r\n")
	if raw := h.RawHeaders(); len(raw) > 0 {
		b.Write(raw) // ends with the blank line that ends the head
	} else {
		// no header lines (HTTP/1.0 needs none): fasthttp keeps none,
		// not even the blank line, without which net/http waits for it
		b.WriteString("\r\n")
	}
	body := r.Body()
	if h.ContentLength() == -1 { // chunked
		if len(body) > 0 {
			b.WriteString(strconv.FormatInt(int64(len(body)), 16) + "\r\n")
			b.Write(body)
			b.WriteString("\r\n")
		}
		b.WriteString("0\r\n\r\n")
		return b.Bytes()
	}
	b.Write(body)
	return b.Bytes()
}

// replayConn is a connection fasthttp handed back: reads see the replayed
// request first, then what fasthttp had buffered, then the socket. Its
// ReadFrom keeps sendfile(2) for net/http, and tcpConn finds the socket
// for TCP_CORK and the reset of a stalled response.
type replayConn struct {
	net.Conn
	r   io.Reader
	tcp *net.TCPConn // nil when fasthttp served something else
}

func (c *replayConn) Read(p []byte) (int, error) { return c.r.Read(p) }

func (c *replayConn) ReadFrom(r io.Reader) (int64, error) {
	if c.tcp == nil {
		return io.Copy(struct{ io.Writer }{c.Conn}, r)
	}
	return c.tcp.ReadFrom(r)
}

// tcpConn returns the TCP socket under c, a connection net/http serves, or
// nil.
func tcpConn(c net.Conn) *net.TCPConn {
	switch c := c.(type) {
	case *net.TCPConn:
		return c
	case *replayConn:
		return c.tcp
	case *fastConn:
		return c.tcpConn()
	}
	return nil
}
