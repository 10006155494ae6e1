package origin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestPausedPlayerResumes: a player that pauses stops reading its stream
// once its buffer and the sockets' are full, and reads on when the
// listener resumes. With a 1 s StallTimeout, a loopback client that reads
// the start of an answer, then nothing for 3 s, then the rest, gets all of
// it, byte for byte: a track's progressive stream, a segment larger than
// stallPiece (net/http sends it) and one the fast path sends. StallTimeout
// cut each of them after 1 s (a paused <audio> on the share page, a
// Subsonic app streaming, found its stream gone on resuming); media now
// wait PauseTimeout, and a client paused past that is still cut off (the
// stall tests, TestSlowReaderIsCutOffButSlowDownloadFinishes and
// TestChunksFastPathCutsOffAStalledReader, give PauseTimeout 1 s).
func TestPausedPlayerResumes(t *testing.T) {
	w := newStreamWorld(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o := ServerOptions{DataDir: w.data, RequireToken: true, StallTimeout: time.Second, PauseTimeout: 20 * time.Second, MemoryCache: -1}
	r := serveOn(t, o, smallSendBuffers{ln.(*net.TCPListener)})
	ctx := context.Background()
	big, err := r.srv.blobs.Put(ctx, bytes.Repeat([]byte("pause"), 3*stallPiece/5))
	if err != nil {
		t.Fatal(err)
	}
	small, err := r.srv.blobs.Put(ctx, bytes.Repeat([]byte("rest!"), stallPiece/2/5))
	if err != nil {
		t.Fatal(err)
	}
	streamPath := "/api/v1/tracks/" + w.ids[0] + "/stream?quality=high&share=" + w.share
	resp, err := http.Get(r.base + streamPath)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || len(whole) < 100<<10 {
		t.Fatalf("the stream read at once: HTTP %d, %d bytes, %v; want 200 and over 100 KiB", resp.StatusCode, len(whole), err)
	}
	for _, tc := range []struct {
		name, path string
		want       [32]byte
	}{
		{"a track's stream", streamPath, sha256.Sum256(whole)},
		{"a segment net/http sends", "/chunks/" + big, sha256.Sum256(bytes.Repeat([]byte("pause"), 3*stallPiece/5))},
		{"a segment the fast path sends", "/chunks/" + small, sha256.Sum256(bytes.Repeat([]byte("rest!"), stallPiece/2/5))},
	} {
		c := dialRaw(t, r.base)
		// a receive buffer of 64 KiB, the loopback's MSS: one smaller has
		// the origin's TCP wait on its persist timer to send (sender-side
		// silly-window avoidance), which stalls the answer by itself
		c.c.(*net.TCPConn).SetReadBuffer(64 << 10)
		c.send("GET " + tc.path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + w.owner + "\r\n\r\n")
		c.c.SetReadDeadline(time.Now().Add(time.Minute)) // only against a hang
		resp, err := http.ReadResponse(c.br, &http.Request{Method: "GET"})
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %v, %v", tc.name, resp, err)
		}
		h := sha256.New()
		if _, err := io.CopyN(h, resp.Body, 8<<10); err != nil {
			t.Fatalf("%s: the first 8 KiB: %v", tc.name, err)
		}
		time.Sleep(3 * time.Second) // paused: nothing read, three StallTimeouts
		n, err := io.Copy(h, resp.Body)
		if err != nil || [32]byte(h.Sum(nil)) != tc.want {
			t.Errorf("%s: resumed after a 3 s pause, read %d more bytes (%v), sha256 %x; want the whole answer, %x (the origin cut it off)",
				tc.name, n, err, h.Sum(nil), tc.want)
		}
	}
}

// TestStalledDocumentIsCutOff: a document (JSON, built in memory, holding
// one of maxDocsInFlight slots) whose client reads nothing for
// StallTimeout is still cut off then, though media wait PauseTimeout: a
// client that reads 1 KiB of an album of 400 KB and then nothing for 3 s
// (StallTimeout 1 s, PauseTimeout 20 s) finds the rest of it reset.
func TestStalledDocumentIsCutOff(t *testing.T) {
	f := newFixture(t)
	ar := f.artist("Long Titles")
	al := f.album(ar, "Long Titles", "Long", 2001, nil)
	f.track(ar, "Long Titles", al, "Long", string(bytes.Repeat([]byte("title "), 400<<10/6)), 1, 1, seg("long", 2000))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o := f.serverOptions()
	o.StallTimeout, o.PauseTimeout = time.Second, 20*time.Second
	r := serveOn(t, o, smallSendBuffers{ln.(*net.TCPListener)})
	c := dialRaw(t, r.base)
	c.c.(*net.TCPConn).SetReadBuffer(64 << 10)
	c.send("GET /api/v1/albums/" + al + " HTTP/1.1\r\nHost: x\r\n\r\n")
	c.c.SetReadDeadline(time.Now().Add(time.Minute)) // only against a hang
	resp, err := http.ReadResponse(c.br, &http.Request{Method: "GET"})
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET the album: %v, %v", resp, err)
	}
	if _, err := io.CopyN(io.Discard, resp.Body, 1<<10); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second)
	n, err := io.Copy(io.Discard, resp.Body)
	if err == nil {
		t.Errorf("after 3 s of reading nothing the album's last %d bytes came; want it cut off after StallTimeout (1 s)", n)
	}
}
