package catalog

import (
	"errors"
	"time"
)

// ErrUnreachable is wrapped by a source that could not reach its server at
// all (connection refused, no route, a gateway saying the server is down),
// as opposed to one that answered slowly: the player then plays what the
// cache holds instead of retrying.
var ErrUnreachable = errors.New("the origin is unreachable")

// Urgency says how soon a segment is needed; the fetch chain derives its
// deadlines and which sources it asks from it.
type Urgency int

// Urgencies, most urgent first.
const (
	// UrgencyNow: the play head needs it (start, seek, or an empty buffer).
	UrgencyNow Urgency = iota
	// UrgencySoon: read-ahead inside the buffer window.
	UrgencySoon
	// UrgencyPrefetch: the next track or an offline download.
	UrgencyPrefetch
)

// Source names where a segment's bytes came from.
type Source string

// Sources, nearest first.
const (
	SourceCache  Source = "cache"
	SourcePeer   Source = "peer"
	SourceOrigin Source = "origin"
)

// ErrCorruptSegment means every try at a segment brought bytes whose
// sha256 is not the segment's: the source is broken (or a proxy in front
// of it), and asking again will not help. The player fails the track.
var ErrCorruptSegment = errors.New("the source keeps sending bytes that do not match the segment's sha256")

// ErrNoSuchSegment is wrapped by an origin's client when that origin
// answered that it has no segment under the hash (404): asking it again
// will not bring it. One origin lacking a segment another holds is no
// fault (a shared link's origin and the configured one).
var ErrNoSuchSegment = errors.New("the origin has no segment under that hash")

// ErrSegmentGone is wrapped by the fetch chain when every origin it asked
// for a segment answered ErrNoSuchSegment: the track was taken out of the
// origin (segue origin remove) after its manifest was read. The player
// fails the track unless the cache holds the segment.
var ErrSegmentGone = errors.New("the origin no longer has the segment")

// ErrTrackGone is wrapped by an origin's client when the origin answered
// that it has no track under an ID asked for (404 for the track or its
// manifest): the track was taken out of its catalog (segue origin remove,
// or its file deleted and ingested again) after it was queued, listed or
// pinned. It is not an outage (catalog.ErrUnreachable) and not one
// segment missing (ErrNoSuchSegment): asking again will not bring it, so
// the player skips the track at once.
var ErrTrackGone = errors.New("the track is no longer in the origin's catalog")

// RetryLater is an error of an origin that answered it cannot serve now
// and when to ask again (503 with Retry-After: its catalog database
// restarts; 429: a rate limit in front of it). It is there, not gone: the
// player waits as asked instead of skipping the track.
type RetryLater interface {
	error
	// RetryAfter is the wait asked for (> 0).
	RetryAfter() time.Duration
}

// RetryAfter returns the wait the origin asked for when err (or an error
// it wraps) is a RetryLater.
func RetryAfter(err error) (time.Duration, bool) {
	var rl RetryLater
	if errors.As(err, &rl) && rl.RetryAfter() > 0 {
		return rl.RetryAfter(), true
	}
	return 0, false
}
