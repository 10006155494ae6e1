package origin

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
)

// rawConn is one client connection to an origin, written and read by hand,
// so a test knows which requests share it.
type rawConn struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func dialRaw(t *testing.T, base string) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawConn{t: t, c: c, br: bufio.NewReader(c)}
}

// send writes raw request bytes.
func (r *rawConn) send(raw string) {
	r.t.Helper()
	if _, err := io.WriteString(r.c, raw); err != nil {
		r.t.Fatal(err)
	}
}

// read reads the next response, to a request of method.
func (r *rawConn) read(method string) (*http.Response, []byte) {
	r.t.Helper()
	resp, err := http.ReadResponse(r.br, &http.Request{Method: method})
	if err != nil {
		r.t.Fatalf("read response: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		r.t.Fatalf("read body: %v", err)
	}
	return resp, body
}

// do sends a bodiless request and reads its answer.
func (r *rawConn) do(method, target string, hdr ...string) (*http.Response, []byte) {
	r.t.Helper()
	r.send(method + " " + target + " HTTP/1.1\r\nHost: origin\r\n" + strings.Join(hdr, "") + "\r\n")
	return r.read(method)
}

// fastConns is how many connections fasthttp serves now (-1: the origin
// has no fast path).
func fastConns(s *Server) int {
	s.mu.Lock()
	sp := s.split
	s.mu.Unlock()
	if sp == nil {
		return -1
	}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return len(sp.fast)
}

// waitFastConns waits up to 2 s for the fast path to hold want
// connections and returns how many it holds: a connection closed or handed
// back leaves the count from another goroutine, after the client saw it go.
func waitFastConns(s *Server, want int) int {
	for end := time.Now().Add(2 * time.Second); fastConns(s) != want && time.Now().Before(end); {
		time.Sleep(5 * time.Millisecond)
	}
	return fastConns(s)
}

// A connection that starts with GET /chunks/ is served by fasthttp: the
// answer has the same status, headers and bytes as net/http's; every other
// request on it (Range, a precondition, an unknown chunk, a body, another
// route, pipelined) is handed back to net/http and answered as before, and
// the connection stays usable (issue 14).
func TestChunksFastPath(t *testing.T) {
	for _, mem := range []int64{-1, 0} { // files (sendfile), then the memory cache
		w := newWorld(t)
		data := seg("f1", 2000)
		hash := w.formationM.Renditions[0].Segments[0].Hash
		r := startServer(t, ServerOptions{DataDir: w.dir, MemoryCache: mem}, "127.0.0.1:0")
		chunk := "/chunks/" + hash

		// The reference: net/http's answer on a connection that starts elsewhere.
		slow := dialRaw(t, r.base)
		slow.do("GET", "/api/v1/artists")
		want, wantBody := slow.do("GET", chunk)
		if want.StatusCode != 200 || !bytes.Equal(wantBody, data) {
			t.Fatalf("net/http GET chunk: %d, %d bytes", want.StatusCode, len(wantBody))
		}

		c := dialRaw(t, r.base)
		for _, method := range []string{"GET", "HEAD", "GET"} {
			resp, body := c.do(method, chunk)
			wantLen := len(data)
			if method == "HEAD" {
				wantLen = 0
			}
			if resp.StatusCode != 200 || len(body) != wantLen || (method == "GET" && !bytes.Equal(body, data)) {
				t.Fatalf("fast %s chunk: %d, %d bytes; want 200 and %d", method, resp.StatusCode, len(body), wantLen)
			}
			h := resp.Header.Clone()
			h.Del("Date")
			wh := want.Header.Clone()
			wh.Del("Date")
			if !maps.EqualFunc(h, wh, slices.Equal) {
				t.Errorf("fast %s headers %v; want net/http's %v", method, h, wh)
			}
		}
		if n := fastConns(r.srv); n != 1 {
			t.Fatalf("%d connections on the fast path; want 1 (this test's)", n)
		}

		// A lower-case range header is still a Range.
		resp, body := c.do("GET", chunk, "range: bytes=100-199\r\n")
		if resp.StatusCode != 206 || !bytes.Equal(body, data[100:200]) {
			t.Fatalf("handed-back Range: %d, %d bytes; want 206 and bytes 100-199", resp.StatusCode, len(body))
		}
		if n := waitFastConns(r.srv, 0); n != 0 {
			t.Fatalf("%d connections on the fast path after a Range; want 0 (handed back)", n)
		}
		// net/http serves the rest of the connection.
		resp, body = c.do("GET", chunk)
		if resp.StatusCode != 200 || !bytes.Equal(body, data) {
			t.Fatalf("GET after hand-back: %d, %d bytes", resp.StatusCode, len(body))
		}
		resp, _ = c.do("GET", chunk, `If-None-Match: "`+hash+`"`+"\r\n")
		if resp.StatusCode != 304 {
			t.Fatalf("If-None-Match after hand-back: %d; want 304", resp.StatusCode)
		}
	}
}

// Every request a fast connection cannot answer itself reaches net/http
// whole: its method, target, headers and body, chunked or not, and the
// requests pipelined behind it.
func TestChunksFastPathHandsBack(t *testing.T) {
	w := newWorld(t)
	data := seg("f1", 2000)
	hash := w.formationM.Renditions[0].Segments[0].Hash
	r := startServer(t, ServerOptions{DataDir: w.dir}, "127.0.0.1:0")
	chunk := "/chunks/" + hash
	jsonErr := func(resp *http.Response, body []byte, status int) {
		t.Helper()
		var e catalog.ErrorResponse
		if resp.StatusCode != status || json.Unmarshal(body, &e) != nil || e.Error == "" {
			t.Fatalf("status %d %q; want %d with a JSON error", resp.StatusCode, body, status)
		}
	}
	announce := `{"peer_id":"p1","addr":"127.0.0.1:9","hashes":["` + hash + `"]}`
	// The same announce on a connection net/http serves from the start.
	ref := dialRaw(t, r.base)
	ref.send("POST /api/v1/peers/announce HTTP/1.1\r\nHost: origin\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(len(announce)) + "\r\n\r\n" + announce)
	wantAnnounce, wantAnnounceBody := ref.read("POST")

	cases := []struct {
		name  string
		check func(c *rawConn)
	}{
		{"unknown chunk", func(c *rawConn) {
			resp, body := c.do("GET", "/chunks/"+strings.Repeat("ab", 32))
			jsonErr(resp, body, 404)
		}},
		{"malformed chunk", func(c *rawConn) {
			resp, body := c.do("GET", "/chunks/"+strings.ToUpper(hash))
			jsonErr(resp, body, 400)
		}},
		{"query", func(c *rawConn) {
			resp, body := c.do("GET", chunk+"?a=%zz")
			jsonErr(resp, body, 400)
		}},
		{"other route", func(c *rawConn) {
			resp, body := c.do("GET", "/nowhere")
			jsonErr(resp, body, 404)
		}},
		{"POST with a length", func(c *rawConn) {
			c.send("POST /api/v1/peers/announce HTTP/1.1\r\nHost: origin\r\nContent-Type: application/json\r\nContent-Length: " +
				strconv.Itoa(len(announce)) + "\r\n\r\n" + announce)
			resp, body := c.read("POST")
			if resp.StatusCode != wantAnnounce.StatusCode || !bytes.Equal(body, wantAnnounceBody) {
				t.Fatalf("announce: %d %q; want net/http's %d %q", resp.StatusCode, body, wantAnnounce.StatusCode, wantAnnounceBody)
			}
		}},
		{"POST chunked", func(c *rawConn) {
			half := len(announce) / 2
			c.send("POST /api/v1/peers/announce HTTP/1.1\r\nHost: origin\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
				strconv.FormatInt(int64(half), 16) + "\r\n" + announce[:half] + "\r\n" + strconv.FormatInt(int64(len(announce)-half), 16) + "\r\n" + announce[half:] + "\r\n0\r\n\r\n")
			resp, body := c.read("POST")
			if resp.StatusCode != wantAnnounce.StatusCode || !bytes.Equal(body, wantAnnounceBody) {
				t.Fatalf("chunked announce: %d %q; want net/http's %d %q", resp.StatusCode, body, wantAnnounce.StatusCode, wantAnnounceBody)
			}
		}},
		{"GET with a body", func(c *rawConn) {
			c.send("GET " + chunk + " HTTP/1.1\r\nHost: origin\r\nContent-Length: 5\r\n\r\nhello")
			resp, body := c.read("GET")
			if resp.StatusCode != 200 || !bytes.Equal(body, data) {
				t.Fatalf("GET with a body: %d, %d bytes; want 200 and the chunk", resp.StatusCode, len(body))
			}
		}},
		{"pipelined", func(c *rawConn) {
			c.send("GET " + chunk + " HTTP/1.1\r\nHost: origin\r\n\r\nGET /nowhere HTTP/1.1\r\nHost: origin\r\n\r\nHEAD " + chunk + " HTTP/1.1\r\nHost: origin\r\n\r\n")
			if resp, body := c.read("GET"); resp.StatusCode != 200 || !bytes.Equal(body, data) {
				t.Fatalf("pipelined GET: %d, %d bytes", resp.StatusCode, len(body))
			}
			resp, body := c.read("GET")
			jsonErr(resp, body, 404)
			if resp, _ := c.read("HEAD"); resp.StatusCode != 200 || resp.ContentLength != int64(len(data)) {
				t.Fatalf("pipelined HEAD: %d, length %d", resp.StatusCode, resp.ContentLength)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, r.base)
			if resp, body := c.do("GET", chunk); resp.StatusCode != 200 || !bytes.Equal(body, data) {
				t.Fatalf("first GET: %d, %d bytes", resp.StatusCode, len(body))
			}
			tc.check(c)
			// The connection still works, now through net/http.
			if resp, body := c.do("GET", chunk); resp.StatusCode != 200 || !bytes.Equal(body, data) {
				t.Fatalf("GET after %s: %d, %d bytes", tc.name, resp.StatusCode, len(body))
			}
		})
	}
}

// A request net/http refuses before any handler (HTTP/1.1 without Host)
// is refused the same on a connection that starts like a fast one.
func TestChunksFastPathNoHost(t *testing.T) {
	w := newWorld(t)
	r := startServer(t, ServerOptions{DataDir: w.dir}, "127.0.0.1:0")
	c := dialRaw(t, r.base)
	c.send("GET /chunks/" + w.formationM.Renditions[0].Segments[0].Hash + " HTTP/1.1\r\n\r\n")
	if resp, body := c.read("GET"); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("GET chunk without Host: %d %q; want 400", resp.StatusCode, body)
	}
}

// A request with no header lines at all (HTTP/1.0 needs no Host: a
// health check or printf | nc), first on a connection or after a chunk
// fasthttp served, is answered as net/http answers it. Handed back, it was
// replayed without the blank line that ends its head, so net/http waited
// for the rest until HeaderTimeout and closed the connection unanswered.
func TestChunksFastPathHandsBackABareRequest(t *testing.T) {
	w := newWorld(t)
	data := seg("f1", 2000)
	chunk := "/chunks/" + w.formationM.Renditions[0].Segments[0].Hash
	r := startServer(t, ServerOptions{DataDir: w.dir, HeaderTimeout: 2 * time.Second}, "127.0.0.1:0")
	for _, tc := range []struct{ name, first, bare string }{
		{"first, CRLF", "", "GET " + chunk + " HTTP/1.0\r\n\r\n"},
		{"first, HEAD", "", "HEAD " + chunk + " HTTP/1.0\r\n\r\n"},
		{"after a chunk", "GET " + chunk + " HTTP/1.1\r\nHost: origin\r\n\r\n", "GET " + chunk + " HTTP/1.0\r\n\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, r.base)
			if tc.first != "" {
				c.send(tc.first)
				if resp, body := c.read("GET"); resp.StatusCode != 200 || !bytes.Equal(body, data) {
					t.Fatalf("first GET: %d, %d bytes", resp.StatusCode, len(body))
				}
			}
			method, _, _ := strings.Cut(tc.bare, " ")
			c.c.SetReadDeadline(time.Now().Add(time.Second)) // well before HeaderTimeout
			c.send(tc.bare)
			resp, body := c.read(method)
			if resp.StatusCode != 200 || (method == "GET" && !bytes.Equal(body, data)) || resp.ContentLength != int64(len(data)) {
				t.Fatalf("%q: %d, %d bytes, length %d; want 200 and the chunk", tc.bare, resp.StatusCode, len(body), resp.ContentLength)
			}
		})
	}
}

// With tokens required (as over TLS, behind trusted proxies or with a
// redirecting blob store), net/http serves every connection: the fast path
// would have to check those itself.
func TestChunksFastPathOnlyOpenPlaintext(t *testing.T) {
	w := newWorld(t)
	r := startServer(t, ServerOptions{DataDir: w.dir, RequireToken: true}, "127.0.0.1:0")
	if n := fastConns(r.srv); n != -1 {
		t.Fatalf("a token-requiring origin has a fast path (%d connections)", n)
	}
	c := dialRaw(t, r.base)
	resp, body := c.do("GET", "/chunks/"+w.formationM.Renditions[0].Segments[0].Hash)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("GET chunk without a token: %d %q; want 401", resp.StatusCode, body)
	}
}

// Both servers close the listener they share when they shut down, in
// either order: only the first close may report anything (a second one
// made the origin's graceful shutdown fail with "use of closed network
// connection").
func TestSplitterClosesOnce(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sp := newSplitter(ln, 10*time.Second)
	if err := sp.fastLn.Close(); err != nil {
		t.Fatalf("first close: %v", err)
	}
	if err := sp.httpLn.Close(); err != nil {
		t.Fatalf("second close: %v; want nil", err)
	}
	sp.wait()
	if _, err := sp.httpLn.Accept(); err == nil {
		t.Fatal("Accept after close succeeded")
	}
}

// openFiles keeps the files of its max most recently served blobs and
// closes the rest; openBlobsFor sizes it within the descriptor limit.
func TestOpenFilesBound(t *testing.T) {
	dir := t.TempDir()
	o := newOpenFiles(2)
	files := map[string]*os.File{}
	for _, h := range []string{"a", "b", "c"} {
		p := filepath.Join(dir, h)
		if err := os.WriteFile(p, []byte(h), 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		files[h] = f
		k, err := o.lend(h, f, 1, 0, false)
		if err != nil {
			t.Fatal(err)
		}
		k.Close() // served: kept
	}
	if k, _, _ := o.take("a"); k != nil {
		t.Fatal("blob a still kept; want it closed as the least recently used of 3 with room for 2")
	}
	if _, err := files["a"].Stat(); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("evicted file: Stat error %v; want os.ErrClosed", err)
	}
	for _, h := range []string{"b", "c"} {
		k, _, _ := o.take(h)
		if k == nil {
			t.Fatalf("blob %s not kept; want kept", h)
		}
		k.Close()
	}

	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	n := openBlobsFor(1024)
	if n < minOpenBlobs || n > maxOpenBlobs || (n > minOpenBlobs && n*maxFilesPerBlob > (int(lim.Cur)-1024-fdReserve)/2) {
		t.Fatalf("openBlobsFor(1024) = %d with a limit of %d descriptors; want between %d and %d, its files within half of what 1024 connections and %d leave",
			n, lim.Cur, minOpenBlobs, maxOpenBlobs, fdReserve)
	}
}

// The fast path logs a chunk's request with the line net/http's access
// log writes for it: the same fields and values but for the time, the
// duration and the client's port.
func TestChunksFastPathLogsAsNetHTTP(t *testing.T) {
	w := newWorld(t)
	chunk := "/chunks/" + w.formationM.Renditions[0].Segments[0].Hash
	log := &testkit.Buffer{}
	r := startServer(t, ServerOptions{DataDir: w.dir, Logger: log.Logger()}, "127.0.0.1:0")
	line := func(c *rawConn, method string) map[string]string {
		t.Helper()
		log.Take()
		if resp, _ := c.do(method, chunk); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s chunk: %d", method, resp.StatusCode)
		}
		var got map[string]string
		testkit.Wait(t, time.Minute, "the request's log line", func() bool {
			for _, l := range strings.Split(log.String(), "\n") {
				if strings.Contains(l, "msg=request") && strings.Contains(l, "path="+chunk) {
					got = map[string]string{}
					for _, f := range strings.Fields(l) {
						k, v, _ := strings.Cut(f, "=")
						got[k] = v
					}
					return true
				}
			}
			return false
		})
		if !strings.HasPrefix(got["remote"], "127.0.0.1:") || got["duration"] == "" {
			t.Errorf("%s log line %v: want remote 127.0.0.1:PORT and a duration", method, got)
		}
		delete(got, "time")
		delete(got, "duration")
		delete(got, "remote")
		return got
	}
	slow := dialRaw(t, r.base)
	slow.do("GET", "/api/v1/artists")
	fast := dialRaw(t, r.base)
	for _, method := range []string{"GET", "HEAD"} {
		want := line(slow, method)
		if got := line(fast, method); !maps.Equal(got, want) {
			t.Errorf("fast %s logged %v; want net/http's %v", method, got, want)
		}
	}
	if n := fastConns(r.srv); n != 1 {
		t.Fatalf("%d connections on the fast path; want 1", n)
	}
}

// A request with any header that can change a chunk's answer (a range, a
// precondition, an expectation), its name in any case, is handed back to
// net/http, which answers it as before.
func TestChunksFastPathHandsBackEveryCondition(t *testing.T) {
	w := newWorld(t)
	chunk := "/chunks/" + w.formationM.Renditions[0].Segments[0].Hash
	r := startServer(t, ServerOptions{DataDir: w.dir}, "127.0.0.1:0")
	for _, h := range []string{
		"Range: bytes=0-1", "if-none-match: \"x\"", "If-Match: \"x\"", "IF-MODIFIED-SINCE: Mon, 01 Jan 2001 00:00:00 GMT",
		"If-Unmodified-Since: Mon, 01 Jan 2001 00:00:00 GMT", "Expect: 100-continue",
	} { // (a chunked body is TestChunksFastPathHandsBack's; fasthttp refuses any other transfer coding with a 400)
		c := dialRaw(t, r.base)
		if resp, _ := c.do("GET", chunk); resp.StatusCode != http.StatusOK || fastConns(r.srv) != 1 {
			t.Fatalf("first GET: %d, %d connections on the fast path; want 200 and 1", resp.StatusCode, fastConns(r.srv))
		}
		c.do("GET", chunk, h+"\r\n")
		// fasthttp reports the hand-back (StateHijacked) from the goroutine
		// that hijacked, which may run after net/http answered: CI saw 1
		if n := waitFastConns(r.srv, 0); n != 0 {
			t.Errorf("GET with %q: %d connections on the fast path; want 0 (handed back)", h, n)
		}
		c.c.Close()
	}
}

// A client that stops reading a chunk the fast path sends (up to
// stallPiece, from its file or from the memory cache) is cut off after
// PauseTimeout (media), on a new connection and on one that was served before:
// the fast connection arms its write deadline only when the socket is
// full, and must arm it then.
func TestChunksFastPathCutsOffAStalledReader(t *testing.T) {
	for _, mem := range []int64{-1, 0} {
		log := &testkit.Buffer{}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		o := ServerOptions{DataDir: t.TempDir(), StallTimeout: time.Second, PauseTimeout: time.Second, MemoryCache: mem, Logger: log.Logger()}
		r := serveOn(t, o, smallSendBuffers{ln.(*net.TCPListener)})
		blob := bytes.Repeat([]byte("stall"), stallPiece/5)
		hash, err := r.srv.blobs.Put(context.Background(), blob)
		if err != nil {
			t.Fatal(err)
		}
		small, err := r.srv.blobs.Put(context.Background(), seg("small", 2000))
		if err != nil {
			t.Fatal(err)
		}
		for _, first := range []string{"", small} {
			c := dialRaw(t, r.base)
			c.c.(*net.TCPConn).SetReadBuffer(4 << 10)
			if first != "" {
				if resp, _ := c.do("GET", "/chunks/"+first); resp.StatusCode != http.StatusOK {
					t.Fatalf("GET small chunk: %d", resp.StatusCode)
				}
			}
			logged := strings.Count(log.String(), "/chunks/"+hash)
			c.send("GET /chunks/" + hash + " HTTP/1.1\r\nHost: x\r\n\r\n")
			testkit.Wait(t, time.Minute, "the stalled download to be given up", func() bool {
				return strings.Count(log.String(), "/chunks/"+hash) > logged
			})
			if n := fastConns(r.srv); n < 0 {
				t.Fatalf("the fast path is off")
			}
			c.c.SetReadDeadline(time.Now().Add(60 * time.Second)) // only against a hang
			got, err := io.Copy(io.Discard, c.br)
			var ne net.Error
			if got >= int64(len(blob)) || errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("memory cache %d, first %q: stalled reader got %d bytes (err %v); want the origin to have cut it off", mem, first, got, err)
			}
		}
	}
}

// smallSendBuffers accepts connections whose send buffer is 16 KiB, so
// that a client not reading fills it long before a chunk is sent.
type smallSendBuffers struct{ *net.TCPListener }

func (l smallSendBuffers) Accept() (net.Conn, error) {
	c, err := l.AcceptTCP()
	if err != nil {
		return nil, err
	}
	c.SetWriteBuffer(16 << 10)
	return c, nil
}

// A connection waiting on its client never holds up the next one: the
// splitter's goroutine that accepted it has given accepting to another
// (serve) by the time it waits, whether for the first bytes (the only
// connection open, after aloneWait), for the client to read a segment, or
// for the next request. Each holder below
// stays open while a new connection is answered; HeaderTimeout and
// StallTimeout are longer than the probe's deadline, so a holder that
// kept accepting would fail the probe rather than be cut off first.
func TestWaitingConnectionsDoNotHoldAccepting(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// The connections it accepts take the listener's send buffer.
	raw, _ := ln.(*net.TCPListener).SyscallConn()
	raw.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUF, 16<<10) })
	o := ServerOptions{DataDir: t.TempDir(), HeaderTimeout: time.Minute, StallTimeout: time.Minute}
	r := serveOn(t, o, ln)
	if _, ok := r.srv.split.ln.(*connLimiter).Listener.(*rawListener); !ok {
		t.Fatal("the origin does not accept through a rawListener")
	}
	big, err := r.srv.blobs.Put(context.Background(), bytes.Repeat([]byte("hold"), stallPiece/4))
	if err != nil {
		t.Fatal(err)
	}
	small, err := r.srv.blobs.Put(context.Background(), seg("probe", 2000))
	if err != nil {
		t.Fatal(err)
	}
	if fastConns(r.srv) < 0 {
		t.Fatal("the fast path is off")
	}
	holders := []struct {
		name string
		hold func(c *rawConn)
	}{
		{"sends nothing", func(*rawConn) {}},
		{"reads no answer", func(c *rawConn) {
			c.c.(*net.TCPConn).SetReadBuffer(4 << 10)
			c.send("GET /chunks/" + big + " HTTP/1.1\r\nHost: x\r\n\r\n")
		}},
		{"idle after an answer", func(c *rawConn) {
			if resp, _ := c.do("GET", "/chunks/"+small); resp.StatusCode != http.StatusOK {
				t.Fatalf("GET small chunk: %d", resp.StatusCode)
			}
		}},
	}
	for _, h := range holders {
		h.hold(dialRaw(t, r.base)) // stays open to the test's end
		probe := dialRaw(t, r.base)
		probe.c.SetDeadline(time.Now().Add(20 * time.Second)) // only against a hang
		probe.send("GET /chunks/" + small + " HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(probe.br, &http.Request{Method: "GET"})
		if err != nil {
			t.Fatalf("with a connection that %s open, a new one got no answer: %v", h.name, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("with a connection that %s open, a new one got %d", h.name, resp.StatusCode)
		}
	}
}
