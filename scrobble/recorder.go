package scrobble

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"segue/catalog"
	"segue/player"
)

// completeSlack is how close to its end a track's last position must be
// for the play to count as completed rather than skipped: the player
// reports the position about four times a second, so the last report of a
// track played out falls within a second of its duration.
const completeSlack = 2 * time.Second

// maxStep is the largest position step counted as heard; a bigger one is a
// seek, whose jump is not listening.
const maxStep = 2 * time.Second

// Recorder turns the player's events into plays: one catalog.PlayEvent per
// track that started, finished when the next starts, the queue ends or the
// recorder is closed. Plays with no audio heard are not recorded.
type Recorder struct {
	session string
	now     func() time.Time
	record  func(catalog.PlayEvent)

	mu  sync.Mutex // guards cur
	cur *play      // nil between tracks
}

type play struct {
	track          string
	at             time.Time
	duration, last time.Duration
	heard          time.Duration
	jumped         bool // last came by a seek, not by listening
}

// NewRecorder returns a recorder of one session (a random ID) that hands
// each finished play to record. now is the clock (time.Now when nil).
func NewRecorder(record func(catalog.PlayEvent), now func() time.Time) *Recorder {
	if now == nil {
		now = time.Now
	}
	return &Recorder{session: randomID(), now: now, record: record}
}

func randomID() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Observe follows one player event.
func (r *Recorder) Observe(ev player.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch e := ev.(type) {
	case player.TrackEvent:
		if e.Seek && r.cur != nil && r.cur.track == e.Track.ID {
			break // the play goes on from where the seek put it
		}
		r.finish()
		r.cur = &play{track: e.Track.ID, at: r.now(), duration: e.Duration}
	case player.PositionEvent:
		if c := r.cur; c != nil && c.track == e.TrackID {
			step := e.Position - c.last
			if step > 0 && step <= maxStep {
				c.heard += step
			}
			// a seek to the end (ctl seek 99:00, a media key) skips the
			// track: it counted as played to its end; the stream reopened
			// there reports the same position again (no step)
			if e.Seek || step != 0 {
				c.jumped = e.Seek || step > maxStep || step < 0
			}
			c.last = e.Position
			if e.Duration > 0 {
				c.duration = e.Duration
			}
		}
	case player.EndEvent:
		r.finish()
	}
}

// Close records the play in progress, if any, as skipped where it stands.
func (r *Recorder) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.finish()
}

func (r *Recorder) finish() {
	c := r.cur
	r.cur = nil
	if c == nil || c.heard <= 0 {
		return
	}
	ev := catalog.PlayEvent{
		ID: randomID(), TrackID: c.track, PlayedMS: c.heard.Milliseconds(), At: c.at.UTC(), Session: r.session,
		Completed: c.duration > 0 && c.last >= c.duration-completeSlack && !c.jumped,
	}
	if !ev.Completed {
		ev.PositionMS = c.last.Milliseconds()
	}
	r.record(ev)
}
