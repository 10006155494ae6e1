package origin

import (
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// procs runs the origin with one processor (runtime.GOMAXPROCS 1) while
// it serves at most one connection, one request at a time, with no
// background work, and with all of them (full) as soon as there is more
// (issue 14: with one processor a new connection's first request wakes
// no thread for an idle processor). It lowers again only after quiet
// has passed with no more than that. Every change stops the world.
//
// A connection counts from its accept to its close (connLimiter); a
// net/http request while its handler runs (a fast-path connection has at
// most one request at a time, so its connection is its count); a job
// while it runs (the recommender's rebuild). Lock order: mu alone.
type procs struct {
	full  int           // the processors to raise to: GOMAXPROCS when made
	quiet time.Duration // how long no more than one connection before lowering

	conns, reqs, jobs atomic.Int32
	low               atomic.Bool  // set before lowering, cleared after raising (see lower)
	lastBusy          atomic.Int64 // when the origin was last busy, Unix ns

	mu      sync.Mutex  // guards changes of GOMAXPROCS, armed and timer
	armed   bool        // timer will call lower
	timer   *time.Timer // nil until first armed
	stopped bool        // stop was called: no more lowering
	changes int         // GOMAXPROCS changes made, for tests
}

// newProcs returns a controller that raises to the processors the
// runtime now has and lowers after quiet; nil when there is only one,
// or when the GOMAXPROCS variable chose (the operator's choice stands).
// A nil *procs does nothing.
func newProcs(quiet time.Duration, env string) *procs {
	n := runtime.GOMAXPROCS(0)
	if n <= 1 || env != "" {
		return nil
	}
	p := &procs{full: n, quiet: quiet}
	p.lastBusy.Store(time.Now().UnixNano())
	p.arm()
	return p
}

// busy reports whether the origin has more than one connection's work.
func (p *procs) busy() bool {
	return p.conns.Load() > 1 || p.reqs.Load() > 1 || p.jobs.Load() > 0
}

// add counts n (+1 or -1) on c, one of p's counters.
func (p *procs) add(c *atomic.Int32, n int32) {
	after := c.Add(n)
	if p.busy() {
		p.lastBusy.Store(time.Now().UnixNano())
		if p.low.Load() {
			p.raise()
		}
		return
	}
	if n < 0 {
		if before := after - n; before > 1 || (c == &p.jobs && before > 0) { // this ended the busy time
			p.lastBusy.Store(time.Now().UnixNano())
		}
		p.arm()
	}
}

// conn, req and job count one connection, net/http request or job
// starting (n 1) or ending (n -1); on a nil p they do nothing.
func (p *procs) conn(n int32) {
	if p != nil {
		p.add(&p.conns, n)
	}
}

func (p *procs) req(n int32) {
	if p != nil {
		p.add(&p.reqs, n)
	}
}

func (p *procs) job(n int32) {
	if p != nil {
		p.add(&p.jobs, n)
	}
}

// raise gives the origin all its processors.
func (p *procs) raise() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.low.Load() {
		runtime.GOMAXPROCS(p.full)
		p.changes++
		p.low.Store(false)
	}
}

// arm has lower called once quiet has passed, unless it already will be.
func (p *procs) arm() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.armed || p.stopped || p.low.Load() {
		return
	}
	p.armed = true
	if p.timer == nil {
		p.timer = time.AfterFunc(p.quiet, p.lower)
		return
	}
	p.timer.Reset(p.quiet)
}

// lower takes the origin to one processor if it has not been busy for
// quiet, else waits for the rest of it. low is set before busy is read,
// and add reads low after counting, so a connection counted while
// lowering either keeps lower from it or raises after it.
func (p *procs) lower() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.armed = false
	if p.stopped || p.low.Load() {
		return
	}
	p.low.Store(true)
	since := time.Since(time.Unix(0, p.lastBusy.Load()))
	if p.busy() || since < p.quiet {
		p.low.Store(false)
		if !p.busy() {
			p.armed = true
			p.timer.Reset(p.quiet - since)
		}
		return
	}
	runtime.GOMAXPROCS(1)
	p.changes++
}

// stop gives the origin its processors back for good (Serve's end).
func (p *procs) stop() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopped = true
	if p.timer != nil {
		p.timer.Stop()
	}
	if p.low.Load() {
		runtime.GOMAXPROCS(p.full)
		p.changes++
		p.low.Store(false)
	}
}

// procsQuiet is how long the origin serves no more than one connection
// before procs lowers it to one processor.
const procsQuiet = time.Second

// counted counts h's requests while they run; h itself when p is nil.
func (p *procs) counted(h http.Handler) http.Handler {
	if p == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.req(1)
		defer p.req(-1)
		h.ServeHTTP(w, r)
	})
}
