// Package fetch is the source chain for one segment: the local cache first,
// then remote tiers in order (peers, then the origin), each answer checked
// against the segment's sha256 before anything else sees it and stored in the
// cache. Concurrent requests for one hash share one download. It owns no
// storage and no network code of its own: the cache and the remotes are
// handed in.
package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"segue/catalog"
)

// Store is the local segment cache as fetch uses it. Any error from Get is
// treated as a miss.
type Store interface {
	Get(hash string) ([]byte, error)
	Put(hash string, data []byte) error
	AddSourceBytes(source string, n int64)
}

// holder is a Store that tells whether it holds a segment without
// counting a lookup (cache.Cache).
type holder interface {
	Has(hash string) bool
}

// Remote is one network tier that can produce a segment's bytes (the origin,
// a peer set). It need not verify them: Fetcher does.
type Remote interface {
	Chunk(ctx context.Context, hash string) ([]byte, error)
}

// UrgentRemote is a Remote that chooses how it answers by urgency (the
// peer swarm asks only fast peers for the segment the play head waits
// for); fetch calls ChunkAt instead of Chunk when a tier's Remote has it.
type UrgentRemote interface {
	ChunkAt(ctx context.Context, hash string, u catalog.Urgency) ([]byte, error)
}

// ProgressRemote is a Remote that reports the bytes of a download as they
// arrive (progress gets the count of each read); fetch calls ChunkProgress
// when a tier's Remote has it (and is not an UrgentRemote), so that
// Received can tell how far a download in flight has got.
type ProgressRemote interface {
	ChunkProgress(ctx context.Context, hash string, progress func(n int)) ([]byte, error)
}

// FreshRemote is a ProgressRemote that can ask on a connection of its own
// (ChunkFresh: opened for the request, shared with no other): askTwice
// sends its hedged request so, and the first request of a try after one
// that ran out of time or of a download the player gave up as stalled
// (Stalled). Over HTTP/2 (an https origin) every request shares one
// connection, and a request sent on it after, or beside, one whose
// connection died (a NAT or wifi that dropped it without a reset) got no
// answer either.
type FreshRemote interface {
	ChunkFresh(ctx context.Context, hash string, progress func(n int)) ([]byte, error)
}

// HedgedRemote is a Remote that may have the next tiers asked as well
// before it has answered (a hedged request: Dean & Barroso, "The Tail at
// Scale", CACM 2013): ChunkHedged calls hedge, at most once, when it has
// taken longer than it was expected to and the player cannot afford to wait
// for it much longer. Fetch then asks the rest of the chain too, takes the
// first verified answer and cancels the other request. The peer swarm is
// one: a peer that stopped answering (its process stopped, its host gone)
// held the segment from the origin for the swarm's whole budget, up to 5 s,
// and a short buffer ran dry meanwhile. fetch calls ChunkHedged, instead of
// ChunkAt or Chunk, when a tier's Remote has it and a tier follows it.
type HedgedRemote interface {
	ChunkHedged(ctx context.Context, hash string, u catalog.Urgency, hedge func()) ([]byte, error)
}

// Tier is a named Remote; SkipUrgent leaves it out when the play head is
// waiting (peers are slower to answer than the origin's first byte).
// Attempts overrides Options.Attempts for this tier (0: the default); a
// tier that fails over inside itself (the peer swarm) takes 1, so that a
// segment no peer holds goes to the next tier at once.
type Tier struct {
	Source     catalog.Source
	Remote     Remote
	SkipUrgent bool
	Attempts   int
}

var (
	// ErrHashMismatch is wrapped when a tier sent bytes whose sha256 differs from
	// the key: the bytes are dropped and the next attempt or tier is tried.
	ErrHashMismatch = errors.New("segment bytes do not match their sha256")
	// ErrNoRemote is what a Remote answers when it has nowhere to ask (no
	// origin but the configured one is known): its tier is passed over at
	// once, neither retried nor among the segment's errors. It was both:
	// "origin: no other origin known" closed every failed download's
	// message, which then was not said as one sentence.
	ErrNoRemote = errors.New("nowhere to ask")
	// ErrSilent is wrapped when a tier's last try ran out of time with not
	// a byte of the segment received (a tier that reports progress): the
	// network or the source does not answer, which a link too slow for the
	// segment (bytes came) is not.
	ErrSilent = errors.New("not a byte of the segment came in time")
	// ErrAnsweredElsewhere is the cause (context.Cause) with which a
	// HedgedRemote's request is cancelled when a tier after it answered
	// first: the remote was too slow, which a skip (plain cancellation)
	// does not say. The swarm counts a peer still asked then failed.
	ErrAnsweredElsewhere = errors.New("the segment came from another source first")
)

// Options tune a Fetcher. Zero values take the documented defaults.
type Options struct {
	// Attempts per tier for one call (default 3).
	Attempts int
	// Backoff before the second attempt, doubled after each (default 100 ms).
	Backoff time.Duration
	// Timeouts per attempt by urgency (defaults: Now 3 s, Soon 10 s, Prefetch 30 s).
	// An attempt that timed out while bytes were coming gives the next
	// attempt at that tier twice its time (a slow link, not a dead one);
	// one that brought nothing gives the next twice the urgency's time,
	// once (an origin slow to send its first byte). An attempt whose
	// request was hedged lasts until the hedge, sent HedgeAfter into it,
	// has had Timeouts[UrgencyNow] too (see askTwice): at the defaults an
	// origin that answers nothing fails a segment the play head waits for
	// after 16.8 s (4.5 s, 6 s, 6 s, and 0.3 s of backoff).
	Timeouts map[catalog.Urgency]time.Duration
	// HedgeAfter is how long a request for a segment the play head waits
	// for may go without a byte of its answer before a second request is
	// sent beside it (default DefaultHedgeAfter; see askTwice).
	HedgeAfter time.Duration
	// Logger receives warnings (cache write failures, bad bytes); default slog.Default().
	Logger *slog.Logger
}

// DefaultHedgeAfter is Options.HedgeAfter's default. A hedged request
// (Dean & Barroso, "The Tail at Scale", CACM 2013) is sent once the first
// has waited longer than nearly every answer takes (they hedge at the 95th
// percentile), so that it costs few extra requests. A segment's answer
// begins within tens of milliseconds on a LAN and a few hundred over the
// internet (the origin sends a stored blob); 1.5 s is several times that,
// and half the 3 s a request at UrgencyNow is given: the second request
// still has the time a first one would have to bring the segment (2.5 s
// of audio) before the listener hears more than about 2 s of silence.
const DefaultHedgeAfter = 1500 * time.Millisecond

// Fetcher gets segments through the chain. It is safe for concurrent use.
type Fetcher struct {
	store Store
	tiers []Tier
	opts  Options
	group singleflight.Group

	mu      sync.Mutex         // guards flights and stalled
	flights map[string]*flight // downloads in progress, by hash
	// stalled: segments whose last download was given up as its bytes
	// stopped coming (Stalled); the next asks on a connection of its own
	stalled map[string]bool

	putWarn sync.Once // a failing cache (disk full) is reported once, not per segment

	hedges atomic.Int64 // second requests sent (askTwice)
}

// Hedges is how many second requests f has sent beside a first that had
// not begun to answer while the play head waited (askTwice).
func (f *Fetcher) Hedges() int64 { return f.hedges.Load() }

// Urge tells f that the play head now waits for the segment hash, asked
// less urgently (a segment fetched ahead of the play head, or the next
// track's prefetched first one) and not yet arrived: its download is then
// treated as one at catalog.UrgencyNow, which may send a second request
// (askTwice). Nothing happens when hash has no download in flight.
func (f *Fetcher) Urge(hash string) {
	f.mu.Lock()
	fl := f.flights[hash]
	f.mu.Unlock()
	if fl != nil {
		fl.urge()
	}
}

// maxStalled bounds Fetcher.stalled: the hashes told by Stalled and not yet
// asked again (a player asks a stalled segment again at once, so a few).
const maxStalled = 256

// Stalled tells f that a download of hash was given up because its bytes
// stopped coming (the player's stall rule): the connection it came on may
// be dead (an HTTP/2 connection to an https origin carries every request,
// and one whose path died without a reset takes them all and answers
// none), so the next download of hash asks on a connection of its own
// (FreshRemote) when its tier can.
func (f *Fetcher) Stalled(hash string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.stalled) >= maxStalled {
		clear(f.stalled)
	}
	f.stalled[hash] = true
}

// New returns a Fetcher that asks store, then tiers in order.
func New(store Store, tiers []Tier, o Options) *Fetcher {
	if o.Attempts <= 0 {
		o.Attempts = 3
	}
	if o.Backoff <= 0 {
		o.Backoff = 100 * time.Millisecond
	}
	def := map[catalog.Urgency]time.Duration{
		catalog.UrgencyNow: 3 * time.Second, catalog.UrgencySoon: 10 * time.Second, catalog.UrgencyPrefetch: 30 * time.Second,
	}
	for u, d := range o.Timeouts {
		def[u] = d
	}
	o.Timeouts = def
	if o.HedgeAfter <= 0 {
		o.HedgeAfter = DefaultHedgeAfter
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Fetcher{store: store, tiers: tiers, opts: o, flights: map[string]*flight{}, stalled: map[string]bool{}}
}

type result struct {
	data []byte
	from catalog.Source
}

// Segment returns the verified bytes of the segment hash and where they came
// from. Callers sharing a hash share one download; a caller whose ctx ends
// stops waiting without cancelling the others.
func (f *Fetcher) Segment(ctx context.Context, hash string, u catalog.Urgency) ([]byte, catalog.Source, error) {
	if !catalog.ValidHash(hash) {
		return nil, "", fmt.Errorf("fetch segment %q: not a sha256", hash)
	}
	cached := func() (result, bool) {
		data, err := f.store.Get(hash)
		if err != nil {
			return result{}, false
		}
		f.store.AddSourceBytes(string(catalog.SourceCache), int64(len(data)))
		return result{data, catalog.SourceCache}, true
	}
	if r, ok := cached(); ok {
		return r.data, r.from, nil
	}
	fl, leave := f.join(hash)
	if u == catalog.UrgencyNow {
		fl.urge()
	}
	ch := f.group.DoChan(hash, func() (any, error) {
		// A download that ended between this caller's miss and now stored
		// the segment: without this look, a caller that missed the cache
		// as that download ended downloaded it again
		// (TestConcurrentCallersShareOneDownload failed 2 of 600 runs).
		// A store that can tell whether it holds the segment is asked
		// that first: this look is part of the caller's lookup, not a
		// second miss in the cache's counts (TestOneFetchIsOneLookup).
		if h, ok := f.store.(holder); !ok || h.Has(hash) {
			if r, ok := cached(); ok {
				return r, nil
			}
		}
		// Detached from the first caller so its cancellation does not fail
		// the others; it ends when the last caller gives up (an abandoned
		// download must not keep taking bandwidth), and each attempt has
		// its own deadline.
		return f.download(fl.ctx, hash, u, fl)
	})
	defer leave()
	select {
	case <-ctx.Done():
		return nil, "", fmt.Errorf("fetch segment %s: %w", hash[:12], ctx.Err())
	case r := <-ch:
		if r.Err != nil {
			return nil, "", r.Err
		}
		res := r.Val.(result)
		return res.data, res.from, nil
	}
}

// flight is one download shared by the callers waiting for it.
type flight struct {
	ctx     context.Context
	cancel  context.CancelFunc
	waiters int
	// received is the bytes of the current attempt so far (0 when its
	// tier does not report progress: ProgressRemote).
	received atomic.Int64
	// urgent is closed once the play head waits for the segment: a caller
	// asked at catalog.UrgencyNow, or Urge was called.
	urgent   chan struct{}
	urgeOnce sync.Once
	// hedged: the download's one second request was sent (askTwice)
	hedged atomic.Bool
	// fresh: the download's first request goes on a connection of its own
	// (Stalled); set at its start
	fresh bool
}

func (fl *flight) urge() { fl.urgeOnce.Do(func() { close(fl.urgent) }) }

// Received is the bytes received so far of the download of hash in
// flight: 0 when there is none or its source does not report progress
// (ProgressRemote). A retry starts again from 0.
func (f *Fetcher) Received(hash string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fl := f.flights[hash]; fl != nil {
		return fl.received.Load()
	}
	return 0
}

// join registers a caller waiting for hash and returns its download and
// the function to call when it stops waiting: the last caller to leave
// cancels the download and lets a later call start afresh.
func (f *Fetcher) join(hash string) (*flight, func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fl := f.flights[hash]
	if fl == nil {
		fl = &flight{urgent: make(chan struct{}), fresh: f.stalled[hash]}
		delete(f.stalled, hash)
		fl.ctx, fl.cancel = context.WithCancel(context.Background())
		f.flights[hash] = fl
	}
	fl.waiters++
	return fl, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if fl.waiters--; fl.waiters == 0 {
			fl.cancel()
			if f.flights[hash] == fl {
				delete(f.flights, hash)
				f.group.Forget(hash)
			}
		}
	}
}

func (f *Fetcher) download(ctx context.Context, hash string, u catalog.Urgency, fl *flight) (result, error) {
	o := f.chain(ctx, f.tiers, hash, u, fl)
	if o.ok {
		if err := f.store.Put(hash, o.res.data); err != nil {
			f.putWarn.Do(func() {
				f.opts.Logger.Warn("cache write failed; playing from the network", "err", err)
			})
		}
		f.store.AddSourceBytes(string(o.res.from), int64(len(o.res.data)))
		return o.res, nil
	}
	if len(o.errs) == 0 {
		return result{}, fmt.Errorf("fetch segment %s: no source configured", hash[:12])
	}
	if o.lacking > 0 && o.other == 0 { // no origin asked has it
		return result{}, fmt.Errorf("fetch segment %s: %w: %w", hash[:12], catalog.ErrSegmentGone, errors.Join(o.errs...))
	}
	return result{}, fmt.Errorf("fetch segment %s: %w", hash[:12], errors.Join(o.errs...))
}

// outcome is what asking some tiers for a segment came to: the verified
// answer (ok), else each tier's error.
type outcome struct {
	res  result
	ok   bool
	errs []error
	// lacking: origins that answered they have no such segment; other:
	// origins that failed otherwise (a peer lacking it says nothing)
	lacking, other int
}

// failed records tier t's error; ErrNoRemote (nowhere to ask) is no error.
func (o *outcome) failed(t Tier, err error) {
	if errors.Is(err, ErrNoRemote) {
		return
	}
	o.errs = append(o.errs, fmt.Errorf("%s: %w", t.Source, err))
	switch {
	case t.Source != catalog.SourceOrigin:
	case errors.Is(err, catalog.ErrNoSuchSegment):
		o.lacking++
	default:
		o.other++
	}
}

// merge adds the errors of r, asked after o's tiers, to o.
func (o *outcome) merge(r outcome) {
	o.errs = append(o.errs, r.errs...)
	o.lacking += r.lacking
	o.other += r.other
}

// chain asks tiers in order until one answers; a HedgedRemote's tier is
// asked beside the ones after it (see hedged).
func (f *Fetcher) chain(ctx context.Context, tiers []Tier, hash string, u catalog.Urgency, fl *flight) outcome {
	var o outcome
	for i, t := range tiers {
		if t.SkipUrgent && u == catalog.UrgencyNow {
			continue
		}
		if _, ok := t.Remote.(HedgedRemote); ok && i+1 < len(tiers) {
			h := f.hedged(ctx, t, tiers[i+1:], hash, u, fl)
			if h.ok {
				return h
			}
			o.merge(h)
			return o
		}
		data, err := f.fromTier(ctx, t, hash, u, fl, nil)
		if err != nil {
			o.failed(t, err)
			continue
		}
		o.res, o.ok = result{data, t.Source}, true
		return o
	}
	return o
}

// hedged asks tier t and, once t calls for it (HedgedRemote) or fails, the
// tiers after it (rest) as well: the first verified answer wins and the
// other request is cancelled (and waited for). Before, the tiers were
// asked strictly in turn, so a peer that hung kept the origin from being
// asked until the swarm's budget ran out. The rest is also asked once the
// play head waits for the segment (the flight is urgent: asked at
// UrgencyNow, or Urge) and t has had Options.HedgeAfter: t chose its own
// hedge by the urgency it was asked with, and a peer that held its answer
// to a request for the next track's first segment (prefetched: the swarm
// never hedges it) or for read-ahead with an ample buffer held the play
// head until the swarm's client gave up on its headers, 5 s after it was
// asked (TestUrgedPeerRequestIsHedgedToTheOrigin: 3.5 s of silence).
func (f *Fetcher) hedged(ctx context.Context, t Tier, rest []Tier, hash string, u catalog.Urgency, fl *flight) outcome {
	var wg sync.WaitGroup
	defer wg.Wait() // after both cancels below
	tctx, cancelT := context.WithCancelCause(ctx)
	defer cancelT(nil)
	rctx, cancelR := context.WithCancel(ctx)
	defer cancelR()

	type answer struct {
		data []byte
		err  error
	}
	done := make(chan answer, 1)
	called := make(chan struct{}) // closed when t calls for the rest
	var once sync.Once
	wg.Go(func() {
		data, err := f.fromTier(tctx, t, hash, u, fl, func() { once.Do(func() { close(called) }) })
		done <- answer{data, err}
	})
	first, hedge := (<-chan answer)(done), (<-chan struct{})(called)
	urgent, start := (<-chan struct{})(fl.urgent), time.Now()
	var due <-chan time.Time // nil until the flight is urgent
	var later <-chan outcome // nil until rest is asked and after it answered
	asked := false
	ask := func() {
		if !asked {
			ch := make(chan outcome, 1)
			asked, later = true, ch
			wg.Go(func() { ch <- f.chain(rctx, rest, hash, u, fl) })
		}
	}
	var o, restO outcome
	for first != nil || later != nil {
		select {
		case a := <-first:
			first = nil
			if a.err == nil {
				return outcome{res: result{a.data, t.Source}, ok: true}
			}
			o.failed(t, a.err)
			ask()
		case <-hedge:
			hedge = nil // closed: once is enough
			ask()
		case <-urgent:
			urgent = nil
			timer := time.NewTimer(max(0, f.opts.HedgeAfter-time.Since(start)))
			defer timer.Stop()
			due = timer.C
		case <-due:
			due = nil
			ask()
		case r := <-later:
			later = nil
			if r.ok {
				cancelT(ErrAnsweredElsewhere)
				return r
			}
			restO = r // t may still answer: wait for it
		}
	}
	o.merge(restO) // t's error, asked first, comes first
	return o
}

// fromTier tries one tier up to Attempts times with exponential backoff.
// An attempt that ran out of time while bytes were coming (received grew:
// a link slower than the segment's rate) gives the next one twice its time.
// With the same time for each, a link too slow to bring a segment within
// Timeouts[u] never brought one: each try started again from nothing, and
// below the lowest rendition's rate (96 kbit/s: 2.5 s of it in 3 s) play
// stayed silent for as long as it retried. A try that ran out of time with
// nothing received gives the next ones twice Timeouts[u], not more: an
// origin whose first byte comes after the timeout (under load, through a
// proxy to a cold replica) never answered a try of Timeouts[u], and a
// track waiting for it never started; a tier that sends nothing at all
// fails in 5 times Timeouts[u] over 3 tries (9 s at UrgencyNow before),
// plus the backoffs, plus HedgeAfter when the first try was hedged (16.8 s
// at UrgencyNow; see Options.Timeouts).
// When every try brought bytes that fail the hash check it gives up with
// catalog.ErrCorruptSegment naming the source: retrying later would only
// download the same wrong bytes again.
//
// hedge, when not nil, is handed to a HedgedRemote (see hedged).
func (f *Fetcher) fromTier(ctx context.Context, t Tier, hash string, u catalog.Urgency, fl *flight, hedge func()) ([]byte, error) {
	backoff := f.opts.Backoff
	attempts := f.opts.Attempts
	if t.Attempts > 0 {
		attempts = t.Attempts
	}
	timeout := f.opts.Timeouts[u]
	received := &fl.received
	var err error
	bad := 0
	// silent: the last try ran out of time with no byte of the segment,
	// from a tier that counts them (ProgressRemote)
	silent := false
	// fresh: the next try asks on a connection of its own (FreshRemote):
	// the download's last was given up as stalled (Stalled), or the last
	// try ran out of time and its connection may be dead
	fresh := fl.fresh
	_, urgent := t.Remote.(UrgentRemote)
	_, progress := t.Remote.(ProgressRemote)
	counts := progress && !urgent
	for attempt := 0; attempt < attempts; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(backoff):
			}
			backoff *= 2
		}
		actx, cancel := context.WithTimeout(ctx, timeout)
		var data []byte
		received.Store(0)
		if hr, ok := t.Remote.(HedgedRemote); ok && hedge != nil {
			data, err = hr.ChunkHedged(actx, hash, u, hedge)
		} else if ur, ok := t.Remote.(UrgentRemote); ok {
			data, err = ur.ChunkAt(actx, hash, u)
		} else if pr, ok := t.Remote.(ProgressRemote); ok {
			data, err = f.askTwice(ctx, actx, pr, hash, fl, fresh)
		} else {
			data, err = t.Remote.Chunk(actx, hash)
		}
		timedOut := errors.Is(actx.Err(), context.DeadlineExceeded) && ctx.Err() == nil
		slow := timedOut && received.Load() > 0
		silent = err != nil && timedOut && counts && received.Load() == 0
		fresh = err != nil && timedOut
		cancel()
		if errors.Is(err, ErrNoRemote) || errors.Is(err, catalog.ErrNoSuchSegment) {
			return nil, err // asking again brings nothing
		}
		switch {
		case err != nil && slow:
			timeout *= 2
		case silent:
			// an origin slow to answer at all (its first byte took
			// longer than the timeout under load) gets one longer try
			timeout = max(timeout, 2*f.opts.Timeouts[u])
		}
		if err == nil {
			if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) == hash {
				return data, nil
			}
			bad++
			err = ErrHashMismatch
			f.opts.Logger.Warn("dropped bad segment bytes", "source", sourceName(t, hash), "hash", hash)
		}
	}
	if bad == attempts {
		return nil, fmt.Errorf("%w: %s, %d tries (%w)", catalog.ErrCorruptSegment, sourceName(t, hash), bad, ErrHashMismatch)
	}
	if silent {
		return nil, fmt.Errorf("%w: %s, %v: %w", ErrSilent, sourceName(t, hash), timeout, err)
	}
	return nil, err
}

// sourceName names a tier for people: its kind and, when the remote
// knows it, the address it asks for hash ("origin http://127.0.0.1:7700").
func sourceName(t Tier, hash string) string {
	switch n := t.Remote.(type) {
	case interface{ BaseURLOf(hash string) string }:
		return string(t.Source) + " " + n.BaseURLOf(hash)
	case interface{ BaseURL() string }:
		return string(t.Source) + " " + n.BaseURL()
	}
	return string(t.Source)
}
