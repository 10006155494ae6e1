package player

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"segue/catalog"
	"segue/net/abr"
)

// Options configures a Player. Zero fields take the documented defaults.
type Options struct {
	// Segments and Manifests are required.
	Segments  SegmentSource
	Manifests ManifestSource
	// Output receives the samples; required. The caller closes it after Close.
	Output Output
	// ReadAhead is how much audio to keep fetched ahead of the play head
	// (default 20 s).
	ReadAhead time.Duration
	// PrefetchBefore is how long before a track ends the next one's first
	// segments are fetched (default 30 s).
	PrefetchBefore time.Duration
	// PrefetchSegments is how many segments of the next track are fetched
	// before it becomes current (default 2).
	PrefetchSegments int
	// Quality is the rendition preference (default auto); SetQuality
	// changes it while playing.
	Quality Quality
	// MaxQuality caps the renditions downloaded (data saver): low, normal,
	// high or "" for none.
	MaxQuality string
	// ABR chooses renditions for Quality auto and keeps the throughput
	// estimate (default: a new abr.Controller knowing nothing). Pass one
	// loaded from the state directory to start from the last estimate.
	ABR *abr.Controller
	// Cached, when set, tells which segments the local cache holds, so
	// cached renditions are preferred and used when the origin is down.
	Cached SegmentIndex
	// Loudness is the normalization mode (default track) toward TargetLUFS
	// (default -14).
	Loudness   LoudnessMode
	TargetLUFS float64
	// MaxBoostDB caps how far normalization raises a track, in dB (default
	// DefaultMaxBoostDB; NoBoost or any negative value: never raise).
	MaxBoostDB float64
	// RetryBackoff is the first wait after a failed segment fetch; it
	// doubles up to 5 s (default 250 ms).
	RetryBackoff time.Duration
	// BusyFor is how long the player waits for an origin that answers it
	// cannot serve now (503 with Retry-After: its catalog database
	// restarts; 429) before it takes the origin for unreachable (default 1 min).
	BusyFor time.Duration
	// EventBuffer is the capacity of the events channel (default 256).
	EventBuffer int
	// SourceName names where Segments and Manifests get their tracks, in
	// the listener's words: a noun phrase with its article, lower case,
	// that reads in "waiting for SourceName, which does not answer"
	// ("the Subsonic server"). Default DefaultSourceName.
	SourceName string
}

// chunk is how many samples the render loop hands the output at a time
// (23 ms): small enough for prompt control, large enough to be cheap.
const chunk = 1024

// Player plays a Queue of tracks gaplessly to an Output.
//
// Lock order: Player.mu before trackStream.mu. The render goroutine owns the
// decoder; commands only swap streams under mu and cancel the old one.
type Player struct {
	opts   Options
	events chan Event
	// dropped counts events a slow consumer missed.
	dropped atomic.Int64
	// playingAhead is the current track's buffer (a time.Duration), for
	// the next track's choices; unreachableUntil is when the origin may
	// be tried again first (monoNow; 0: it answered last).
	playingAhead     atomic.Int64
	unreachableUntil atomic.Int64
	// unreachableSince is when the origin stopped answering (monoNow, 0
	// while it answers): a short outage is a restart, a long one offline.
	unreachableSince atomic.Int64
	// busySince is when the origin first answered it cannot serve now
	// (busyWait; monoNow, 0: it has not since a download from it), and
	// busyLast when it last did: one outage for every track and segment.
	busySince atomic.Int64
	busyLast  atomic.Int64
	quality   atomic.Value // Quality
	stats     stats

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // the render goroutine, prefetchers and retirements

	mu       sync.Mutex // guards everything below
	queue    *Queue
	radio    map[string]bool       // IDs of tracks a radio queued (PlayRadio, AddRadio; markLocked)
	gone     map[string]bool       // IDs of tracks removed from the catalog (GoneError)
	unsaid   map[string]*GoneError // found by a prefetch, by track ID: said when the track comes up
	state    State
	paused   bool
	volume   int
	startAt  int64        // where the next stream of the current track starts (samples)
	cur      *trackStream // nil: open one for the queue's current track
	next     *trackStream // prefetched stream for nextIdx
	nextIdx  int
	fetching bool   // a prefetch is running
	tried    string // the last prefetch started ("index:id"), so a failure is not retried in a loop
	wake     chan struct{}
	lastPos  int64
	reopen   bool       // the current track's next stream is a seek's
	shown    string     // the ID of the track the last TrackEvent reported
	missed   queuePlace // the first track that failed for want of the origin (missedLocked)
	// waiting is the stream whose play head waits for a segment (nil:
	// none), so that Resume says buffering, not playing, during a stall
	waiting *trackStream
}

// queuePlace is a queue entry: its index and its track's ID (the entry is
// still there when the track at idx has that ID); idx -1 is none.
type queuePlace struct {
	idx int
	id  string
}

// New returns a Player with defaults applied; Open starts it.
func New(opts Options) *Player {
	if opts.ReadAhead <= 0 {
		opts.ReadAhead = 20 * time.Second
	}
	if opts.PrefetchBefore <= 0 {
		opts.PrefetchBefore = 30 * time.Second
	}
	if opts.PrefetchSegments <= 0 {
		opts.PrefetchSegments = 2
	}
	if opts.Quality == "" {
		opts.Quality = QualityAuto
	}
	if opts.ABR == nil {
		opts.ABR = abr.NewController(nil)
	}
	if opts.TargetLUFS == 0 {
		opts.TargetLUFS = DefaultTargetLUFS
	}
	if opts.MaxBoostDB == 0 {
		opts.MaxBoostDB = DefaultMaxBoostDB
	}
	if opts.RetryBackoff <= 0 {
		opts.RetryBackoff = 250 * time.Millisecond
	}
	if opts.BusyFor <= 0 {
		opts.BusyFor = busyFor
	}
	if opts.EventBuffer <= 0 {
		opts.EventBuffer = 256
	}
	if opts.SourceName == "" {
		opts.SourceName = DefaultSourceName
	}
	p := &Player{opts: opts, events: make(chan Event, opts.EventBuffer), queue: NewQueue(), volume: 100, wake: make(chan struct{}), missed: queuePlace{idx: -1}}
	p.quality.Store(opts.Quality)
	return p
}

// SourceName returns Options.SourceName, or DefaultSourceName when it
// was empty.
func (p *Player) SourceName() string { return p.opts.SourceName }

// Quality returns the rendition preference.
func (p *Player) Quality() Quality { return p.quality.Load().(Quality) }

// SetQuality changes the rendition preference; segments fetched from now
// on follow it. A higher fixed quality also fetches again what is buffered
// in a lower one, nearest first (trackStream.upgradeAhead), so that it is
// heard from the next segment on; at a lower one, or auto, what is
// buffered plays out.
func (p *Player) SetQuality(q Quality) {
	p.quality.Store(q)
	p.mu.Lock()
	ts := p.cur
	p.mu.Unlock()
	if ts != nil { // its fetcher waits for room in a full window
		ts.mu.Lock()
		ts.signal()
		ts.mu.Unlock()
	}
	p.emit(ChangedEvent{})
}

// unpaced reports whether the output renders faster than real time (see
// Unpaced).
func (p *Player) unpaced() bool {
	u, ok := p.opts.Output.(Unpaced)
	return ok && u.Unpaced()
}

// Open validates the options and starts the render goroutine.
func (p *Player) Open() error {
	if p.opts.Segments == nil || p.opts.Manifests == nil || p.opts.Output == nil {
		return errors.New("open player: segments, manifests and output are required")
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.mu.Lock()
	p.outputVolumeLocked()
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.run()
	}()
	if _, ok := p.opts.Output.(Delayer); ok {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.clock()
		}()
	}
	return nil
}

// Close stops playback and waits for every goroutine the player started.
// What a current track wrote to a Flusher output is dropped: the render
// loop may be waiting in the output's Write for the device to take a
// period (ALSA: 3 s), and the sound, and Close, waited as long. With no
// track current (the queue ended) the output keeps the last track's end,
// which the caller's Output.Close may play out.
func (p *Player) Close() error {
	if p.cancel == nil {
		return nil
	}
	p.mu.Lock()
	// Cancelled first: the render loop starts no Write after it, and one
	// that started before the flush finds the output empty, with room.
	p.cancel()
	if f, ok := p.opts.Output.(Flusher); ok && p.cur != nil {
		f.Flush()
	}
	p.mu.Unlock()
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, ts := range []*trackStream{p.cur, p.next} {
		if ts != nil {
			ts.close()
		}
	}
	p.cur, p.next = nil, nil
	return nil
}

// Events returns the channel every Event is sent on. Consume it promptly:
// position, buffer and segment events are dropped when it is full.
func (p *Player) Events() <-chan Event { return p.events }

// poke wakes the render loop; mu must be held.
func (p *Player) poke() { close(p.wake); p.wake = make(chan struct{}) }

// restartLocked drops the current stream and what the output holds, so
// the render loop opens the queue's current track at sample start.
func (p *Player) restartLocked(start int64) {
	p.openLocked(start) // first: the stream's cancel stops the render loop's writes
	if f, ok := p.opts.Output.(Flusher); ok {
		f.Flush()
	}
}

// openLocked drops the current stream so the render loop opens the queue's
// current track at sample start, after what the output holds.
func (p *Player) openLocked(start int64) {
	if p.cur != nil {
		p.retireLocked(p.cur) // the render goroutine may be inside it; it notices the cancel
		p.cur = nil
	}
	p.startAt = start
	p.lastPos = -1
	p.tried = ""
	p.reopen = false
	p.poke()
}

// retireLocked closes a stream in the background: closing waits for its
// fetcher, which must not hold up a command.
func (p *Player) retireLocked(ts *trackStream) {
	ts.cancel()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		ts.close()
	}()
}

func (p *Player) setState(s State) {
	if p.state == s {
		return
	}
	p.state = s
	p.emit(StateEvent{State: s})
}

// setBuffering is called by a stream waiting for (or receiving) a segment.
func (p *Player) setBuffering(ts *trackStream, waiting bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ts != p.cur {
		return
	}
	p.waiting = nil
	if waiting {
		p.waiting = ts // for Resume, when the wait began while paused
	}
	if p.paused {
		return
	}
	if waiting {
		p.setState(Buffering)
	} else {
		p.setState(Playing)
	}
}

// run is the render loop: it pulls samples from the current stream, applies
// gain and volume (unless the output applies the volume: Volumer), and
// writes them to the output.
func (p *Player) run() {
	buf := make([][2]float64, chunk)
	var last *trackStream // the stream read last, whose decoder is closed when the loop moves on
	defer func() {
		if last != nil {
			last.closeDecoder()
		}
	}()
	for {
		ts, factor, ok := p.current()
		if !ok {
			return
		}
		if last != ts && last != nil {
			last.closeDecoder()
		}
		last = ts
		n, done, err := ts.read(buf)
		if n > 0 && ts.ctx.Err() == nil { // a retired stream's samples would follow a flush
			for i := range buf[:n] {
				buf[i][0] *= factor
				buf[i][1] *= factor
			}
			if werr := p.opts.Output.Write(buf[:n]); werr != nil {
				p.emit(ErrorEvent{TrackID: ts.track.ID, Err: &OutputError{werr}, Fatal: true})
				p.mu.Lock()
				p.paused = true
				p.setState(Paused)
				p.mu.Unlock()
				continue
			}
		}
		if done {
			p.waitHeard(ts)
		}
		p.afterRead(ts, done, err)
	}
}

// current returns the stream to read and the gain to apply, opening the
// current track's stream when needed and waiting while paused or idle.
func (p *Player) current() (*trackStream, float64, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		if p.ctx.Err() != nil {
			return nil, 0, false
		}
		tr, hasTrack := p.queue.Current()
		if p.paused || !hasTrack {
			w := p.wake
			if o, ok := p.opts.Output.(Idler); ok {
				o.Idle(!p.paused)
			}
			p.mu.Unlock()
			select {
			case <-w:
			case <-p.ctx.Done():
			}
			p.mu.Lock()
			continue
		}
		if p.cur != nil {
			return p.cur, p.cur.gain * p.renderVolumeLocked(), true
		}
		idx, start := p.queue.Index(), p.startAt
		if p.gone[tr.ID] {
			// said once when it was found gone (by a prefetch: now), then
			// skipped without asking, and a queue of nothing else ends
			// (repeat all went round it for ever, a 404 each time)
			if e := p.unsaid[tr.ID]; e != nil {
				delete(p.unsaid, tr.ID)
				p.emit(ErrorEvent{TrackID: tr.ID, Err: e, Fatal: true})
			}
			if p.allGoneLocked() {
				p.queue.cur = -1
				p.startAt, p.reopen = 0, false
				p.endLocked()
			} else {
				p.skipLocked()
			}
			continue
		}
		if p.next != nil && p.nextIdx == idx && p.next.track.ID == tr.ID && start == 0 {
			p.cur, p.next = p.next, nil
			p.cur.promote()
		} else {
			w := p.wake
			p.mu.Unlock()
			man, err := p.manifest(tr.ID)
			p.mu.Lock()
			if w != p.wake { // a command changed things meanwhile
				continue
			}
			if wait, ok := p.busyWait(err); ok {
				// the origin is there and asks to be asked again later
				// (its catalog restarts): skipping emptied the queue
				p.setState(Buffering)
				p.emit(ErrorEvent{TrackID: tr.ID, Err: fmt.Errorf("%s asks to be asked again in %v: %w", p.opts.SourceName, wait, err)})
				w := p.wake
				p.mu.Unlock()
				t := time.NewTimer(wait)
				select {
				case <-t.C:
				case <-w:
				case <-p.ctx.Done():
				}
				t.Stop()
				p.mu.Lock()
				continue
			}
			if err != nil {
				if IsGone(err) {
					err = &GoneError{Track: tr, Segment: -1, Source: p.opts.SourceName, Err: err}
					p.markGoneLocked(tr.ID)
				}
				p.emit(ErrorEvent{TrackID: tr.ID, Err: err, Fatal: true})
				if IsGone(err) {
					p.emit(ChangedEvent{}) // the queue's marks changed (Status.Gone)
				}
				p.missedLocked(idx, tr.ID, err)
				p.skipLocked()
				continue
			}
			p.cur = newTrackStream(p, tr, man, start, false)
			p.opts.ABR.Reset() // a start or a seek: the buffer is empty
			p.cur.begin()
		}
		p.lastPos = -1
		p.setState(Playing)
		// a seek before the track's first stream opened (next, then seek
		// at once) still starts it
		p.emit(TrackEvent{Track: tr, Index: idx, Duration: p.cur.duration(), Seek: p.reopen && p.shown == tr.ID})
		p.reopen, p.shown = false, tr.ID
	}
}

// renderVolumeLocked is the factor the render loop applies for the
// volume: 1 when the output applies the volume itself (Volumer).
func (p *Player) renderVolumeLocked() float64 {
	if _, ok := p.opts.Output.(Volumer); ok {
		return 1
	}
	return volumeFactor(p.volume)
}

// outputVolumeLocked tells an output that applies the volume itself
// (Volumer) the current one.
func (p *Player) outputVolumeLocked() {
	if o, ok := p.opts.Output.(Volumer); ok {
		o.SetVolume(volumeFactor(p.volume))
	}
}

// manifest fetches and validates a track's manifest.
func (p *Player) manifest(id string) (*catalog.Manifest, error) {
	m, err := p.opts.Manifests.Manifest(p.ctx, id)
	if err != nil {
		return nil, fmt.Errorf("get manifest of track %s: %w", id, err)
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("play track %s: %w", id, err)
	}
	return m, nil
}

// missedLocked remembers the queue entry of a track that failed for want
// of the origin (ErrNotOffline, or a manifest the origin was not there to
// send: catalog.ErrUnreachable), the first since playback was started:
// Resume after the queue ran out starts there. With the origin down, every
// uncached track of the queue failed in under a second, and Resume then
// started from the first track, losing the listener's place (found by two
// new-user passes, stops 32 and 33).
func (p *Player) missedLocked(idx int, id string, err error) {
	if p.missed.idx < 0 && (errors.Is(err, ErrNotOffline) || errors.Is(err, catalog.ErrUnreachable)) {
		p.missed = queuePlace{idx, id}
	}
}

// endLocked stops playback because the queue ran out, and says so
// (EndEvent: the interface's radio may go on from there).
func (p *Player) endLocked() {
	p.setState(Stopped)
	p.emit(EndEvent{Gone: p.allGoneLocked()})
}

// skipLocked moves past a track that cannot play.
func (p *Player) skipLocked() {
	if !p.queue.Next() {
		p.endLocked()
	}
	p.startAt = 0
	p.reopen = false
}

// afterRead records progress, starts the next track's prefetch when the
// current one nears its end, and moves on when it is done.
func (p *Player) afterRead(ts *trackStream, done bool, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ts != p.cur {
		return // replaced by a command while we read
	}
	ts.pos = ts.out
	if err != nil && !errors.Is(err, errStreamClosed) {
		if IsGone(err) {
			p.markGoneLocked(ts.track.ID)
		}
		p.emit(ErrorEvent{TrackID: ts.track.ID, Err: err, Fatal: true})
		if IsGone(err) {
			p.emit(ChangedEvent{}) // the queue's marks changed (Status.Gone)
		}
		p.missedLocked(p.queue.Index(), ts.track.ID, err)
		done = true
	}
	// An output that holds seconds of audio has its position reported by
	// the clock as it is heard; this loop writes ahead of it.
	_, delayed := p.opts.Output.(Delayer)
	if heard := p.heardLocked(ts); p.lastPos < 0 || !delayed && heard-p.lastPos >= catalog.SampleRate/4 || done {
		p.lastPos = heard
		p.emit(PositionEvent{TrackID: ts.track.ID, Position: samplesToDuration(heard), Duration: ts.duration()})
	}
	if !done {
		if ts.remaining() <= p.opts.PrefetchBefore {
			p.prefetchLocked()
		}
		return
	}
	p.retireLocked(ts)
	p.cur = nil
	p.startAt = 0
	p.tried = ""
	if !p.queue.Advance() {
		p.endLocked()
	}
}

// prefetchLocked starts fetching the first segments of the track that
// follows, once.
func (p *Player) prefetchLocked() {
	idx := p.queue.PeekAdvance()
	if idx < 0 || p.fetching || (p.next != nil && p.nextIdx == idx) {
		return
	}
	tr, _ := p.queue.At(idx)
	key := fmt.Sprintf("%d:%s", idx, tr.ID)
	if key == p.tried || p.gone[tr.ID] {
		// a track marked gone (MarkGone: by the restored queue's check) is
		// skipped without asking: its manifest was asked for again here
		return
	}
	p.tried = key
	if p.next != nil {
		p.retireLocked(p.next)
		p.next = nil
	}
	p.fetching = true
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		man, err := p.manifest(tr.ID)
		p.mu.Lock()
		defer p.mu.Unlock()
		p.fetching = false
		if IsGone(err) && p.ctx.Err() == nil && !p.gone[tr.ID] {
			// marked now (the queue shows it), said when it comes up,
			// and not asked for again then
			p.markAheadLocked(tr, err)
		}
		if err != nil || p.ctx.Err() != nil {
			return // the render loop reports it when the track comes up
		}
		ts := newTrackStream(p, tr, man, 0, true)
		ts.begin()
		p.next, p.nextIdx = ts, idx
	}()
}

// heardLocked is the sample of ts being heard: what was written less what
// the output has not played yet (Delayer), never before where ts started
// (the previous track's end may still be playing).
func (p *Player) heardLocked(ts *trackStream) int64 {
	d, ok := p.opts.Output.(Delayer)
	if !ok {
		return ts.pos
	}
	return max(ts.first, ts.pos-int64(d.Unheard()))
}

// trackChangeLead is how long before the end of a track is heard the next
// one becomes current (TrackEvent, Status) and starts rendering: enough
// for its first samples to reach the device in time (they are prefetched),
// the 0.75 s a 500 ms device buffer used to give.
const trackChangeLead = 750 * time.Millisecond

// waitHeard waits, once ts is written to its end, until no more than
// trackChangeLead of it is left unheard in the output (Delayer), so that
// the next track does not become current seconds before it is heard (the
// clock reports the position heard meanwhile). It returns early
// when ts stops being current; a pause stops the output meanwhile, and a
// resume starts it again.
func (p *Player) waitHeard(ts *trackStream) {
	d, ok := p.opts.Output.(Delayer)
	if !ok {
		return
	}
	lead := int(catalog.SampleRate * trackChangeLead / time.Second)
	t := time.NewTimer(time.Hour) // reset before each use (Go 1.23 timers: no stale tick)
	defer t.Stop()
	for paused := false; ; {
		p.mu.Lock()
		if ts != p.cur || p.ctx.Err() != nil {
			p.mu.Unlock()
			return
		}
		w := p.wake
		if p.paused != paused {
			paused = p.paused
			if o, ok := p.opts.Output.(Idler); ok && paused {
				o.Idle(false)
			} else if !paused {
				p.opts.Output.Write(nil) // starts the output again
			}
		}
		left := d.Unheard() - lead
		p.mu.Unlock()
		if left <= 0 && !paused {
			return
		}
		var tick <-chan time.Time
		if !paused {
			t.Reset(samplesToDuration(int64(left)))
			tick = t.C
		}
		select {
		case <-tick:
		case <-w:
		case <-p.ctx.Done():
		}
	}
}
