package player

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"segue/catalog"
	"segue/net/abr"
)

// SegmentIndex tells whether a segment is stored locally, and pinned for
// offline play; *cache.Cache satisfies it. The player asks it so that a
// segment cached in a good enough rendition (or pinned in any) is not
// downloaded again in another one, and so that with the origin unreachable
// it plays whatever rendition is cached.
type SegmentIndex interface {
	Has(hash string) bool
	Pinned(hash string) (bool, error)
}

// Progress tells how many bytes of a segment's download in flight have
// arrived (0 when none or unknown); *fetch.Fetcher satisfies it. The
// abandon rule uses it, when the SegmentSource has it, to project when a
// slow download will finish.
type Progress interface {
	Received(hash string) int64
}

// Urger is told that the play head has come to wait for a segment whose
// download, asked less urgently, is in flight; *fetch.Fetcher satisfies
// it, and then sends a second request beside a first that has not begun
// to answer (fetch.Options.HedgeAfter). The segment fetched ahead was
// asked at UrgencySoon and the next track's first at UrgencyPrefetch, and
// a request whose answer never began held the play head until that
// urgency's timeout: 7.5 s at a track's second segment.
type Urger interface {
	Urge(hash string)
}

// Restarter is told that a segment's download was given up because its
// bytes stopped coming (stallRestart), before it is asked again;
// *fetch.Fetcher satisfies it, and asks again on a connection of its own.
// Over HTTP/2 (an https origin) every request shares one connection, and
// one whose path died without a reset took the request asked again too.
type Restarter interface {
	Stalled(hash string)
}

// ErrNotOffline is wrapped when a track cannot play because the origin is
// unreachable and a segment of it is cached in no rendition.
var ErrNotOffline = errors.New("not available offline")

// unreachableFor is how long after a fetch found the origin unreachable
// the player takes any cached rendition first instead of asking again.
const unreachableFor = 10 * time.Second

// OfflineAfter is how long the origin must have been unreachable before a
// segment the play head is waiting for, cached in no rendition, fails its
// track "not available offline". Sooner, and while the buffer still plays,
// the origin is taken for restarting and the segment is retried.
const OfflineAfter = 5 * time.Second

// DefaultSourceName is Options.SourceName's default: segue's own origin.
const DefaultSourceName = "the origin"

// UnreachableStall is what a stall with the source not answering
// (StallEvent.Unreachable) means to a listener, in the words the interface
// and segue play say, source being StallEvent.Source (empty:
// DefaultSourceName): the track is skipped within OfflineAfter of the
// source's first silence unless another source has the segment.
func UnreachableStall(source string) string {
	return "waiting for " + cmp.Or(source, DefaultSourceName) + ", which does not answer: unless it is back within seconds this track is skipped (tracks stored here play on)"
}

// abandonCheck is how often a download in progress is checked against
// abr.AbandonRule.
const abandonCheck = 100 * time.Millisecond

// A download whose bytes stopped coming (a connection stalled mid-answer:
// a NAT or wifi that dropped it without a reset, a proxy that hung) is
// asked again on a new request once no byte came for stallRestart while
// less than stallDue is buffered ahead of it (the play head waits for it,
// or soon will); each time again for that segment waits twice as long, so
// that a link whose bytes come in bursts further apart still brings one.
// Before, only the fetch chain's timeout ended it: 10 s for a segment
// fetched ahead, 30 s for the next track's first ones, and the play head
// waited out the rest of a 20 s stall (5 to 12 s of silence in
// TestStalledDownloadIsAskedAgain). A download with no byte yet is left
// to the fetch chain: an origin slow to send its first byte under load
// would never answer a request that is asked again every few seconds (the
// chain sends one hedged request beside it once the play head waits for
// it: Urger).
const (
	stallRestart = 2 * time.Second
	stallDue     = 5 * time.Second
	stallCheck   = 500 * time.Millisecond
	stallBytes   = 4 << 10
)

// stallWait is how long a download that received loaded bytes in took
// must go without another before it counts as stalled: stall, or as long
// as the link, at the pace it kept, takes to bring stallBytes (a few TCP
// segments), when that is longer. A slow link is not a stalled one: a
// 5 kbit/s link whose bytes came 1 KiB at a time, 1.6 s apart and over
// 2 s on a loaded machine (TestPlaySaysItRetries), was taken for stalled,
// and its segment asked again from the first byte; at that pace a stall
// is 6.5 s without a byte.
func stallWait(stall time.Duration, loaded int64, took time.Duration) time.Duration {
	return max(stall, time.Duration(float64(stallBytes)/float64(loaded)*float64(took)))
}

// ErrStalled is wrapped in the ErrorEvent of a segment asked again
// because its bytes stopped coming (stallRestart).
var ErrStalled = errors.New("the segment's bytes stopped coming")

// metrics is the ABR snapshot for segment i with buffer ahead.
func (ts *trackStream) metrics(i int, buffer time.Duration) abr.Metrics {
	return abr.Metrics{Levels: ts.lad.levels, Max: ts.lad.max, Buffer: buffer, Playing: ts.playing(), Target: ts.p.opts.ReadAhead, Segment: ts.segDuration(i)}
}

// choose returns the level to fetch segment i in: the fixed preference, or
// the ABR's choice; then, if a level at least as good is cached (any level
// while the origin is unreachable), that one, and cached.
func (ts *trackStream) choose(i int, buffer time.Duration) (level int, auto, cached bool) {
	p := ts.p
	q := p.Quality()
	if auto = q == QualityAuto; auto {
		level = p.opts.ABR.Choose(ts.metrics(i, buffer)).Level
	} else {
		level = ts.lad.fixed(q)
	}
	floor := level
	if p.unreachable() {
		floor = 0
	}
	if l, ok := ts.cachedFrom(i, floor); ok {
		level, cached = l, true
	}
	return level, auto, cached
}

// cachedFrom returns the highest level >= floor whose segment i is
// cached, or a lower one that is pinned (an offline item never downloads
// again in another rendition). A cached level above max_quality counts: it
// costs no data.
func (ts *trackStream) cachedFrom(i, floor int) (int, bool) {
	idx := ts.p.opts.Cached
	if idx == nil {
		return 0, false
	}
	for l := len(ts.lad.rends) - 1; l >= 0; l-- {
		h := ts.lad.rends[l].Segments[i].Hash
		if !idx.Has(h) {
			continue
		}
		if l >= floor {
			return l, true
		}
		if ts.pinned(i, l) {
			return l, true
		}
	}
	return 0, false
}

// download is one attempt at a segment: its bytes, or, with auto, that
// abr.AbandonRule gave it up (and the level to fetch instead).
type download struct {
	data      []byte
	from      Source
	took      time.Duration
	abandoned bool
	instead   int
	// stalled: given up as no byte came for the attempt's stall time
	stalled bool
	err     error
}

// attempt is what download fetches: segment i in level, with urgency u,
// due within buffer (the audio ahead of it). auto: the ABR may abandon
// it. cached: the cache has it, so there is nothing to abandon (and no
// 100 ms ticker to wake the process for). replaces: a copy is buffered
// already (abr.ReplaceRule), so the attempt is also given up once the
// decoder has taken that copy.
//
// stall is how long the download may go without a byte, once bytes came,
// while the segment is due within stallDue, before it is given up
// (download.stalled) to be asked again (0: never).
type attempt struct {
	i, level               int
	auto, cached, replaces bool
	u                      Urgency
	buffer                 time.Duration
	stall                  time.Duration
}

func (ts *trackStream) download(a attempt) download {
	p := ts.p
	seg := ts.lad.rends[a.level].Segments[a.i]
	t0 := time.Now()
	progress, _ := p.opts.Segments.(Progress)
	abandons := a.auto && a.level > 0
	stalls := progress != nil && a.stall > 0
	// urges: once the play head waits for the segment, the source is told
	// (asked at UrgencyNow it knows); a replacement never is waited for
	urger, _ := p.opts.Segments.(Urger)
	urges := urger != nil && a.u != catalog.UrgencyNow && !a.replaces
	if a.cached || !abandons && !stalls && !urges && !a.replaces {
		data, from, err := p.opts.Segments.Segment(ts.ctx, seg.Hash, a.u)
		return download{data: data, from: from, took: time.Since(t0), err: err}
	}
	ctx, cancel := context.WithCancel(ts.ctx)
	defer cancel()
	done := make(chan download, 1)
	go func() { // owned: every return below waits for it
		data, from, err := p.opts.Segments.Segment(ctx, seg.Hash, a.u)
		done <- download{data: data, from: from, err: err}
	}()
	every := abandonCheck
	if !abandons && !a.replaces {
		every = stallCheck // a stall is told in seconds: fewer wake-ups
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	var seen int64 // bytes received at the last change
	seenAt := t0   // when the count last changed
	for {
		select {
		case d := <-done:
			d.took = time.Since(t0)
			return d
		case now := <-tick.C:
			if a.replaces && ts.taken(a.i) {
				cancel()
				<-done
				return download{abandoned: true}
			}
			if urges && ts.needed(a.i) {
				urger.Urge(seg.Hash)
				urges = false // once is enough
			}
			var loaded int64
			if progress != nil {
				loaded = progress.Received(seg.Hash)
			}
			if loaded != seen { // a retry inside the chain starts again from 0
				seen, seenAt = loaded, now
			}
			if stalls && loaded > 0 && loaded < seg.Size && now.Sub(seenAt) >= stallWait(a.stall, loaded, seenAt.Sub(t0)) && ts.buffer() < stallDue {
				cancel()
				d := <-done
				if d.err == nil { // it arrived as it was given up: keep it
					d.took = time.Since(t0)
					return d
				}
				if r, ok := p.opts.Segments.(Restarter); ok {
					r.Stalled(seg.Hash)
				}
				return download{stalled: true}
			}
			if !abandons {
				continue
			}
			f := abr.Inflight{Level: a.level, Elapsed: time.Since(t0), Buffer: a.buffer, Size: int(seg.Size), Loaded: int(loaded)}
			ch, ok := p.opts.ABR.Abandon(ts.metrics(a.i, a.buffer), f)
			if !ok {
				continue
			}
			cancel()
			d := <-done
			if d.err == nil { // it arrived as it was given up: keep it
				d.took = time.Since(t0)
				return d
			}
			if !a.replaces {
				p.emit(AbandonEvent{TrackID: ts.track.ID, Index: a.i, Rendition: ts.lad.rends[a.level].Name, Instead: ts.lad.rends[ch.Level].Name, Reason: ch.Reason})
			}
			return download{abandoned: true, instead: ch.Level}
		}
	}
}

// fetchSegment gets segment i into the buffer: it chooses the level, takes
// a cached one when it can, abandons and refetches lower when a download
// will not arrive in time, falls back to any cached level when the origin
// is unreachable (failing the track "not available offline" when there is
// none), keeps sending corrupt bytes or no longer has it (failing the
// track when there is none), and otherwise retries with backoff. It returns false when
// the stream was closed or the track failed (ts.failure is set).
func (ts *trackStream) fetchSegment(i int, u Urgency) bool {
	p := ts.p
	backoff := p.opts.RetryBackoff
	forced, replace := -1, true
	stall := stallRestart
	for {
		buffer := ts.buffer()
		level, auto, cached := ts.choose(i, buffer)
		if forced >= 0 {
			level, forced, cached = forced, -1, false
		} else if auto && replace {
			if tried, ok := ts.replaceAhead(i, level, buffer); tried {
				replace = ok // one attempt that fails per new segment
				continue
			}
		}
		d := ts.download(attempt{i: i, level: level, auto: auto, cached: cached, u: u, buffer: buffer, stall: stall})
		if ts.ctx.Err() != nil {
			return false
		}
		wait := backoff
		switch after, busy := p.busyWait(d.err); {
		case d.stalled:
			// asked again at once, as urgently as it is needed now (a
			// prefetched segment may have become the one the play head
			// waits for)
			p.emit(ErrorEvent{TrackID: ts.track.ID, Err: fmt.Errorf("fetch segment %d of track %s (asking again): %w: none came for %v", i, ts.track.ID, ErrStalled, stall)})
			u, replace = catalog.UrgencySoon, false
			if ts.needed(i) {
				u = catalog.UrgencyNow
			}
			stall *= 2
			continue
		case d.abandoned:
			forced = d.instead
			continue
		case busy:
			// the origin is there and asks to be asked again later (its
			// catalog restarts): the track was skipped as if it were gone
			if l, ok := ts.cachedFrom(i, 0); ok && l != level {
				forced = l
				continue
			}
			wait = max(wait, after)
		case d.err == nil:
			if d.from == catalog.SourceOrigin {
				p.busySince.Store(0) // it serves again
			}
			if d.from != catalog.SourceCache {
				p.reachable()
				// measured at a fixed quality too: upgradeAhead asks the
				// estimate whether a segment fetched again comes in time,
				// and auto starts from it
				p.opts.ABR.Downloaded(len(d.data), d.took, ts.segDuration(i))
			}
			if auto {
				p.opts.ABR.Chose(level)
			}
			ts.store(i, fetched{data: d.data, rendition: ts.lad.rends[level].Name, kbps: ts.lad.rends[level].Bitrate, cached: d.from == catalog.SourceCache})
			p.emit(SegmentEvent{TrackID: ts.track.ID, Index: i, Rendition: ts.lad.rends[level].Name, From: d.from, Bytes: len(d.data), Took: d.took})
			return true
		case errors.Is(d.err, catalog.ErrUnreachable) || isRetryLater(d.err):
			// an origin that has asked to be asked later for BusyFor counts
			// as unreachable: the next track does not wait BusyFor again
			p.markUnreachable()
			if _, ok := ts.cachedFrom(i, 0); ok {
				continue // choose takes it now
			}
			if p.offline() && ts.needed(i) {
				why := p.opts.SourceName + " is unreachable"
				if isRetryLater(d.err) {
					why = fmt.Sprintf("%s has answered for over %v that it cannot serve now", p.opts.SourceName, p.opts.BusyFor)
				}
				ts.fail(fmt.Errorf("play %s: %w: %s and segment %d of it is cached in no rendition", trackName(ts.track), ErrNotOffline, why, i))
				return false
			}
		case errors.Is(d.err, catalog.ErrCorruptSegment):
			// The fetch chain tried a bounded number of times and names the
			// source; asking again would bring the same bytes.
			if _, ok := ts.cachedFrom(i, 0); ok && !p.unreachable() {
				p.markUnreachable() // take what the cache holds for this one
				continue
			}
			ts.fail(fmt.Errorf("play %s: segment %d: %w", trackName(ts.track), i, d.err))
			return false
		case errors.Is(d.err, catalog.ErrSegmentGone):
			// The track was taken out of the origin after its manifest was
			// read: retrying stalled play for ever and the queue never
			// went on.
			if l, ok := ts.cachedFrom(i, 0); ok && l != level {
				forced = l // the cache holds it in another rendition
				continue
			}
			ts.fail(p.segmentGone(ts, i))
			return false
		}
		p.emit(ErrorEvent{TrackID: ts.track.ID, Err: fmt.Errorf("fetch segment %d of track %s (retrying in %v): %w", i, ts.track.ID, wait, d.err)})
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ts.ctx.Done():
			t.Stop()
			return false
		}
		backoff = min(backoff*2, maxRetryBackoff)
	}
}

// replaceAhead fetches again at level (the level chosen for segment i, at
// most max_quality) the
// buffered segment abr.ReplaceRule picks, if any, and puts it in place of
// the buffered copy when it arrives before the decoder takes that one. It
// reports whether it tried one and whether it replaced it. A segment taken
// from the cache is never fetched again (a pinned one must not be, and
// with the origin unreachable the cache is all there is), nor is one of a
// stream prefetched after the current track.
func (ts *trackStream) replaceAhead(i, level int, buffer time.Duration) (tried, replaced bool) {
	p := ts.p
	if p.unreachable() {
		return false, false
	}
	// A cached segment above max_quality plays (it costs no data), but
	// nothing is downloaded above it.
	level = min(level, ts.lad.max)
	ts.mu.Lock()
	if ts.prefetch {
		ts.mu.Unlock()
		return false, false
	}
	var ahead []abr.Buffered
	var index []int // segment of each of ahead
	var starts time.Duration
	for j := ts.reading + 1; j < i; j++ {
		f, ok := ts.segs[j]
		if !ok {
			break
		}
		if !f.cached {
			ahead = append(ahead, abr.Buffered{Level: ts.lad.levelOf(f.rendition), Starts: starts})
			index = append(index, j)
		}
		starts += ts.segDuration(j)
	}
	ts.mu.Unlock()
	k, ok := p.opts.ABR.Replace(ts.metrics(i, buffer), level, ahead)
	if !ok {
		return false, false
	}
	return true, ts.refetch(index[k], level, true, ahead[k].Starts)
}

// refetch fetches buffered segment j again in level and puts it in place
// of the buffered copy when it arrives before the decoder takes that one
// (the download is given up once it does), reporting whether it did.
// starts is how far ahead of the play head j starts; auto: the ABR chose
// level (it may abandon the download). The download is measured either way.
func (ts *trackStream) refetch(j, level int, auto bool, starts time.Duration) (replaced bool) {
	p := ts.p
	d := ts.download(attempt{i: j, level: level, auto: auto, replaces: true, u: catalog.UrgencySoon, buffer: starts})
	if d.abandoned || d.err != nil {
		return false
	}
	if d.from != catalog.SourceCache {
		p.opts.ABR.Downloaded(len(d.data), d.took, ts.segDuration(j))
	}
	rend := ts.lad.rends[level]
	ts.mu.Lock()
	old, ok := ts.segs[j]
	replaced = ok && j > ts.reading
	if replaced {
		ts.segs[j] = fetched{data: d.data, rendition: rend.Name, kbps: rend.Bitrate, cached: d.from == catalog.SourceCache}
	}
	ts.mu.Unlock()
	if replaced {
		p.emit(SegmentEvent{TrackID: ts.track.ID, Index: j, Rendition: rend.Name, From: d.from, Bytes: len(d.data), Took: d.took, Replaces: old.rendition})
	}
	return replaced
}

// upgradeAhead is a switch to a higher fixed quality heard from the next
// segment on, not once the read-ahead window (20 s) has played out: it
// fetches again in the level the quality asks for the nearest buffered
// segment in a lower one (refetch) that arrives before it plays, and
// reports whether it tried one. Each segment is tried once for each level
// (upgraded), so a failing download is not asked again and again. As for
// a segment not yet fetched (choose), a copy pinned for offline play is
// kept, and nothing is fetched while the source is unreachable, nor for a
// stream prefetched after the current track. A switch down lets the
// buffered segments play out: they are downloaded already.
//
// With the throughput estimate known, a segment is fetched again only on
// a link that carries the level with bandwidth to spare (abr.Metrics.Carries,
// as fast switching asks under auto) and when, at the estimate, its
// download takes at most abr.InsufficientBufferSafety of the time before
// it plays. On a link too slow for the level (a 320k segment of 2.5 s
// takes 4 s at 200 kbit/s) the nearest one was fetched again, given up
// as the decoder took the lower copy, then the next nearest, the fetcher
// busy with downloads never heard while the buffer drained; fetching
// those in time instead played the levels in turns, a segment each. There
// the buffered segments now play out, as the interface's status line
// says (qualityLine). room says the window has room for the next segment:
// then a buffered one is fetched again first (never while the estimate is
// unknown), as long as the next one, fetched after it, still arrives in
// time: with the window seldom full on a link a little above the level,
// a switch up was heard only once all that was buffered lower had played.
func (ts *trackStream) upgradeAhead(room bool) bool {
	p := ts.p
	q := p.Quality()
	if q == QualityAuto || p.unreachable() {
		return false
	}
	level := ts.lad.fixed(q)
	kbps := p.opts.ABR.Kbps()
	if (room || kbps > 0) && !(abr.Metrics{Levels: ts.lad.levels}).Carries(level, kbps) {
		return false
	}
	type lower struct {
		i, level int
		cached   bool
		starts   time.Duration
	}
	var below []lower
	var starts time.Duration
	ts.mu.Lock()
	for k := ts.reading + 1; !ts.prefetch; k++ {
		f, ok := ts.segs[k]
		if !ok {
			break
		}
		if l := ts.lad.levelOf(f.rendition); l < level && ts.upgraded[k] < level {
			below = append(below, lower{k, l, f.cached, starts})
		}
		starts += ts.segDuration(k)
	}
	ts.mu.Unlock()
	if len(below) == 0 {
		return false
	}
	playing := ts.playing()
	for _, b := range below {
		if kbps > 0 {
			m := ts.metrics(b.i, 0)
			if !m.InTime(level, kbps, playing+b.starts) {
				continue // not here before it plays; a later one may be
			}
			if room && !m.InTime(level, kbps/2, playing+starts) {
				// the next segment, fetched after it, would come too late
				return false
			}
		}
		ts.upgraded[b.i] = level
		if b.cached && ts.pinned(b.i, b.level) {
			continue
		}
		ts.refetch(b.i, level, false, b.starts)
		return true
	}
	return false
}

// pinned reports whether segment i in level is pinned in the cache.
func (ts *trackStream) pinned(i, level int) bool {
	idx := ts.p.opts.Cached
	if idx == nil {
		return false
	}
	pinned, err := idx.Pinned(ts.lad.rends[level].Segments[i].Hash)
	return err == nil && pinned
}

// taken reports whether the decoder has taken segment i of this stream.
func (ts *trackStream) taken(i int) bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return i <= ts.reading
}

// segmentGone is the failure of ts, segment i of which no origin asked
// has (catalog.ErrSegmentGone). The origin deletes the segments of a track
// it takes out of its catalog (those no other track shares), so it asks
// for the manifest again: a 404 there is the track removed (*GoneError);
// a manifest still there is one segment missing from the blob store
// (segmentMissingError), which the origin's operator has to mend.
func (p *Player) segmentGone(ts *trackStream, i int) error {
	_, err := p.opts.Manifests.Manifest(ts.ctx, ts.track.ID)
	if IsGone(err) {
		return &GoneError{Track: ts.track, Segment: i, Source: p.opts.SourceName, Err: err}
	}
	return segmentMissingError{track: ts.track, index: i, source: p.opts.SourceName}
}

// segmentMissingError fails a track a segment of which the source no
// longer has while the track is still in its catalog; source is
// Options.SourceName.
type segmentMissingError struct {
	track  catalog.Track
	index  int
	source string
}

func (e segmentMissingError) Error() string {
	return fmt.Sprintf("play %s: %s no longer has segment %d of it, though the track is still in its catalog (its blob store lost it): it is skipped", trackName(e.track), e.source, e.index)
}

func (e segmentMissingError) Unwrap() error { return catalog.ErrSegmentGone }

// trackName is how a message names a track: its title in quotes, or its ID.
func trackName(t catalog.Track) string {
	if t.Title == "" {
		return "track " + t.ID
	}
	return fmt.Sprintf("%q", t.Title)
}

// maxRetryBackoff caps the wait between attempts at one segment.
const maxRetryBackoff = 5 * time.Second

// busyFor is the default Options.BusyFor: how long the player waits as an
// origin asks it to (503 with Retry-After: catalog.RetryLater) before it
// takes the origin for unreachable; maxBusyWait caps one wait. A catalog
// database's restart or failover takes seconds to tens of seconds
// (origin/unavailable.go).
const (
	busyFor     = time.Minute
	maxBusyWait = 30 * time.Second
)

// busyWait returns the wait before asking again when err is the origin's
// answer that it cannot serve now and when to ask again
// (catalog.RetryLater), at most maxBusyWait, while the origin has answered
// so for less than Options.BusyFor; false otherwise. The outage is the
// player's, not one fetch's: it starts at the first such answer and ends
// at a download from the origin (or after BusyFor without such an answer),
// so once it has lasted BusyFor every track and segment is served as with
// an unreachable origin (the cache in any rendition, the track failed "not
// available offline" when it holds none) instead of waiting BusyFor again;
// the origin is still asked, so playback comes back with it.
func (p *Player) busyWait(err error) (time.Duration, bool) {
	after, ok := catalog.RetryAfter(err)
	if !ok {
		return 0, false
	}
	now := monoNow()
	if last := p.busyLast.Swap(now); last != 0 && now-last >= int64(p.opts.BusyFor) {
		p.busySince.Store(0) // a new outage: the last ended unnoticed
	}
	p.busySince.CompareAndSwap(0, now)
	if now-p.busySince.Load() >= int64(p.opts.BusyFor) {
		return 0, false
	}
	return min(after, maxBusyWait), true
}

// isRetryLater reports whether err is the origin's answer that it cannot
// serve now (catalog.RetryLater).
func isRetryLater(err error) bool {
	_, ok := catalog.RetryAfter(err)
	return ok
}

// markUnreachable notes that the origin could not be reached: for a while
// every segment is taken from the cache in any rendition it holds.
func (p *Player) markUnreachable() {
	now := monoNow()
	p.unreachableUntil.Store(now + int64(unreachableFor))
	p.unreachableSince.CompareAndSwap(0, now)
}

// reachable notes a download from the network.
func (p *Player) reachable() {
	p.unreachableUntil.Store(0)
	p.unreachableSince.Store(0)
}

// offline reports whether the origin counts as gone: unreachable for
// OfflineAfter.
func (p *Player) offline() bool {
	since := p.unreachableSince.Load()
	return since != 0 && monoNow()-since >= int64(OfflineAfter)
}

// needed reports whether the play head is waiting for segment i of this
// stream (it is current and has reached i).
func (ts *trackStream) needed(i int) bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return !ts.prefetch && i <= ts.reading
}

func (p *Player) unreachable() bool { return monoNow() < p.unreachableUntil.Load() }

// epoch is what monoNow counts from: a second before the process started,
// so that no reading is 0 (which the fields holding them take for unset).
var epoch = time.Now().Add(-time.Second)

// monoNow returns the time as nanoseconds since epoch on the monotonic
// clock, for timings kept in atomics. Wall-clock UnixNano, compared with
// time.Since(time.Unix(0, ns)), had lost the monotonic reading: a clock
// step (NTP, suspend and resume, the user setting the time) made the
// origin count as gone for hours, or never.
func monoNow() int64 { return int64(time.Since(epoch)) }
