package player

import (
	"errors"
	"fmt"
	"slices"

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

// MarkGone marks the queued track id removed from the catalog, err being
// the source's answer that said so (it should wrap catalog.ErrTrackGone),
// as the player marks a track whose manifest a prefetch was refused: found
// by a check made without playing it (the restored queue's, at start).
// Status.Gone holds it at once (a ChangedEvent says so); when it comes up
// it is said once (a fatal ErrorEvent with a *GoneError, Segment -1) and
// skipped without its manifest asked for. It reports whether it marked
// it: false when id is not queued (removed meanwhile), is marked already,
// or is the track playing (its manifest was had: a segment's 404 finds
// the removal, as for any track removed while it plays).
func (p *Player) MarkGone(id string, err error) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gone[id] || p.ctx.Err() != nil || p.cur != nil && p.cur.track.ID == id {
		return false
	}
	i := slices.IndexFunc(p.queue.tracks, func(t catalog.Track) bool { return t.ID == id })
	if i < 0 {
		return false
	}
	p.markAheadLocked(p.queue.tracks[i], err)
	return true
}

// markAheadLocked marks tr gone before it comes up, err being the answer
// to its manifest: the queue shows it now (ChangedEvent), and the
// *GoneError is said when it comes up (unsaid).
func (p *Player) markAheadLocked(tr catalog.Track, err error) {
	p.markGoneLocked(tr.ID)
	if p.unsaid == nil {
		p.unsaid = map[string]*GoneError{}
	}
	p.unsaid[tr.ID] = &GoneError{Track: tr, Segment: -1, Source: p.opts.SourceName, Err: err}
	p.emit(ChangedEvent{}) // the queue's marks changed (Status.Gone)
}
