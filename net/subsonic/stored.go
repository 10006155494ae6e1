package subsonic

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"segue/net/originclient"
)

// late owns the calls that outlived their caller: a stored answer was
// given while the server's was on its way, to be stored when it comes.
type late struct {
	life     context.Context // ends at Close
	end      context.CancelFunc
	wg       sync.WaitGroup
	deafTill atomic.Int64 // unix ns until which stored answers are given without asking
}

func newLate() late {
	life, end := context.WithCancel(context.Background())
	return late{life: life, end: end}
}

// close ends the calls and waits for them.
func (l *late) close() {
	l.end()
	l.wg.Wait()
}

// storedFirst answers a call that has a stored answer as originclient
// answers a document with a stored copy: the server gets
// originclient.StoredWait to answer (none while it is deaf); past it the
// stored answer is given and the call goes on without the caller (ask
// stores its answer), and for originclient.DeafFor, or until the server
// answers, stored answers are given without asking. A server that takes
// connections but does not answer (a stopped process, a hung proxy) had
// every listing and cover of a pinned album wait out the 15 s answer
// timeout, then fail: only a refused connection let the stored answer
// through.
func storedFirst[T any](c *Client, ctx context.Context, stored T, ask func(context.Context) (T, error)) (T, error) {
	if time.Now().UnixNano() < c.late.deafTill.Load() {
		return stored, nil
	}
	type answer struct {
		v   T
		err error
	}
	done := make(chan answer, 1)
	rctx, cancel := context.WithCancel(c.late.life)
	detach := context.AfterFunc(ctx, cancel) // while the caller waits, its giving up ends the call
	c.late.wg.Add(1)
	go func() {
		defer c.late.wg.Done()
		defer cancel()
		v, err := ask(rctx)
		if err == nil {
			c.late.deafTill.Store(0)
		}
		done <- answer{v, err}
	}()
	t := time.NewTimer(originclient.StoredWait)
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
		c.late.deafTill.Store(time.Now().Add(originclient.DeafFor).UnixNano())
		return stored, nil
	}
}
