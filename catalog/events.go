package catalog

import (
	"errors"
	"fmt"
	"time"
)

// PlayEvent is one play of a track, as the client records it and the
// origin stores it (POST /api/v1/events, `segue origin events import`).
// It says what was listened to and for how long, nothing else about the
// listener.
type PlayEvent struct {
	// ID makes delivery idempotent: the origin keeps the first event of an
	// ID and ignores repeats, so a batch resent after a lost answer is not
	// counted twice. Clients make it random; import derives one when absent.
	ID string `json:"id,omitempty"`
	// Listener is the token's ID (or "local" on an open origin). The origin
	// sets it from the request; a client's value is ignored.
	Listener string `json:"listener,omitempty"`
	TrackID  string `json:"track_id"`
	// PlayedMS is milliseconds of audio heard (seeks not counted).
	PlayedMS int64 `json:"played_ms"`
	// Completed is true when the track played to its end; false is a skip,
	// at PositionMS.
	Completed  bool  `json:"completed"`
	PositionMS int64 `json:"position_ms,omitempty"`
	// At is when the play started.
	At time.Time `json:"at"`
	// Session groups plays of one sitting (one run of the client).
	Session string `json:"session,omitempty"`
}

// ErrBadEvent is wrapped by Validate's errors.
var ErrBadEvent = errors.New("bad play event")

// Validate says what is wrong with e, for bad input from outside.
func (e PlayEvent) Validate() error {
	switch {
	case e.TrackID == "":
		return fmt.Errorf("%w: no track_id", ErrBadEvent)
	case e.PlayedMS < 0 || e.PositionMS < 0:
		return fmt.Errorf("%w: played_ms and position_ms count milliseconds from 0", ErrBadEvent)
	case e.At.IsZero():
		return fmt.Errorf("%w: no \"at\" time (RFC 3339, e.g. 2026-11-30T17:00:00Z)", ErrBadEvent)
	case len(e.ID) > 64 || len(e.Session) > 64 || len(e.TrackID) > 64 || len(e.Listener) > 64:
		return fmt.Errorf("%w: id, session, listener and track_id are at most 64 characters", ErrBadEvent)
	}
	return nil
}
