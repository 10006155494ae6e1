package origin

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"segue/internal/testkit"
)

// TestBodyOverTheLimitIs413: a 5 MB playlist body, with or without a
// Content-Length, is 413 with a sentence naming the limit (it was "malformed
// JSON body: unexpected EOF").
func TestBodyOverTheLimitIs413(t *testing.T) {
	r := startServer(t, ServerOptions{DataDir: t.TempDir()}, "127.0.0.1:0")
	big := `{"name":"` + strings.Repeat("x", 5<<20) + `"}`
	for _, chunked := range []bool{false, true} {
		var body io.Reader = strings.NewReader(big)
		if chunked {
			body = struct{ io.Reader }{body} // hides the length: chunked encoding
		}
		req, _ := http.NewRequest("POST", r.base+"/api/v1/playlists", body)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "larger than 1024 KiB") {
			t.Errorf("chunked %v: %s %s; want 413 naming 1024 KiB", chunked, resp.Status, b)
		}
	}
	// Events take more: a 2 MB batch is read (and judged on its content).
	req, _ := http.NewRequest("POST", r.base+"/api/v1/events", strings.NewReader("["+strings.Repeat(" ", 2<<20)+"]"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusRequestEntityTooLarge {
		t.Errorf("2 MB of events: %s; want them read (limit 4 MiB)", resp.Status)
	}
}

// TestSlowBodyIsCutOff: a client that sends part of its body and stops is
// disconnected after ReadTimeout, not held forever.
func TestSlowBodyIsCutOff(t *testing.T) {
	r := startServer(t, ServerOptions{DataDir: t.TempDir(), ReadTimeout: time.Second}, "127.0.0.1:0")
	c, err := net.Dial("tcp", strings.TrimPrefix(r.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /api/v1/playlists HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"name\":")
	c.SetReadDeadline(time.Now().Add(60 * time.Second)) // only against a hang; the origin cuts at 1 s
	got, err := io.ReadAll(c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the origin still holds a stalled body after 60 s (read %q)", got)
	}
	if bytes.Contains(got, []byte(" 500 ")) {
		t.Fatalf("stalled body answered %q; want no 500", got)
	}
}

// TestSlowReaderIsCutOffButSlowDownloadFinishes: with a 1 s PauseTimeout (a segment is media)
// (and a 1 s ReadTimeout), a client that stops reading a 16 MB segment is
// disconnected, while one that reads it steadily over more than a second
// gets all of it.
func TestSlowReaderIsCutOffButSlowDownloadFinishes(t *testing.T) {
	log := &testkit.Buffer{}
	r := startServer(t, ServerOptions{DataDir: t.TempDir(), StallTimeout: time.Second, PauseTimeout: time.Second, ReadTimeout: time.Second, MemoryCache: -1, Logger: log.Logger()}, "127.0.0.1:0")
	blob := make([]byte, 16<<20)
	for i := range blob {
		blob[i] = byte(i * 7 >> 3)
	}
	hash, err := r.srv.blobs.Put(context.Background(), blob)
	if err != nil {
		t.Fatal(err)
	}

	// The steady reader: 256 KiB every 30 ms, about 2 s in all.
	resp, err := http.Get(r.base + "/chunks/" + hash)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	tick := time.NewTicker(30 * time.Millisecond)
	for {
		n, err := io.CopyN(h, resp.Body, 256<<10)
		if err != nil || n < 256<<10 {
			if err != nil && err != io.EOF {
				t.Fatalf("steady download cut off: %v", err)
			}
			break
		}
		<-tick.C
	}
	tick.Stop()
	resp.Body.Close()
	if got := hex.EncodeToString(h.Sum(nil)); got != hash {
		t.Fatalf("steady download: sha256 %s; want %s", got, hash)
	}

	// The stalled reader: a small receive buffer, and nothing read.
	c, err := net.Dial("tcp", strings.TrimPrefix(r.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.(*net.TCPConn).SetReadBuffer(4 << 10)
	fmt.Fprintf(c, "GET /chunks/%s HTTP/1.1\r\nHost: x\r\n\r\n", hash)
	testkit.Wait(t, time.Minute, "the stalled download to be given up", func() bool { return strings.Count(log.String(), "/chunks/"+hash) == 2 })
	c.SetReadDeadline(time.Now().Add(60 * time.Second))
	br := bufio.NewReader(c)
	got, err := io.Copy(io.Discard, br)
	var ne net.Error
	if got >= int64(len(blob)) || errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("stalled reader got %d bytes (err %v); want the origin to have cut it off", got, err)
	}
}

// TestConnectionsAreBounded: past MaxConns a new connection waits while
// the others are busy (here: in the middle of sending a request) and is
// served once one closes.
func TestConnectionsAreBounded(t *testing.T) {
	r := startServer(t, ServerOptions{DataDir: t.TempDir(), MaxConns: 2}, "127.0.0.1:0")
	c1, b1 := dialOrigin(t, r, "GET /api/v1/artists HTTP/1.1\r\n") // headers not finished: busy
	dialOrigin(t, r, "GET /api/v1/artists HTTP/1.1\r\n")
	c3, b3 := dialOrigin(t, r, "GET /api/v1/artists HTTP/1.1\r\nHost: x\r\n\r\n")
	c3.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if code, err := readStatus(b3); err == nil {
		t.Fatalf("a third connection was served (%d) while two were busy; want it to wait", code)
	}
	fmt.Fprintf(c1, "Host: x\r\nConnection: close\r\n\r\n")
	if code, err := readStatus(b1); code != 200 {
		t.Fatalf("first connection: %d, %v; want 200", code, err)
	}
	c3.SetReadDeadline(time.Now().Add(60 * time.Second))
	if code, err := readStatus(b3); code != 200 {
		t.Fatalf("third connection after one closed: %d, %v; want 200", code, err)
	}
}

// TestIdleConnectionsMakeRoom: with every slot held, two of them by idle
// keep-alive connections, a newcomer is served at once and an idle
// connection is closed for it; a busy one is left alone. The same when
// the connections are /chunks ones, which fasthttp serves (issue 14).
func TestIdleConnectionsMakeRoom(t *testing.T) {
	t.Run("api", func(t *testing.T) { testIdleConnectionsMakeRoom(t, false) })
	t.Run("chunks", func(t *testing.T) { testIdleConnectionsMakeRoom(t, true) })
}

func testIdleConnectionsMakeRoom(t *testing.T, chunks bool) {
	r := startServer(t, ServerOptions{DataDir: t.TempDir(), MaxConns: 3}, "127.0.0.1:0")
	req := "GET /api/v1/artists HTTP/1.1\r\nHost: x\r\n\r\n"
	if chunks {
		hash, err := r.srv.blobs.Put(context.Background(), seg("room", 50_000))
		if err != nil {
			t.Fatal(err)
		}
		req = "GET /chunks/" + hash + " HTTP/1.1\r\nHost: x\r\n\r\n"
	}
	var idle []net.Conn
	for range 2 {
		c, b := dialOrigin(t, r, req)
		if code, err := readStatus(b); code != 200 {
			t.Fatalf("keep-alive request: %d, %v", code, err)
		}
		idle = append(idle, c)
	}
	if n := fastConns(r.srv); chunks && n != 2 {
		t.Fatalf("%d connections on the fast path; want the 2 idle ones", n)
	}
	busy, _ := dialOrigin(t, r, "GET /api/v1/artists HTTP/1.1\r\n") // headers not finished
	for i := range 2 {
		c, b := dialOrigin(t, r, req)
		// Well before the server's own idle timeout (2 min) would make room.
		c.SetReadDeadline(time.Now().Add(60 * time.Second))
		if code, err := readStatus(b); code != 200 {
			t.Fatalf("newcomer %d while the other connections were idle or busy: %d, %v; want 200", i+1, code, err)
		}
		idle = append(idle, c)
	}
	// Two newcomers, two idle connections closed for them (which ones
	// depends on when the server saw each go idle).
	testkit.Wait(t, time.Minute, "two idle connections closed", func() bool {
		n := 0
		for _, c := range idle {
			if closedByPeer(c) {
				n++
			}
		}
		return n == 2
	})
	if closedByPeer(busy) {
		t.Fatal("a connection in the middle of its request was closed")
	}
}

// closedByPeer reports whether the other end closed c (a read finds EOF or
// a reset rather than waiting).
func closedByPeer(c net.Conn) bool {
	c.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	_, err := c.Read(make([]byte, 1))
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

// dialOrigin connects to r and sends raw.
func dialOrigin(t *testing.T, r *running, raw string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(r.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprint(c, raw)
	return c, bufio.NewReader(c)
}

// readStatus reads one response and returns its status.
func readStatus(br *bufio.Reader) (int, error) {
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// TestDocumentsInFlightAreBounded: of 20 document requests at once, no
// more than the slots are answered together, the rest wait and are all
// answered as slots free; a waiting request whose client leaves is never
// answered; /chunks takes no slot, and a mounted API's media (audio) gives
// its slot back once its header is written.
func TestDocumentsInFlightAreBounded(t *testing.T) {
	const slots, clients, streams = 3, 20, 3
	s := &Server{docs: make(chan struct{}, slots)}
	var arrived, inside, most, entered atomic.Int64
	release := make(chan struct{})
	handler := s.docSlot(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered.Add(1)
		n := inside.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		switch {
		case strings.HasPrefix(r.URL.Path, "/rest/stream"):
			w.Header().Set("Content-Type", "audio/mpeg")
			w.WriteHeader(http.StatusOK)
			http.NewResponseController(w).Flush()
			<-release
		case !strings.HasPrefix(r.URL.Path, "/chunks/"):
			<-release
		}
		inside.Add(-1)
	}))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived.Add(1)
		handler.ServeHTTP(w, r)
	}))
	defer srv.Close()

	codes := make(chan int, clients+streams)
	get := func(path string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			codes <- 0
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		codes <- resp.StatusCode
	}
	for range streams {
		go get("/rest/stream.view?id=x")
	}
	testkit.Wait(t, time.Minute, "the streams to start", func() bool { return inside.Load() == streams })
	for range clients {
		go get("/api/v1/search?q=x")
	}
	testkit.Wait(t, time.Minute, "every request arrived and the slots filled", func() bool {
		return arrived.Load() == streams+clients && inside.Load() == streams+slots
	})
	ctx, cancel := context.WithCancel(context.Background())
	gone := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/v1/artists", nil)
		_, err := http.DefaultClient.Do(req)
		gone <- err
	}()
	testkit.Wait(t, time.Minute, "the leaving client's request to arrive", func() bool { return arrived.Load() == streams+clients+1 })
	cancel()
	if err := <-gone; err == nil {
		t.Fatal("the request whose client left was answered")
	}
	if resp, err := http.Get(srv.URL + "/chunks/x"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("/chunks with every slot taken: %v; want it served at once", err)
	}
	close(release)
	for range clients + streams {
		if c := <-codes; c != 200 {
			t.Fatalf("a waiting request: status %d; want 200", c)
		}
	}
	if most.Load() != streams+slots+1 { // the streams, the slots, and /chunks beside them
		t.Errorf("%d requests answered at once; want %d streams, at most %d documents and 1 segment", most.Load(), streams, slots)
	}
	if entered.Load() != streams+clients+1 {
		t.Errorf("%d requests reached the handler; want %d (not the one whose client left)", entered.Load(), streams+clients+1)
	}
}

// TestSlowHeadIsCutOff: a request head trickled past HeaderTimeout (1 s
// here, while ReadTimeout keeps its 60 s) is cut off on every kind of
// connection: a new one, a keep-alive one net/http serves, and a
// keep-alive one the /chunks fast path serves, which waited ReadTimeout
// (issue 17's slowloris bound).
func TestSlowHeadIsCutOff(t *testing.T) {
	w := newWorld(t)
	chunk := "/chunks/" + w.formationM.Renditions[0].Segments[0].Hash
	r := startServer(t, ServerOptions{DataDir: w.dir, HeaderTimeout: time.Second}, "127.0.0.1:0")
	for _, tc := range []struct {
		name, first string // first: a request answered before the slow head
		fast        int    // connections on the fast path then
	}{
		{"new connection", "", 0},
		{"keep-alive on net/http", "/api/v1/artists", 0},
		{"keep-alive on the fast path", chunk, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, r.base)
			if tc.first != "" {
				if resp, _ := c.do("GET", tc.first); resp.StatusCode != http.StatusOK {
					t.Fatalf("GET %s: %d", tc.first, resp.StatusCode)
				}
			}
			if n := fastConns(r.srv); n != tc.fast {
				t.Fatalf("%d connections on the fast path; want %d", n, tc.fast)
			}
			c.send("GET " + chunk + " HTTP/1.1\r\nHost: origin\r\n") // the head never ends
			c.c.SetReadDeadline(time.Now().Add(30 * time.Second))    // only against a hang
			got, err := io.ReadAll(c.br)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("the origin still waits for the head after 30 s (read %q)", got)
			}
		})
	}
}

// TestSlowBodyWithinReadTimeoutIsRead: a request body that takes longer
// than HeaderTimeout but less than ReadTimeout is read whole, on a
// connection net/http serves and on one the /chunks fast path serves:
// HeaderTimeout bounds the head only.
func TestSlowBodyWithinReadTimeoutIsRead(t *testing.T) {
	w := newWorld(t)
	chunk := "/chunks/" + w.formationM.Renditions[0].Segments[0].Hash
	r := startServer(t, ServerOptions{DataDir: w.dir, HeaderTimeout: time.Second}, "127.0.0.1:0")
	announce := `{"id":"p1","addr":"127.0.0.1:9","tracks":[]}`
	for _, first := range []string{"/api/v1/artists", chunk} {
		t.Run(first, func(t *testing.T) {
			c := dialRaw(t, r.base)
			if resp, _ := c.do("GET", first); resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d", first, resp.StatusCode)
			}
			c.send("POST /api/v1/peers/announce HTTP/1.1\r\nHost: origin\r\nContent-Type: application/json\r\nContent-Length: " +
				strconv.Itoa(len(announce)) + "\r\n\r\n")
			// A quarter of the body every 600 ms: 2.4 s in all.
			tick := time.NewTicker(600 * time.Millisecond)
			defer tick.Stop()
			for i := range 4 {
				<-tick.C
				c.send(announce[i*len(announce)/4 : (i+1)*len(announce)/4])
			}
			if resp, body := c.read("POST"); resp.StatusCode != http.StatusOK {
				t.Fatalf("announce with a slow body: %d %q; want 200", resp.StatusCode, body)
			}
		})
	}
}
