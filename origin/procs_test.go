package origin

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"
)

// useProcs gives the test n processors and gives the old count back at
// its end; the GOMAXPROCS variable is cleared, as procs obeys it.
func useProcs(t *testing.T, n int) {
	t.Helper()
	t.Setenv("GOMAXPROCS", "")
	old := runtime.GOMAXPROCS(n)
	t.Cleanup(func() { runtime.GOMAXPROCS(old) })
}

// waitProcs waits up to 10 s for the runtime to have n processors.
func waitProcs(t *testing.T, n int, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.GOMAXPROCS(0) != n {
		if time.Now().After(deadline) {
			t.Fatalf("%s: GOMAXPROCS is %d after 10 s; want %d", what, runtime.GOMAXPROCS(0), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestProcsFollowsLoad: one processor once quiet has passed with at most
// one connection; all of them at once (before add returns) with a second
// connection, a second net/http request or any job; one again after.
func TestProcsFollowsLoad(t *testing.T) {
	useProcs(t, 3)
	p := newProcs(5*time.Millisecond, "")
	defer p.stop()
	waitProcs(t, 1, "idle")
	for _, c := range []struct {
		name string
		one  func(n int32)
		full int // how many of them make the origin busy
	}{{"connections", p.conn, 2}, {"requests", p.req, 2}, {"jobs", p.job, 1}} {
		for i := 1; i <= c.full; i++ {
			c.one(1)
			want := 1
			if i == c.full {
				want = 3
			}
			if got := runtime.GOMAXPROCS(0); got != want {
				t.Fatalf("%d %s: GOMAXPROCS %d; want %d", i, c.name, got, want)
			}
		}
		for range c.full {
			c.one(-1)
		}
		waitProcs(t, 1, c.name+" ended")
	}
	p.stop()
	if got := runtime.GOMAXPROCS(0); got != 3 {
		t.Fatalf("after stop: GOMAXPROCS %d; want 3 back", got)
	}
}

// TestProcsWaitsOutQuiet: nothing lowers the processors before quiet has
// passed since the origin was last busy.
func TestProcsWaitsOutQuiet(t *testing.T) {
	useProcs(t, 2)
	p := newProcs(time.Hour, "")
	defer p.stop()
	p.conn(1)
	p.conn(1)
	p.conn(-1)
	p.lower() // as its timer would, early
	if got := runtime.GOMAXPROCS(0); got != 2 {
		t.Fatalf("GOMAXPROCS %d within quiet of a second connection; want 2", got)
	}
	if p.changes != 0 {
		t.Fatalf("%d changes of GOMAXPROCS; want none", p.changes)
	}
}

// TestProcsObeysTheVariable: GOMAXPROCS set by the operator, or one
// processor, leaves the runtime alone.
func TestProcsObeysTheVariable(t *testing.T) {
	useProcs(t, 2)
	if p := newProcs(time.Millisecond, "2"); p != nil {
		t.Fatal("newProcs with GOMAXPROCS=2 set returned a controller; want nil")
	}
	runtime.GOMAXPROCS(1)
	if p := newProcs(time.Millisecond, ""); p != nil {
		t.Fatal("newProcs on one processor returned a controller; want nil")
	}
	var p *procs // what Server holds without AdaptiveProcs
	p.conn(1)
	p.req(1)
	p.job(1)
	p.stop()
}

// TestProcsConcurrent: goroutines open and close connections while the
// controller lowers as soon as it may (quiet 0); whenever two are open at
// once, every processor is there. Run with -race.
func TestProcsConcurrent(t *testing.T) {
	useProcs(t, 2)
	p := newProcs(0, "")
	defer p.stop()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				p.conn(1)
				p.conn(1) // this goroutine's second: busy, whatever the others do
				if got := runtime.GOMAXPROCS(0); got != 2 {
					errs <- fmt.Errorf("goroutine %d, round %d: GOMAXPROCS %d with two connections open; want 2", g, i, got)
					p.conn(-2)
					return
				}
				p.conn(-1)
				p.conn(-1)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	waitProcs(t, 1, "all closed")
}

// TestServeAdaptsProcs: an origin serving with AdaptiveProcs goes to one
// processor when idle and to all of them once a second connection is
// accepted, before it is served, fast path or not.
func TestServeAdaptsProcs(t *testing.T) {
	useProcs(t, 2)
	r := startServer(t, ServerOptions{DataDir: t.TempDir(), AdaptiveProcs: true}, "127.0.0.1:0")
	hash, err := r.srv.blobs.Put(context.Background(), seg("procs", 50_000))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/chunks/" + hash, "/api/v1/artists"} {
		deadline := time.Now().Add(10 * time.Second)
		for r.srv.procs.conns.Load() != 0 && time.Now().Before(deadline) { // the last path's, seen closed
			time.Sleep(time.Millisecond)
		}
		waitProcs(t, 1, "idle origin")
		var conns []net.Conn
		for i := range 2 {
			c, err := net.Dial("tcp", r.base[len("http://"):])
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
			fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path)
			c.SetReadDeadline(time.Now().Add(30 * time.Second))
			if code, err := readStatus(bufio.NewReader(c)); code != 200 {
				t.Fatalf("GET %s on connection %d: %d, %v; want 200", path, i+1, code, err)
			}
			want := 1
			if i == 1 {
				want = 2
			}
			if got := runtime.GOMAXPROCS(0); got != want {
				t.Fatalf("%s, %d connections open: GOMAXPROCS %d; want %d", path, i+1, got, want)
			}
		}
		for _, c := range conns {
			c.Close()
		}
	}
	waitProcs(t, 1, "connections closed")
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	if got := runtime.GOMAXPROCS(0); got != 2 {
		t.Fatalf("after Serve returned: GOMAXPROCS %d; want 2 back", got)
	}
}

// BenchmarkProcsChange: what one change of GOMAXPROCS between one
// processor and two costs (it stops the world), in an otherwise idle
// process; procs makes one when a second connection comes to an origin at
// one processor, and one a second after the last such.
func BenchmarkProcsChange(b *testing.B) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for i := range b.N {
		runtime.GOMAXPROCS(1 + i%2)
	}
}
