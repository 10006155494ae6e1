package player

import (
	"sync"
	"time"
)

// Stats summarizes a playback session for reports and benchmarks: the
// numbers of segue play's finished event and of make bench-abr.
type Stats struct {
	// Stalls counts waits of the play head after playback began; Stalled
	// is their total duration.
	Stalls  int
	Stalled time.Duration
	// Switches counts changes of rendition between consecutive segments
	// played, across tracks.
	Switches int
	// Played is the audio handed to the decoder; MeanKbps its mean
	// bitrate, weighted by duration.
	Played   time.Duration
	MeanKbps float64
	// Startup is the time from the first Play to its first segment.
	Startup time.Duration
	// BitrateChange is the sum of |kbit/s change| over consecutive
	// segments (the smoothness term of Pensieve's QoE).
	BitrateChange float64
}

// stats accumulates Stats; a leaf lock, taken with no other held.
type stats struct {
	mu      sync.Mutex // guards everything below
	s       Stats
	kbitSum float64   // kbit/s x seconds played
	last    fetched   // the previous segment played (data unused)
	began   time.Time // when the first Play was asked, zero before
	started bool      // Startup is measured
}

// play notes the first Play request.
func (st *stats) play() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.began.IsZero() {
		st.began = time.Now()
	}
}

// played records a segment handed to the decoder after waiting for it
// (stall: the wait counts as one) and reports whether it switched
// rendition.
func (st *stats) played(f fetched, d, waited time.Duration, stall bool) (switched bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.started && !st.began.IsZero() {
		st.started = true
		st.s.Startup = time.Since(st.began)
	}
	if stall && waited > 0 {
		st.s.Stalls++
		st.s.Stalled += waited
	}
	if st.last.rendition != "" && st.last.rendition != f.rendition {
		switched = true
		st.s.Switches++
		st.s.BitrateChange += float64(abs(f.kbps - st.last.kbps))
	}
	st.last = fetched{rendition: f.rendition, kbps: f.kbps}
	st.s.Played += d
	st.kbitSum += float64(f.kbps) * d.Seconds()
	return switched
}

func abs(x int) int { return max(x, -x) }

// Stats returns the session's summary so far.
func (p *Player) Stats() Stats {
	st := &p.stats
	st.mu.Lock()
	defer st.mu.Unlock()
	s := st.s
	if s.Played > 0 {
		s.MeanKbps = st.kbitSum / s.Played.Seconds()
	}
	return s
}
