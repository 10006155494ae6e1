package player

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"segue/catalog"
)

// trackStream turns one track's segments into its exact, trimmed samples.
// A fetcher goroutine keeps the segments ahead of the play head; the render
// goroutine reads them through one MP3 decoder that runs across segment and
// rendition boundaries (libmpg123's feed API: the decoder is handed bytes
// as they come and never seeks).
type trackStream struct {
	p     *Player
	track catalog.Track
	man   *catalog.Manifest
	lad   ladder  // the renditions as ABR levels
	gain  float64 // loudness normalization, linear
	// continues: the stream was prefetched to follow the previous track
	// gaplessly, so waiting for its first segment is a stall, not startup.
	continues bool
	frames    []int64 // first frame of each segment, plus the total at the end

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // the fetcher

	mu       sync.Mutex      // guards the fields up to changed
	segs     map[int]fetched // fetched, not yet consumed
	reading  int             // segment the decoder is consuming
	took     int             // the last segment the decoder took (-1: none yet)
	prefetch bool            // not yet current: fetch only the first segments
	failure  error           // the track cannot play (not available offline)
	changed  chan struct{}   // closed and replaced whenever the above change
	startSeg int             // first segment fetched
	skipTo   int             // frame within startSeg the decoder starts at

	// fetcher only
	upgraded map[int]int // segment -> the highest level upgradeAhead tried it in

	// render goroutine only
	lastRend string // rendition of the segment being consumed
	dec      decoder
	cur      []byte
	next     int   // next segment index the reader takes
	discard  int   // decoded samples still to drop (start_skip, preroll, seek)
	out      int64 // samples of the track emitted so far (the play head)

	// pos is out as of the last afterRead, for other goroutines; guarded
	// by Player.mu.
	pos int64
	// first is the sample the stream started at.
	first int64
}

type fetched struct {
	data      []byte
	rendition string
	kbps      int
	cached    bool // taken from the cache: never fetched again higher
}

// newTrackStream prepares to play track from sample start; call begin to
// start fetching.
func newTrackStream(p *Player, track catalog.Track, man *catalog.Manifest, start int64, prefetch bool) *trackStream {
	ts := &trackStream{p: p, track: track, man: man, lad: newLadder(man, p.opts.MaxQuality), continues: prefetch,
		segs: map[int]fetched{}, prefetch: prefetch, changed: make(chan struct{}), took: -1, upgraded: map[int]int{}}
	ts.gain = dbToLinear(GainDB(man.Loudness, p.opts.Loudness, p.opts.TargetLUFS, p.opts.MaxBoostDB))
	segs := man.Renditions[0].Segments
	ts.frames = make([]int64, len(segs)+1)
	for i, s := range segs {
		ts.frames[i+1] = ts.frames[i] + int64(s.Frames)
	}
	start = min(max(start, 0), man.TotalSamples)
	ts.out, ts.pos, ts.first = start, start, start
	// Decode from one frame before the frame holding the first wanted sample
	// (preroll: the MDCT overlap and synthesis filter need it), then drop
	// everything before that sample.
	p0 := int64(man.StartSkip) + start
	f := p0 / int64(man.SamplesPerFrame)
	if f > 0 {
		f--
	}
	ts.discard = int(p0 - f*int64(man.SamplesPerFrame))
	if !framed(man) { // runs of bytes: decode from the start, drop up to start
		f, ts.discard = 0, int(p0)
	}
	for ts.startSeg = 0; ts.startSeg < len(segs)-1 && ts.frames[ts.startSeg+1] <= f; ts.startSeg++ {
	}
	ts.skipTo = int(f - ts.frames[ts.startSeg])
	ts.next, ts.reading = ts.startSeg, ts.startSeg
	ts.ctx, ts.cancel = context.WithCancel(p.ctx)
	return ts
}

func (ts *trackStream) begin() {
	ts.wg.Add(1)
	go func() {
		defer ts.wg.Done()
		ts.fetchLoop()
	}()
}

// close stops the fetcher and waits for it. The render goroutine releases
// the decoder (closeDecoder) when the track ends or it moves on to another
// stream (a seek, a skip).
func (ts *trackStream) close() {
	ts.cancel()
	ts.wg.Wait()
}

// promote makes a prefetched stream the current one: full read-ahead.
func (ts *trackStream) promote() {
	ts.mu.Lock()
	ts.prefetch = false
	ts.signal()
	ts.mu.Unlock()
}

func (ts *trackStream) signal() { close(ts.changed); ts.changed = make(chan struct{}) }

func (ts *trackStream) duration() time.Duration { return samplesToDuration(ts.man.TotalSamples) }

func (ts *trackStream) remaining() time.Duration {
	return samplesToDuration(ts.man.TotalSamples - ts.out)
}

func samplesToDuration(n int64) time.Duration {
	return time.Duration(n) * time.Second / catalog.SampleRate
}

// segDuration is the audio in segment i.
func (ts *trackStream) segDuration(i int) time.Duration {
	return samplesToDuration((ts.frames[i+1] - ts.frames[i]) * int64(ts.man.SamplesPerFrame))
}

// aheadLocked is the audio fetched contiguously past the segment being read.
func (ts *trackStream) aheadLocked() time.Duration {
	var d time.Duration
	for i := ts.reading + 1; i < len(ts.frames)-1; i++ {
		if _, ok := ts.segs[i]; !ok {
			break
		}
		d += ts.segDuration(i)
	}
	return d
}

// refillBatch is how much of the read-ahead window (ReadAhead) must be free
// again before a full window fetches more (at most a third of the window):
// segments then come from the cache or the network a few at a time, not
// one as each is played. Issue 14 (at most 10 wake-ups a second while
// playing): each segment's SQLite and network calls woke Go's scheduler
// monitor, which then polled while Go ran, every 2.3 s at 320k. The
// interface playing through ALSA woke 8.6-10.2 times a second (median 8.9)
// with batches of 7 s, 9.6-11.5 (median 10.2) one segment at a time
// (docs/headless-audio.md). Only on an ample link (batched).
const refillBatch = 7 * time.Second

// ampleLink is how many times the top rendition's bitrate the throughput
// estimate must be for a full window to wait for refillBatch of room: a
// batch of 7 s then comes in under 0.9 s, and ABR picks the top rendition
// anyway.
const ampleLink = 8

// batched reports whether a full read-ahead window waits for refillBatch of
// room before fetching more: while the throughput estimate is unknown
// (segments from the cache) or at least ampleLink times the top rendition's
// bitrate. On a link near the renditions' rates, waiting left fast spells
// unused when the link then slowed: in make bench-abr (200 s per trace)
// oscillation, 1 Mbit/s and 120 kbit/s by turns, fell from 95% of the
// oracle's bitrate to 87% with batches on every link, and outage-30s
// stalled 12.3 s instead of 9.8 (2026-12-02).
func (ts *trackStream) batched() bool {
	kbps := ts.p.opts.ABR.Kbps()
	levels := ts.lad.levels
	return kbps == 0 || len(levels) == 0 || kbps >= ampleLink*float64(levels[len(levels)-1].Kbps)
}

// fetchLoop fetches segments in order, staying within the read-ahead window,
// retrying failures with backoff until the stream is closed.
func (ts *trackStream) fetchLoop() {
	p := ts.p
	n := len(ts.frames) - 1
	full := false // the window was full: wait for a refill's worth of room
	for i := ts.startSeg; i < n; i++ {
		var urgency Urgency
		for { // wait until segment i is inside the window
			ts.mu.Lock()
			var limit time.Duration
			var inWindow bool
			if ts.prefetch {
				inWindow = i < ts.startSeg+p.opts.PrefetchSegments
				urgency = catalog.UrgencyPrefetch
			} else {
				for j := ts.reading + 1; j < i; j++ {
					limit += ts.segDuration(j)
				}
				room := p.opts.ReadAhead
				if full && ts.batched() {
					room -= min(refillBatch, p.opts.ReadAhead/3)
				}
				inWindow = i <= ts.reading+1 || limit < room
				urgency = catalog.UrgencySoon
				if i <= ts.reading {
					urgency = catalog.UrgencyNow
				}
			}
			ch := ts.changed
			ts.mu.Unlock()
			if inWindow {
				// a switch up is heard sooner by fetching again what is
				// buffered lower than by fetching segment i, heard after it
				if ts.upgradeAhead(true) {
					continue
				}
				full = false
				break
			}
			full = true
			if ts.upgradeAhead(false) {
				continue
			}
			select {
			case <-ch:
			case <-ts.ctx.Done():
				return
			}
		}
		if !ts.fetchSegment(i, urgency) {
			return
		}
	}
}

// buffer is the audio fetched ahead of the play head for this stream: its
// own segments, plus the current track's when this is the next one being
// prefetched.
func (ts *trackStream) buffer() time.Duration {
	ts.mu.Lock()
	ahead, pre := ts.aheadLocked(), ts.prefetch
	ts.mu.Unlock()
	if pre {
		ahead += time.Duration(ts.p.playingAhead.Load())
	}
	return ahead
}

// playing is what is left to play of the segment the decoder is
// consuming, or about to (it has arrived and the decoder has yet to wake
// up and take it), 0 while it waits for one (abr.Metrics.Playing).
func (ts *trackStream) playing() time.Duration {
	ts.mu.Lock()
	r, took := ts.reading, ts.took
	_, arrived := ts.segs[r]
	ts.mu.Unlock()
	if took != r && !arrived || !framed(ts.man) {
		return 0
	}
	ts.p.mu.Lock()
	pos := ts.pos
	ts.p.mu.Unlock()
	end := ts.frames[r+1]*int64(ts.man.SamplesPerFrame) - int64(ts.man.StartSkip)
	return min(max(samplesToDuration(end-pos), 0), ts.segDuration(r))
}

// store puts segment i in the buffer and wakes the reader.
func (ts *trackStream) store(i int, f fetched) {
	ts.mu.Lock()
	ts.segs[i] = f
	ahead := ts.aheadLocked()
	if !ts.prefetch {
		ts.p.playingAhead.Store(int64(ahead))
	}
	ts.signal()
	ts.mu.Unlock()
	ts.p.emit(BufferEvent{TrackID: ts.track.ID, Ahead: ahead})
}

// fail gives the track up: the reader returns err when it gets there.
func (ts *trackStream) fail(err error) {
	ts.mu.Lock()
	ts.failure = err
	ts.signal()
	ts.mu.Unlock()
}

// buffered implements bufferedReader: the bytes of the segment in hand.
func (ts *trackStream) buffered() int { return len(ts.cur) }

// closeDecoder releases the decoder (its C thread and memory) once the
// render goroutine is done with the stream; safe to call twice.
func (ts *trackStream) closeDecoder() {
	if ts.dec != nil {
		ts.dec.close()
	}
}

// Read implements io.Reader for the decoder: the track's segments in order,
// waiting for the fetcher when the next one is not there yet.
func (ts *trackStream) Read(b []byte) (int, error) {
	for len(ts.cur) == 0 {
		if ts.next >= len(ts.frames)-1 {
			return 0, io.EOF
		}
		f, err := ts.waitSegment(ts.next)
		if err != nil {
			return 0, err
		}
		data := f.data
		if ts.next == ts.startSeg && ts.skipTo > 0 {
			off, err := frameOffset(data, ts.skipTo)
			if err != nil {
				return 0, fmt.Errorf("seek in segment %d of track %s: %w", ts.next, ts.track.ID, err)
			}
			data = data[off:]
		}
		ts.cur = data
		ts.next++
	}
	n := copy(b, ts.cur)
	ts.cur = ts.cur[n:]
	return n, nil
}

// waitSegment takes segment i out of the buffer, waiting for the fetcher.
// A wait after playback began (mid-track, or at a gapless change of track)
// is a stall once the output has played what it holds (Delayer; at once
// for others): reported when it starts and when it ends.
func (ts *trackStream) waitSegment(i int) (fetched, error) {
	p := ts.p
	ts.mu.Lock()
	ts.reading = i
	ts.signal()
	var stallStart time.Time
	waiting := false
	var dry *time.Timer // fires when the output has played all it holds
	defer func() {
		if dry != nil {
			dry.Stop()
		}
	}()
	stall := (i != ts.startSeg || ts.continues) && !p.unpaced()
	for {
		if ts.failure != nil {
			err := ts.failure
			ts.mu.Unlock()
			return fetched{}, err
		}
		f, ok := ts.segs[i]
		if ok {
			delete(ts.segs, i)
			ts.took = i
			ahead := ts.aheadLocked()
			if !ts.prefetch {
				p.playingAhead.Store(int64(ahead))
			}
			ts.mu.Unlock()
			var waited time.Duration
			if !stallStart.IsZero() {
				waited = time.Since(stallStart)
				p.setBuffering(ts, false)
				if stall {
					p.emit(StallEvent{TrackID: ts.track.ID, Position: samplesToDuration(ts.out), Duration: waited, Ended: true, Source: p.opts.SourceName})
				}
			}
			switched := p.stats.played(f, ts.segDuration(i), waited, stall)
			if switched || f.rendition != ts.lastRend {
				p.emit(RenditionEvent{TrackID: ts.track.ID, Index: i, Rendition: f.rendition, Kbps: f.kbps, Switch: switched})
			}
			ts.lastRend = f.rendition
			p.emit(BufferEvent{TrackID: ts.track.ID, Ahead: ahead})
			return f, nil
		}
		ch := ts.changed
		ts.mu.Unlock()
		if !waiting {
			waiting = true
			// An output that holds seconds of audio (Delayer) plays them
			// while the segment is awaited: the listener hears a stall only
			// once it ran dry (at the start a 2 ms wait for the second
			// segment, under the 5 s the device held, was a stall in play
			// --json's summary, at a position 5 s ahead of the sound).
			if d, ok := p.opts.Output.(Delayer); ok && stall {
				if left := d.Unheard(); left > 0 {
					dry = time.NewTimer(samplesToDuration(int64(left)))
				}
			}
		}
		var dried <-chan time.Time
		if dry != nil {
			dried = dry.C
		}
		if stallStart.IsZero() && dried == nil {
			stallStart = time.Now()
			p.setBuffering(ts, true)
			if stall {
				p.emit(StallEvent{TrackID: ts.track.ID, Position: samplesToDuration(ts.out), Unreachable: p.unreachableSince.Load() != 0, Source: p.opts.SourceName})
				if l := ts.lad.levelOf(ts.lastRend); l >= 0 {
					p.opts.ABR.Stalled(l)
				}
			}
		}
		select {
		case <-ch:
		case <-dried:
			dry = nil
		case <-ts.ctx.Done():
			return fetched{}, ts.ctx.Err()
		}
		ts.mu.Lock()
	}
}

// errStreamClosed is returned by read after close (a seek or skip replaced
// the stream).
var errStreamClosed = errors.New("stream closed")

// read fills samples with the track's next samples. done reports that the
// track's last sample has been returned.
func (ts *trackStream) read(samples [][2]float64) (n int, done bool, err error) {
	if ts.dec == nil {
		dec, err := newDecoder(ts.man.Renditions[0].Codec, ts)
		if err != nil {
			return 0, false, ts.decodeErr(err)
		}
		ts.dec = dec
	}
	if ts.discard > 0 {
		m, err := ts.dec.skip(ts.discard)
		ts.discard -= m
		if err != nil {
			return 0, true, ts.decodeErr(err)
		}
	}
	left := ts.man.TotalSamples - ts.out
	k := int(min(int64(len(samples)), left))
	n, err = ts.dec.read(samples[:k])
	ts.out += int64(n)
	if err != nil {
		ts.dec.close()
		return n, true, ts.decodeErr(err)
	}
	done = ts.out >= ts.man.TotalSamples
	if done {
		ts.dec.close()
	}
	return n, done, nil
}

// decodeErr explains why decoding stopped; nil when the frames simply ran
// out before total_samples (the track ends there).
func (ts *trackStream) decodeErr(err error) error {
	if ts.ctx.Err() != nil {
		return errStreamClosed
	}
	ts.mu.Lock()
	failure := ts.failure
	ts.mu.Unlock()
	if failure != nil {
		return failure
	}
	if errors.Is(err, io.EOF) {
		return nil
	}
	return fmt.Errorf("decode track %s at %v: %w", ts.track.ID, samplesToDuration(ts.out), err)
}
