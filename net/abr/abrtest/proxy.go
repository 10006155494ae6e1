package abrtest

import (
	"context"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"time"
)

// Link replays a trace in real time from the moment it is made: a token
// bucket with no burst whose rate is the trace step in force, shared by
// every request that crosses it (as one bottleneck link would be).
type Link struct {
	trace Trace
	start time.Time

	mu   sync.Mutex    // guards next
	next time.Duration // trace time at which the link is free again
}

// NewLink starts replaying trace now.
func NewLink(trace Trace) *Link { return &Link{trace: trace, start: time.Now()} }

// Now is the trace time: how long the link has been replaying.
func (l *Link) Now() time.Duration { return time.Since(l.start) }

// busyGap is how late a send may come after the link was free and still
// count as following on (the timer's overshoot of the previous send):
// without it every chunk would lose the overshoot and the link would run
// a fifth slower than its trace.
const busyGap = 20 * time.Millisecond

// readerLate is how far behind its previous chunk a response's reader may
// come back and still find the link busy since then: the sender went on
// sending into the sockets' buffers meanwhile (64 KiB hold 0.5 s at
// 1 Mbit/s). Without it, on a loaded machine (load 8 on 2 cores) every
// wake-up later than busyGap lost link time: 320k segments took 7.6 s on
// oscillation's 120 kbit/s steps instead of 6.7 s, a link 14% slower than
// the trace the oracle plans on.
const readerLate = 500 * time.Millisecond

// reserve books n bytes on the link for a chunk asked for at trace time
// now, and returns when they have crossed it. prev is when the same
// response's previous chunk crossed (negative for its first): when no
// other chunk was sent since, the link counts as busy from then on if the
// reader is at most readerLate behind.
func (l *Link) reserve(now, prev time.Duration, n int) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	from := l.next
	late := now - l.next
	if late > busyGap && (prev != l.next || late > readerLate) {
		from = now // the link was idle
	}
	l.next = l.trace.Finish(from, float64(n))
	return l.next
}

// send blocks until n bytes have crossed the link after the bytes already
// queued on it, or ctx ends (the bytes not sent then free the link again
// only from the next request on: like a real queue, what was queued is
// spent). prev is as for reserve; send returns when the bytes crossed.
func (l *Link) send(ctx context.Context, n int, prev time.Duration) (time.Duration, error) {
	end := l.reserve(l.Now(), prev, n)
	return end, sleepCtx(ctx, end-l.Now())
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Proxy is a reverse proxy to one origin whose responses cross a Link, each
// request first waiting the latency of the trace step in force plus Base.
type Proxy struct {
	Link *Link
	// Base is latency added to every request besides the trace's.
	Base time.Duration
	rp   *httputil.ReverseProxy
}

// chunk is how many bytes cross the link at a time: small enough that a
// rate change or a cancel takes effect within milliseconds at 96 kbit/s
// (about 0.35 s per chunk there is too coarse; 1 KiB is 85 ms).
const chunk = 1 << 10

// NewProxy returns a proxy to target whose answers replay link.
func NewProxy(target *url.URL, link *Link) *Proxy {
	p := &Proxy{Link: link, rp: httputil.NewSingleHostReverseProxy(target)}
	p.rp.FlushInterval = -1 // every write goes out at once: the link paces them
	p.rp.ModifyResponse = func(resp *http.Response) error {
		resp.Body = &throttled{r: resp.Body, link: link, ctx: resp.Request.Context(), prev: -1}
		return nil
	}
	return p
}

// ServeHTTP waits the latency, then forwards.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := sleepCtx(r.Context(), p.Base+p.Link.trace.At(p.Link.Now()).Latency); err != nil {
		return
	}
	p.rp.ServeHTTP(w, r)
}

// throttled is a response body whose bytes are released at the link's
// pace.
type throttled struct {
	r    io.ReadCloser
	link *Link
	ctx  context.Context
	prev time.Duration // when its previous chunk crossed; negative before the first
}

func (t *throttled) Read(b []byte) (int, error) {
	n, err := t.r.Read(b[:min(len(b), chunk)])
	if n > 0 {
		end, serr := t.link.send(t.ctx, n, t.prev)
		if serr != nil {
			return 0, serr
		}
		t.prev = end
	}
	return n, err
}

func (t *throttled) Close() error { return t.r.Close() }
