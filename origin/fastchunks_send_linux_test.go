package origin

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

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

// fastPair returns the two ends of a loopback TCP connection, the
// server's as the splitter gives it to fasthttp (newFastConn), both with
// small socket buffers so that a megabyte fills them.
func fastPair(t *testing.T) (*fastConn, *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close() })
	fc, ok := newFastConn(server, func(c net.Conn) { c.Close() }, nil).(*fastConn)
	if !ok {
		t.Fatalf("newFastConn(%T) is not a *fastConn", server)
	}
	fc.sock.(*net.TCPConn).SetWriteBuffer(16 << 10)
	client.(*net.TCPConn).SetReadBuffer(16 << 10)
	return fc, client.(*net.TCPConn)
}

// within runs op in its own goroutine and fails the test when it has not
// returned after a minute: a raw system call blocked in the kernel would
// hold its thread and P for good, and op would never return.
func within(t *testing.T, what string, op func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); op() }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatalf("%s did not return: a raw system call blocked its thread", what)
	}
}

// The fast connection's raw system calls (RawSyscall, which the scheduler
// does not see, so it cannot hand the P to another thread while one
// blocks) never block: the socket is non-blocking, and a read with
// nothing to read, or a write or sendfile(2) to a full socket, gets
// EAGAIN and waits in the netpoller, where deadlines end the wait and
// other goroutines run meanwhile (issue 14).
func TestFastConnWaitsInTheNetpoller(t *testing.T) {
	fc, _ := fastPair(t)
	var flags int
	fc.raw.Control(func(fd uintptr) { flags, _ = unix.FcntlInt(fd, unix.F_GETFL, 0) })
	if flags&unix.O_NONBLOCK == 0 {
		t.Fatalf("the fast connection's socket is blocking (flags %#x): a raw read or write on it would hold a P", flags)
	}
	big := bytes.Repeat([]byte("segue"), 1<<20/5)
	path := filepath.Join(t.TempDir(), "blob")
	if err := os.WriteFile(path, big, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fd := int(f.Fd())

	// Nothing to read, the socket full: each waits until its deadline.
	fc.SetDeadline(time.Now().Add(100 * time.Millisecond))
	within(t, "a read with nothing to read", func() {
		if n, err := fc.Read(make([]byte, 10)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("read with nothing sent: %d bytes, %v; want the deadline exceeded", n, err)
		}
	})
	for _, raw := range []bool{false, true} {
		fc, client := fastPair(t)
		fc.SetDeadline(time.Now().Add(100 * time.Millisecond))
		within(t, "a write to a full socket", func() {
			if n, err := fc.Write(big); !errors.Is(err, os.ErrDeadlineExceeded) || n >= len(big) {
				t.Errorf("write of %d bytes to a client not reading: %d sent, %v; want fewer and the deadline exceeded", len(big), n, err)
			}
		})
		fc, client = fastPair(t)
		fc.SetDeadline(time.Now().Add(100 * time.Millisecond))
		within(t, "a sendfile(2) to a full socket", func() {
			if n, err := fc.sendFile(fd, int64(len(big)), raw); !errors.Is(err, os.ErrDeadlineExceeded) || n >= int64(len(big)) {
				t.Errorf("sendfile (raw %v) of %d bytes to a client not reading: %d sent, %v; want fewer and the deadline exceeded", raw, len(big), n, err)
			}
		})
		// Without a deadline, the wait ends when the client reads.
		fc, client = fastPair(t)
		var got []byte
		within(t, "a sendfile(2) to a client reading", func() {
			read := make(chan struct{})
			go func() { defer close(read); got, _ = io.ReadAll(io.LimitReader(client, int64(2*len(big)))) }()
			n, err := fc.sendFile(fd, int64(len(big)), raw)
			m, err2 := fc.Write(big)
			fc.sock.(*net.TCPConn).CloseWrite()
			<-read
			if err != nil || err2 != nil || n != int64(len(big)) || m != len(big) {
				t.Errorf("sendfile (raw %v) and write of %d bytes each: %d and %d sent, %v and %v", raw, len(big), n, m, err, err2)
			}
		})
		if !bytes.Equal(got, append(bytes.Clone(big), big...)) {
			t.Errorf("client read %d bytes; want the file then the written bytes, %d", len(got), 2*len(big))
		}
	}
}
