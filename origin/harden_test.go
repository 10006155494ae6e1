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
	"strings"
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

// TestSlowReaderIsCutOffButSlowDownloadFinishes: with a 1 s StallTimeout
// (and a 1 s ReadTimeout), a client that stops reading a 16 MB segment is
// disconnected, while one that reads it steadily over more than a second
// gets all of it.
func TestSlowReaderIsCutOffButSlowDownloadFinishes(t *testing.T) {
	log := &testkit.Buffer{}
	r := startServer(t, ServerOptions{DataDir: t.TempDir(), StallTimeout: time.Second, ReadTimeout: time.Second, MemoryCache: -1, Logger: log.Logger()}, "127.0.0.1:0")
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

// TestConnectionsAreBounded: past MaxConns a new connection waits until
// one closes.
func TestConnectionsAreBounded(t *testing.T) {
	r := startServer(t, ServerOptions{DataDir: t.TempDir(), MaxConns: 2}, "127.0.0.1:0")
	addr := strings.TrimPrefix(r.base, "http://")
	open := func() (net.Conn, *bufio.Reader) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		fmt.Fprintf(c, "GET /api/v1/artists HTTP/1.1\r\nHost: x\r\n\r\n")
		return c, bufio.NewReader(c)
	}
	status := func(br *bufio.Reader) (int, error) {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, nil
	}
	c1, b1 := open()
	_, b2 := open()
	for _, b := range []*bufio.Reader{b1, b2} {
		if code, err := status(b); code != 200 {
			t.Fatalf("first two connections: %d, %v", code, err)
		}
	}
	c3, b3 := open()
	c3.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if code, err := status(b3); err == nil {
		t.Fatalf("a third connection was served (%d) while two were open; want it to wait", code)
	}
	c1.Close()
	c3.SetReadDeadline(time.Now().Add(60 * time.Second))
	if code, err := status(b3); code != 200 {
		t.Fatalf("third connection after one closed: %d, %v; want 200", code, err)
	}
}
