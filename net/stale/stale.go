// Package stale answers a request that has a stored answer from that
// answer when the server is slow to give its own, and lets the request go
// on to store the fresh one (stale-while-revalidate, RFC 5861, with a
// wait instead of a max-age). The origin client and the Subsonic client
// both use it for the documents and listings they store for offline use.
package stale

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Wait is how long a request with a stored answer waits for the server's
// before the stored one is given; DeafFor is how long, after a server let
// that pass, stored answers are given without asking it (unless it
// answers something meanwhile: Heard). A server that takes connections
// but does not answer (a stopped process, an overloaded host, a hung
// proxy), or whose address drops packets, had every request wait out the
// dial or the 15 s answer timeout before its stored answer: each track of
// a pinned album waited 15 s for its manifest before it played. A healthy
// server answers in milliseconds.
const (
	Wait    = 500 * time.Millisecond
	DeafFor = 30 * time.Second
)

// Group owns the requests that outlived their caller, and whether the
// server is deaf. Its zero value is not usable: make one with NewGroup.
type Group struct {
	life     context.Context // ends at Close
	end      context.CancelFunc
	wg       sync.WaitGroup
	deafTill atomic.Int64          // monoNow until which stored answers are given without asking
	stood    atomic.Pointer[error] // why a stored answer last stood in (StoodIn)
	standIns atomic.Uint64         // how many stored answers stood in (StoodIn)
}

// ErrSlow is why First gave a stored answer: the server did not answer
// within Wait, or had not lately (Deaf).
var ErrSlow = errors.New("it did not answer within 0.5 s")

// StoodIn notes that a stored answer was given in place of the server's,
// because of cause (the server unreachable, or ErrSlow).
func (g *Group) StoodIn(cause error) {
	g.stood.Store(&cause)
	g.standIns.Add(1)
}

// StandIns returns how many stored answers were given in place of the
// server's so far (StoodIn): a caller that reads it before and after a
// request knows whether a stored answer stood in for that one, which the
// lasting Unanswered cannot tell in a long-running process.
func (g *Group) StandIns() uint64 { return g.standIns.Load() }

// Unanswered returns the cause of the last stored answer given in place of
// the server's (StoodIn), or nil when every answer was the server's: for a
// command to say that what it shows is a stored copy.
func (g *Group) Unanswered() error {
	if e := g.stood.Load(); e != nil {
		return *e
	}
	return nil
}

// NewGroup returns a Group for one server.
func NewGroup() *Group {
	life, end := context.WithCancel(context.Background())
	return &Group{life: life, end: end}
}

// Close ends the requests still on their way and waits for them.
func (g *Group) Close() {
	g.end()
	g.wg.Wait()
}

// Deaf reports that the server let a stored answer be given for it lately
// and has answered nothing since.
func (g *Group) Deaf() bool { return monoNow() < g.deafTill.Load() }

// Heard notes that the server answered a request.
func (g *Group) Heard() { g.deafTill.Store(0) }

// First gives stored at once while the server is deaf; otherwise it runs
// ask and gives its answer if it comes within Wait, and stored if not: ask
// then goes on without the caller until it ends or the Group closes (it
// stores what it gets itself), and the server is deaf for DeafFor. The
// caller giving up ends ask while it waits; First then returns ctx's
// error.
func First[T any](g *Group, ctx context.Context, stored T, ask func(context.Context) (T, error)) (T, error) {
	if g.Deaf() {
		g.StoodIn(ErrSlow)
		return stored, nil
	}
	type answer struct {
		v   T
		err error
	}
	done := make(chan answer, 1)
	rctx, cancel := context.WithCancel(g.life)
	detach := context.AfterFunc(ctx, cancel) // while the caller waits, its giving up ends the request
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		defer cancel()
		v, err := ask(rctx)
		done <- answer{v, err}
	}()
	t := time.NewTimer(Wait)
	defer t.Stop()
	select {
	case a := <-done:
		detach()
		return a.v, a.err
	case <-t.C:
		var zero T
		if !detach() { // the caller gave up first
			return zero, ctx.Err()
		}
		select {
		case a := <-done: // it answered as the time ran out
			return a.v, a.err
		default:
		}
		g.deafTill.Store(monoNow() + int64(DeafFor))
		g.StoodIn(ErrSlow)
		return stored, nil
	}
}

// epoch is what monoNow counts from: a second before the process started,
// so that no reading is 0.
var epoch = time.Now().Add(-time.Second)

// monoNow returns the time as nanoseconds since epoch on the monotonic
// clock. Wall-clock UnixNano lost the monotonic reading: a clock set back
// an hour (NTP, suspend and resume, the user) kept a server deaf for that
// hour, its stored answers given without asking it.
func monoNow() int64 { return int64(time.Since(epoch)) }
