package origin

import (
	"bytes"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// answer is a response as a test compares it: status, headers but Date,
// body.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// readAnswer reads the next response to a request of method, within wait.
func (r *rawConn) readAnswer(method string, wait time.Duration) (answer, error) {
	r.c.SetReadDeadline(time.Now().Add(wait))
	defer r.c.SetReadDeadline(time.Time{})
	resp, err := http.ReadResponse(r.br, &http.Request{Method: method})
	if err != nil {
		return answer{}, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return answer{}, err
	}
	resp.Header.Del("Date")
	return answer{resp.StatusCode, resp.Header, body}, nil
}

func (a answer) equal(b answer) bool {
	return a.status == b.status && bytes.Equal(a.body, b.body) && maps.EqualFunc(a.header, b.header, slices.Equal)
}

// A request whose head has lines ending with a bare LF (RFC 9112 §2.2
// lets a server take LF alone as a line's end; net/http does), sent on a
// connection fasthttp serves after a chunk it answered, is answered as
// net/http answers the same bytes, at once: fasthttp waited for a
// CRLFCRLF until the head's deadline and then answered 400. So is a head
// that comes in two pieces, two such requests sent together, and one sent
// together behind a CRLF request (first on a connection too); one with a
// malformed line is refused at once, as by net/http. A connection
// answered 200 stays usable.
func TestChunksFastPathBareLF(t *testing.T) {
	w := newWorld(t)
	data := seg("f1", 2000)
	chunk := "/chunks/" + w.formationM.Renditions[0].Segments[0].Hash
	r := startServer(t, ServerOptions{DataDir: w.dir}, "127.0.0.1:0") // HeaderTimeout 10 s: well after wait
	const wait = time.Second
	crlf := "GET " + chunk + " HTTP/1.1\r\nHost: origin\r\n\r\n"
	lf := "GET " + chunk + " HTTP/1.1\nHost: origin\n\n"
	for _, tc := range []struct {
		name    string
		pieces  []string // sent with a pause between them
		methods []string // of the requests, in order
		// fasthttp refuses it itself, with its own plain-text 400 (see
		// fastchunks.go): the status is net/http's, not the text
		refused bool
		first   bool // sent as the connection's first bytes
	}{
		{"all LF", []string{"GET " + chunk + " HTTP/1.1\nHost: origin\n\n"}, []string{"GET"}, false, false},
		{"HEAD, all LF", []string{"HEAD " + chunk + " HTTP/1.1\nHost: origin\n\n"}, []string{"HEAD"}, false, false},
		{"LF after the request line only", []string{"GET " + chunk + " HTTP/1.1\nHost: origin\r\n\r\n"}, []string{"GET"}, false, false},
		{"LF after the header lines", []string{"GET " + chunk + " HTTP/1.1\r\nHost: origin\n\n"}, []string{"GET"}, false, false},
		{"LF then CRLF", []string{"GET " + chunk + " HTTP/1.1\r\nHost: origin\n\r\n"}, []string{"GET"}, false, false},
		{"CRLF then LF", []string{"GET " + chunk + " HTTP/1.1\r\nHost: origin\r\n\n"}, []string{"GET"}, false, false},
		{"HTTP/1.0, no header lines", []string{"GET " + chunk + " HTTP/1.0\n\n"}, []string{"GET"}, false, false},
		{"in two pieces", []string{"GET " + chunk + " HTTP/1.1\nHo", "st: origin\nAccept: */*\n\n"}, []string{"GET"}, false, false},
		{"two together", []string{"GET " + chunk + " HTTP/1.1\nHost: origin\n\nHEAD " + chunk + " HTTP/1.1\nHost: origin\n\n"}, []string{"GET", "HEAD"}, false, false},
		{"a malformed line", []string{"GET " + chunk + " HTTP/1.1\nHost: origin\nno colon\n\n"}, []string{"GET"}, true, false},
		{"behind a CRLF request", []string{crlf + lf}, []string{"GET", "GET"}, false, false},
		{"behind a CRLF request, first", []string{crlf + lf}, []string{"GET", "GET"}, false, true},
		{"behind a CRLF request with Content-Length: 0", []string{"GET " + chunk + " HTTP/1.1\r\nHost: origin\r\nContent-Length: 0\r\n\r\n" + lf}, []string{"GET", "GET"}, false, false},
		{"LF, CRLF, LF", []string{lf + crlf + lf}, []string{"GET", "GET", "GET"}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The reference: net/http's answers on a connection it serves.
			slow := dialRaw(t, r.base)
			slow.do("GET", "/api/v1/artists")
			for _, p := range tc.pieces {
				slow.send(p)
			}
			var want []answer
			for _, m := range tc.methods {
				a, err := slow.readAnswer(m, wait)
				if err != nil {
					t.Fatalf("net/http's answer to %q: %v", tc.pieces, err)
				}
				want = append(want, a)
			}

			// The last case's connections, closed or handed back, may still be counted.
			if n := waitFastConns(r.srv, 0); n != 0 {
				t.Fatalf("%d connections on the fast path before this case's; want 0", n)
			}
			c := dialRaw(t, r.base)
			if !tc.first {
				if resp, body := c.do("GET", chunk); resp.StatusCode != 200 || !bytes.Equal(body, data) {
					t.Fatalf("first GET: %d, %d bytes", resp.StatusCode, len(body))
				}
				if n := fastConns(r.srv); n != 1 {
					t.Fatalf("%d connections on the fast path; want this test's 1", n)
				}
			}
			for i, p := range tc.pieces {
				if i > 0 {
					time.Sleep(50 * time.Millisecond)
				}
				c.send(p)
			}
			for i, m := range tc.methods {
				got, err := c.readAnswer(m, wait)
				if err != nil {
					t.Fatalf("answer %d to %q on the fast path: %v; want net/http's (%d) within %v", i+1, tc.pieces, err, want[i].status, wait)
				}
				if tc.refused && got.status == want[i].status {
					continue
				}
				if !got.equal(want[i]) {
					t.Fatalf("answer %d to %q on the fast path: %d %v, %d bytes; want net/http's %d %v, %d bytes",
						i+1, tc.pieces, got.status, got.header, len(got.body), want[i].status, want[i].header, len(want[i].body))
				}
			}
			if last := want[len(want)-1]; last.status != 200 || strings.Contains(tc.pieces[0], "HTTP/1.0") {
				return // net/http closed the connection
			}
			if resp, body := c.do("GET", chunk); resp.StatusCode != 200 || !bytes.Equal(body, data) {
				t.Fatalf("GET after: %d, %d bytes; want 200 and the chunk", resp.StatusCode, len(body))
			}
		})
	}
}

// A connection handed to net/http for a bare-LF head keeps its one slot
// of MaxConns: a second connection is served once the first, idle, is
// closed for it (as TestIdleConnectionsMakeRoom), not beside it.
func TestChunksFastPathBareLFKeepsItsSlot(t *testing.T) {
	w := newWorld(t)
	chunk := "/chunks/" + w.formationM.Renditions[0].Segments[0].Hash
	r := startServer(t, ServerOptions{DataDir: w.dir, MaxConns: 1}, "127.0.0.1:0")
	c := dialRaw(t, r.base)
	c.do("GET", chunk)
	c.send("GET " + chunk + " HTTP/1.1\nHost: origin\n\n")
	if a, err := c.readAnswer("GET", time.Second); err != nil || a.status != 200 {
		t.Fatalf("bare-LF GET after a chunk: %d, %v; want 200", a.status, err)
	}
	c2, b2 := dialOrigin(t, r, "GET /api/v1/artists HTTP/1.1\r\nHost: x\r\n\r\n")
	c2.SetReadDeadline(time.Now().Add(60 * time.Second))
	if code, err := readStatus(b2); code != 200 {
		t.Fatalf("second connection: %d, %v; want 200", code, err)
	}
	if !closedByPeer(c.c) {
		t.Fatal("the handed-over connection is still open beside a second one; want it closed to make room (MaxConns 1): its slot was given back when net/http took it")
	}
}

// An empty line before a request, sent on its own after a chunk, is
// skipped as fasthttp skips it (RFC 9112 §2.2: a server SHOULD ignore
// one), not taken for a whole bare-LF head and handed to net/http, which
// answers 400 to it.
func TestChunksFastPathSkipsAnEmptyLineBeforeARequest(t *testing.T) {
	w := newWorld(t)
	data := seg("f1", 2000)
	chunk := "/chunks/" + w.formationM.Renditions[0].Segments[0].Hash
	r := startServer(t, ServerOptions{DataDir: w.dir}, "127.0.0.1:0")
	c := dialRaw(t, r.base)
	c.do("GET", chunk)
	c.send("\r\n")
	time.Sleep(50 * time.Millisecond)
	c.send("GET " + chunk + " HTTP/1.1\r\nHost: origin\r\n\r\n")
	a, err := c.readAnswer("GET", time.Second)
	if err != nil || a.status != 200 || !bytes.Equal(a.body, data) {
		t.Fatalf("GET after an empty line: %d, %d bytes, %v; want 200 and the chunk", a.status, len(a.body), err)
	}
}
