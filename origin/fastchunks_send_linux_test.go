package origin

import (
	"bytes"
	"net"
	"testing"

	"golang.org/x/sys/unix"
)

// dataSegsIn is how many TCP segments carrying data c has received
// (tcpi_data_segs_in).
func dataSegsIn(t *testing.T, c net.Conn) uint32 {
	t.Helper()
	raw, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var info *unix.TCPInfo
	raw.Control(func(fd uintptr) { info, err = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO) })
	if err != nil {
		t.Fatal(err)
	}
	return info.Data_segs_in
}

// A chunk the fast path sends from its file comes in one TCP segment, its
// head and its bytes together, as nginx sends it with tcp_nopush: the
// head came alone first and the body after it, waking the client twice
// (issue 14). The first GET sends the file just opened, the later ones the
// kept file.
func TestChunksFastPathOneSegment(t *testing.T) {
	w := newWorld(t)
	data := seg("f1", 2000) // well under loopback's MSS of 65483 bytes
	hash := w.formationM.Renditions[0].Segments[0].Hash
	r := startServer(t, ServerOptions{DataDir: w.dir, MemoryCache: -1}, "127.0.0.1:0")
	c := dialRaw(t, r.base)
	for i := range 3 {
		before := dataSegsIn(t, c.c)
		resp, body := c.do("GET", "/chunks/"+hash)
		if resp.StatusCode != 200 || !bytes.Equal(body, data) {
			t.Fatalf("GET %d: %d, %d bytes; want 200 and the chunk", i+1, resp.StatusCode, len(body))
		}
		if n := dataSegsIn(t, c.c) - before; n != 1 {
			t.Errorf("GET %d came in %d segments; want 1", i+1, n)
		}
	}
	if n := fastConns(r.srv); n != 1 {
		t.Fatalf("%d connections on the fast path; want 1 (this test's)", n)
	}
}
