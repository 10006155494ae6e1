package player

import (
	"errors"
	"fmt"

	"segue/catalog"
)

// GoneError is an ErrorEvent's Err (Fatal) for a track taken out of the
// origin's catalog after it was queued (segue origin remove, or its file
// deleted and ingested again): before it started, the origin answered 404
// for its manifest (Segment -1); while it played, for a segment of it, and
// then for its manifest too (Segment: that segment's index). It is
// catalog.ErrTrackGone. The player skips the track at once, without
// retrying, marks it in Status.Gone, and skips it again without asking
// while it stays queued; a queue left with nothing but such tracks ends
// (EndEvent.Gone) instead of going round.
type GoneError struct {
	Track   catalog.Track
	Segment int    // the segment that was missing; -1: the manifest
	Source  string // Options.SourceName: "the origin"
	Err     error  // the source's answer
}

// Error is its one sentence for a person: `"Title" was removed from the
// origin's catalog: skipped` (the source's answer, a 404 and its URL,
// stays in Err for the log).
func (e *GoneError) Error() string {
	if e.Segment >= 0 {
		return fmt.Sprintf("%s was removed from %s's catalog while it played (segment %d of it is gone): skipped", trackName(e.Track), e.Source, e.Segment)
	}
	return fmt.Sprintf("%s was removed from %s's catalog: skipped", trackName(e.Track), e.Source)
}

// Unwrap gives catalog.ErrTrackGone and the source's answer.
func (e *GoneError) Unwrap() []error {
	if e.Err == nil {
		return []error{catalog.ErrTrackGone}
	}
	return []error{catalog.ErrTrackGone, e.Err}
}

// IsGone reports whether err says a track was removed from the catalog
// (a *GoneError, or any error wrapping catalog.ErrTrackGone).
func IsGone(err error) bool { return errors.Is(err, catalog.ErrTrackGone) }

// AllGone is the sentence for a queue that ended with every one of its
// tracks removed from source's catalog (EndEvent.Gone).
func AllGone(source string) string {
	return "every track of the queue was removed from " + source + "'s catalog: nothing left to play"
}

// markGoneLocked remembers that the track id was removed from the catalog.
func (p *Player) markGoneLocked(id string) {
	if p.gone == nil {
		p.gone = map[string]bool{}
	}
	p.gone[id] = true
}

// unmarkGoneLocked forgets the marks of tracks queued again by the
// listener: they are asked for again (ingested back, they play).
func (p *Player) unmarkGoneLocked(tracks []catalog.Track) {
	for _, t := range tracks {
		delete(p.gone, t.ID)
		delete(p.unsaid, t.ID)
	}
}

// goneLocked returns the gone marks of the tracks queued now (a new map,
// nil when none).
func (p *Player) goneLocked() map[string]bool {
	var m map[string]bool
	for _, t := range p.queue.Tracks() {
		if p.gone[t.ID] {
			if m == nil {
				m = map[string]bool{}
			}
			m[t.ID] = true
		}
	}
	return m
}

// allGoneLocked reports whether the queue holds tracks and every one of
// them is marked gone.
func (p *Player) allGoneLocked() bool {
	ts := p.queue.Tracks()
	if len(ts) == 0 {
		return false
	}
	for _, t := range ts {
		if !p.gone[t.ID] {
			return false
		}
	}
	return true
}
