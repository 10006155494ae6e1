package fetch

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
)

// heldFirst is a FaultProxy in front of the origin at url that holds the
// answer to the first chunk request, headers and all, for hold; asked
// counts the chunk requests and gaveUp is set when the held request's
// client gave up before the hold ended.
func heldFirst(t *testing.T, url string, hold time.Duration) (proxy string, asked *atomic.Int64, gaveUp *atomic.Bool) {
	return faultFirst(t, url, hold, testkit.HoldHeaders)
}

// faultFirst is heldFirst doing fault to the first chunk request.
func faultFirst(t *testing.T, url string, hold time.Duration, fault testkit.Fault) (proxy string, asked *atomic.Int64, gaveUp *atomic.Bool) {
	asked, gaveUp = new(atomic.Int64), new(atomic.Bool)
	p := testkit.FaultProxy(t, url, hold, func(r *http.Request) testkit.Fault {
		if !strings.HasPrefix(r.URL.Path, "/chunks/") || asked.Add(1) != 1 {
			return testkit.Pass
		}
		testkit.WatchGaveUp(r, hold, gaveUp)
		return fault
	})
	return p.URL, asked, gaveUp
}

// A request the play head waits for whose answer never begins (an origin
// or a proxy holding it) waited out the try's timeout (3 s at
// UrgencyNow) before the segment was asked again. Now a second request is
// sent beside it after HedgeAfter, the first answer is taken and the held
// request given up: two requests, one hedge, well within the timeout.
func TestHeldAnswerIsHedged(t *testing.T) {
	url, hashes, _, _ := originWith(t, randomBytes(40_000))
	proxy, asked, gaveUp := heldFirst(t, url, 20*time.Second)
	f := New(openCache(t), []Tier{{Source: catalog.SourceOrigin, Remote: client(t, proxy)}}, Options{HedgeAfter: 200 * time.Millisecond})
	start := time.Now()
	data, from, err := f.Segment(context.Background(), hashes[0], catalog.UrgencyNow)
	took := time.Since(start)
	if err != nil || from != catalog.SourceOrigin || len(data) != 40_000 {
		t.Fatalf("from %q, %d bytes, %v; want the segment from the origin", from, len(data), err)
	}
	if took >= time.Second || asked.Load() != 2 || f.Hedges() != 1 {
		t.Errorf("took %v (want under 1 s), asked %d times (want 2), %d hedges (want 1)", took, asked.Load(), f.Hedges())
	}
	testkit.Wait(t, 10*time.Second, "the held request given up", gaveUp.Load)
}

// An answer whose status and headers came and then no byte of its body
// (a proxy that answered before its upstream's body came) is no answer to
// the play head, as one that has not begun is: the player's stall rule
// needs a byte to act, so without the hedge only the try's timeout (3 s)
// would end it. It is hedged alike, and the held request given up.
func TestHeldBodyIsHedged(t *testing.T) {
	url, hashes, _, _ := originWith(t, randomBytes(40_000))
	proxy, asked, gaveUp := faultFirst(t, url, 20*time.Second, testkit.HoldBody)
	f := New(openCache(t), []Tier{{Source: catalog.SourceOrigin, Remote: client(t, proxy)}}, Options{HedgeAfter: 200 * time.Millisecond})
	start := time.Now()
	data, _, err := f.Segment(context.Background(), hashes[0], catalog.UrgencyNow)
	took := time.Since(start)
	t.Logf("came in %v", took)
	if err != nil || len(data) != 40_000 {
		t.Fatalf("%d bytes, %v; want the segment", len(data), err)
	}
	if took >= time.Second || asked.Load() != 2 || f.Hedges() != 1 {
		t.Errorf("took %v (want under 1 s), asked %d times (want 2), %d hedges (want 1)", took, asked.Load(), f.Hedges())
	}
	testkit.Wait(t, 10*time.Second, "the held request given up", gaveUp.Load)
}

// A segment fetched ahead or prefetched is never hedged: its request is
// kept alone however late its answer begins (the play head is not waiting
// for it), until Urge says the play head has come to wait for it; then the
// second request goes out at once, as the first has waited HedgeAfter.
func TestOnlyAWaitedForSegmentIsHedged(t *testing.T) {
	for _, u := range []catalog.Urgency{catalog.UrgencySoon, catalog.UrgencyPrefetch} {
		url, hashes, _, _ := originWith(t, randomBytes(40_000))
		proxy, asked, _ := heldFirst(t, url, time.Second)
		f := New(openCache(t), []Tier{{Source: catalog.SourceOrigin, Remote: client(t, proxy)}}, Options{HedgeAfter: 200 * time.Millisecond})
		if _, _, err := f.Segment(context.Background(), hashes[0], u); err != nil {
			t.Fatalf("%v: %v", u, err)
		}
		if asked.Load() != 1 || f.Hedges() != 0 {
			t.Errorf("%v: asked %d times (want 1), %d hedges (want 0)", u, asked.Load(), f.Hedges())
		}
	}

	url, hashes, _, _ := originWith(t, randomBytes(40_000))
	proxy, asked, gaveUp := heldFirst(t, url, 20*time.Second)
	f := New(openCache(t), []Tier{{Source: catalog.SourceOrigin, Remote: client(t, proxy)}}, Options{HedgeAfter: 200 * time.Millisecond})
	done := make(chan error, 1)
	go func() {
		_, _, err := f.Segment(context.Background(), hashes[0], catalog.UrgencySoon)
		done <- err
	}()
	time.Sleep(500 * time.Millisecond) // the request fetched ahead waits unhedged
	if f.Hedges() != 0 {
		t.Fatalf("a segment fetched ahead was hedged before the play head waited for it")
	}
	urged := time.Now()
	f.Urge(hashes[0])
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if took := time.Since(urged); took >= time.Second || asked.Load() != 2 || f.Hedges() != 1 {
		t.Errorf("after Urge: came in %v (want under 1 s), asked %d times (want 2), %d hedges (want 1)", took, asked.Load(), f.Hedges())
	}
	testkit.Wait(t, 10*time.Second, "the held request given up", gaveUp.Load)
}

// An origin slow to begin every answer (under load) still answers: the
// first request is kept beside the hedge and, answering first, wins; the
// hedge is given up before it reaches the origin, and no third request is
// sent. Cancelling the first and asking again would never have been
// answered.
func TestSlowOriginAnswersTheFirstRequest(t *testing.T) {
	blob := randomBytes(40_000)
	url, hashes, hits, _ := originWith(t, blob)
	var asked atomic.Int64
	proxy := testkit.SlowProxy(t, url, 600*time.Millisecond, func(r *http.Request) bool {
		if strings.HasPrefix(r.URL.Path, "/chunks/") {
			asked.Add(1)
		}
		return true
	})
	f := New(openCache(t), []Tier{{Source: catalog.SourceOrigin, Remote: client(t, proxy.URL)}}, Options{HedgeAfter: 200 * time.Millisecond})
	data, _, err := f.Segment(context.Background(), hashes[0], catalog.UrgencyNow)
	if err != nil || !bytes.Equal(data, blob) {
		t.Fatalf("%d bytes, %v; want the segment", len(data), err)
	}
	if asked.Load() != 2 || f.Hedges() != 1 || hits.Load() != 1 {
		t.Errorf("asked %d times (want 2: the first and one hedge), %d hedges (want 1), origin answered %d (want 1: the first)", asked.Load(), f.Hedges(), hits.Load())
	}
}
