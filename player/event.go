package player

import (
	"time"

	"segue/catalog"
)

// State is what the player is doing.
type State int

// Player states.
const (
	Stopped State = iota
	Playing
	Paused
	Buffering // playing, but waiting for a segment
)

// String returns the state's lowercase name.
func (s State) String() string {
	return [...]string{"stopped", "playing", "paused", "buffering"}[s]
}

// Event is one thing the player reports. The concrete types below are the
// only implementations; consumers type-switch on them.
type Event interface{ event() }

// StateEvent reports a change of State.
type StateEvent struct{ State State }

// TrackEvent reports that a track started, or that the current one
// started again at a seek's position (Seek: Seek, SeekBy, Stop's rewind).
// Index is its place in the queue. A Seek event is not a new play: the
// consumers that count tracks, record plays or announce a new track
// (segue play's started/track-changed, scrobbling, segue ctl watch's
// "track", MPRIS Metadata, a radio's top-up) pass over it.
type TrackEvent struct {
	Track    catalog.Track
	Index    int
	Duration time.Duration
	Seek     bool
}

// PositionEvent reports the play head: what is heard, not what was
// rendered (an output holding seconds of audio, ALSA, is a Delayer). It
// comes as the render loop runs: about four times a second of audio at
// most, once a second with ALSA, which takes a second at a time; and at
// once when a seek moves it (Seek). A seek's event is never dropped:
// it is the last word over positions reported before it, which a consumer
// may still be reading when the seek's reply reaches it.
type PositionEvent struct {
	TrackID  string
	Position time.Duration
	Duration time.Duration
	Seek     bool
}

// SegmentEvent reports where a segment came from and in which rendition.
// Replaces is the rendition of the buffered copy it took the place of
// (abr.ReplaceRule: fetched again higher before it played), "" for a
// segment fetched the first time.
type SegmentEvent struct {
	TrackID   string
	Index     int
	Rendition string
	From      Source
	Bytes     int
	Took      time.Duration
	Replaces  string
}

// RenditionEvent reports the rendition of the audio now playing, when a
// track starts in it or playback switches to it (Switch: it differs from
// the segment played before, in this track or the previous one).
type RenditionEvent struct {
	TrackID   string
	Index     int // the segment that starts in it
	Rendition string
	Kbps      int
	Switch    bool
}

// StallEvent reports that the play head waited for a segment after
// playback had begun: once when the wait starts, and once with Ended and
// its Duration when playback resumes by itself. Unreachable is set when
// the wait starts with the origin not answering at all (refused or timed
// out, not slow): unless it answers within OfflineAfter, a segment stored
// nowhere here fails its track "not available offline" and the next plays.
// Source is Options.SourceName, what the wait is for (UnreachableStall).
type StallEvent struct {
	TrackID     string
	Position    time.Duration
	Duration    time.Duration
	Ended       bool
	Unreachable bool
	Source      string
}

// AbandonEvent reports a download given up because it would not arrive
// before the buffer ran dry (abr.AbandonRule); the segment is fetched again
// in Instead.
type AbandonEvent struct {
	TrackID            string
	Index              int
	Rendition, Instead string
	Reason             string
}

// BufferEvent reports how much audio is fetched ahead of the play head.
type BufferEvent struct {
	TrackID string
	Ahead   time.Duration
}

// ErrorEvent reports a failure. Fatal means the track was given up
// (skipped); otherwise the player is retrying.
type ErrorEvent struct {
	TrackID string
	Err     error
	Fatal   bool
}

// OutputError is an ErrorEvent's Err when writing to the output failed (a
// full disk under a wav file, a device gone): the player pauses, so the
// interface's user may resume once it is fixed; segue play, which nobody
// resumes, ends on it.
type OutputError struct{ Err error }

func (e *OutputError) Error() string { return "write audio: " + e.Err.Error() }

func (e *OutputError) Unwrap() error { return e.Err }

// ChangedEvent reports that the queue, the volume, the quality preference
// or the shuffle and repeat modes changed, whoever changed them (the
// interface's keys, segue ctl, MPRIS): a consumer that shows them asks
// Status again, so two drivers of one player never disagree. It is sent
// after the change, at most once a command.
type ChangedEvent struct{}

// EndEvent reports that the queue ended and playback stopped: it ran out
// (Next past the last track, the current last track removed), or Clear
// emptied it while a track was current (Cleared).
type EndEvent struct {
	// Cleared says Clear ended the queue: the listener chose to have
	// nothing, so the interface's autoplay radio does not go on from it.
	Cleared bool
	// Gone says every track of the queue was removed from the catalog
	// (GoneError): nothing is left to play, and the interface's autoplay
	// radio, seeded by a removed track, does not go on from it.
	Gone bool
}

func (StateEvent) event()     {}
func (TrackEvent) event()     {}
func (PositionEvent) event()  {}
func (SegmentEvent) event()   {}
func (RenditionEvent) event() {}
func (StallEvent) event()     {}
func (AbandonEvent) event()   {}
func (BufferEvent) event()    {}
func (ErrorEvent) event()     {}
func (EndEvent) event()       {}
func (ChangedEvent) event()   {}

// emit sends e without ever blocking playback: when the consumer is behind,
// position and buffer events are dropped first; other kinds wait briefly.
func (p *Player) emit(e Event) {
	select {
	case p.events <- e:
		return
	default:
	}
	switch e := e.(type) {
	case BufferEvent, SegmentEvent:
		p.dropped.Add(1)
		return
	case PositionEvent:
		if !e.Seek {
			p.dropped.Add(1)
			return
		}
	}
	t := time.NewTimer(50 * time.Millisecond)
	defer t.Stop()
	select {
	case p.events <- e:
	case <-t.C:
		p.dropped.Add(1)
	}
}
