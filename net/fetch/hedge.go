package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"sync/atomic"
	"time"

	"segue/catalog"
)

// askTwice is one try at a tier that reports its bytes as they come (the
// origin), with a hedged request: once the play head waits for the
// segment (the flight is urgent: asked at UrgencyNow, or Urge) and the
// request has brought not a byte for Options.HedgeAfter, a second request for it is sent beside the
// first, both are kept, the first answer whose bytes match hash wins and
// the other request is cancelled (and waited for). At most one is sent
// per download (flight.hedged), never while the segment is only fetched
// ahead or prefetched. Before, a request whose answer never began (an
// origin or a proxy holding the answer's headers) held the play head
// until the try's timeout for the urgency it was asked with: 7.5 s of
// silence at a track's second segment (asked 10 s ahead), 9 s at the
// next track's first (prefetched, 30 s; ended by the origin client's 15 s
// wait for an answer's headers). Asking again
// instead, cancelling the first, would never get an answer from an origin
// slow to begin under load (each request cancelled just before it would
// have answered): the first is kept, and answers if it can.
//
// "Not a byte" is what fetch can see (ProgressRemote counts the body's
// bytes): no headers yet, or headers and then no body, are alike here.
// The second request goes on a connection of its own when the remote can
// ask so (FreshRemote): over HTTP/2 (an https origin) Go's transport put
// it on the first's connection, which, dead, answered neither
// (TestDeadConnectionIsNotAskedAgain). It has Timeouts[UrgencyNow] from
// when it is sent, ctx (not actx, the first's try) bounding it, so the try
// lasts until it too has had its time: 4.5 s, not 3 s, for a first try at
// UrgencyNow that nothing answers (HedgeAfter + Timeouts[UrgencyNow];
// TestSilentOriginFailsInTheDocumentedTime). Ending it with the first's
// try would leave it 1.5 s to bring the segment, and on a link slow
// enough that it had begun to and not finished, the next try would ask
// again from the first byte. Later tries are not hedged (one per
// download). A request whose bytes have begun to come and then stop is
// not hedged here: the player asks it again (its stallRestart), on a
// connection of its own (Stalled).
//
// Headers that came with no body byte after them count as no answer, as
// no headers do: the play head waits alike, the player's stall rule (which
// needs a byte) does not act on either, and a held body (a proxy whose
// upstream stalled after the status) is answered by a second request as
// a held status is (TestHeldBodyIsHedged).
//
// It returns the first verified answer; else bytes that fail the hash
// (for fromTier to count and report); else the first request's error.
//
// With fresh the first request too goes on a connection of its own (see
// fromTier).
func (f *Fetcher) askTwice(ctx, actx context.Context, pr ProgressRemote, hash string, fl *flight, fresh bool) ([]byte, error) {
	type answer struct {
		data   []byte
		err    error
		second bool
	}
	done := make(chan answer, 2)
	var got [2]atomic.Int64 // bytes received by each request
	count := func(k int) func(int) {
		return func(n int) {
			got[k].Add(int64(n))
			fl.received.Store(max(got[0].Load(), got[1].Load()))
		}
	}
	var wg sync.WaitGroup
	defer wg.Wait() // after the cancels below
	firstCtx, cancelFirst := context.WithCancel(actx)
	defer cancelFirst()
	secondCtx, cancelSecond := context.WithCancel(ctx)
	defer cancelSecond()

	fr, _ := pr.(FreshRemote)
	start := time.Now()
	wg.Go(func() {
		ask := pr.ChunkProgress
		if fresh && fr != nil {
			ask = fr.ChunkFresh
		}
		data, err := ask(firstCtx, hash, count(0))
		done <- answer{data, err, false}
	})
	urgent := (<-chan struct{})(fl.urgent)
	if fl.hedged.Load() {
		urgent = nil
	}
	var due <-chan time.Time // nil until the flight is urgent
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	pending := 1
	var wrong []byte
	var firstErr, secondErr error
	for pending > 0 {
		select {
		case <-urgent:
			urgent = nil
			timer = time.NewTimer(max(0, f.opts.HedgeAfter-time.Since(start)))
			due = timer.C
		case <-due:
			due = nil
			if got[0].Load() > 0 || !fl.hedged.CompareAndSwap(false, true) {
				continue
			}
			f.hedges.Add(1)
			pending++
			wg.Go(func() {
				sctx, cancel := context.WithTimeout(secondCtx, f.opts.Timeouts[catalog.UrgencyNow])
				defer cancel()
				ask := pr.ChunkProgress
				if fr != nil {
					ask = fr.ChunkFresh // not on the first's connection
				}
				data, err := ask(sctx, hash, count(1))
				done <- answer{data, err, true}
			})
		case a := <-done:
			pending--
			switch {
			case a.err == nil && matches(a.data, hash):
				return a.data, nil // the deferred cancels end the other
			case a.err == nil:
				wrong = a.data
			case a.second:
				secondErr = a.err
			default:
				// the second, if out, may still answer; with none out
				// the try ends here (fromTier's next try may send one)
				firstErr = a.err
			}
		}
	}
	if wrong != nil {
		return wrong, nil
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return nil, secondErr
}

// matches reports whether data's sha256 is hash (hex).
func matches(data []byte, hash string) bool {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]) == hash
}
