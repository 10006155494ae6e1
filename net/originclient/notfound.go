package originclient

import (
	"errors"
	"fmt"

	"segue/catalog"
)

// NotFoundError is an ID its source does not know, said the one way every
// source says it: "<kind> <ID> not found on <source>" ("album al3f not
// found on the origin at music.example:7700", "track t_tr-9 not found on
// the Subsonic server at 127.0.0.1:4747"). The origin said "track t1 not
// found", a Subsonic server "not found on the origin (Song not found)".
// It is ErrNotFound (errors.Is), and Err keeps the source's answer for the
// log.
type NotFoundError struct {
	Kind   string // "track", "album", "artist" or "playlist"
	ID     string // the ID asked for, as segue names it
	Source string // "the origin at HOST", "the Subsonic server at HOST"
	Err    error  // the source's answer
}

// Sentence is the error's one sentence, without the source's details.
func (e *NotFoundError) Sentence() string {
	return fmt.Sprintf("%s %s not found on %s", e.Kind, e.ID, e.Source)
}

// Error is the sentence and the source's answer.
func (e *NotFoundError) Error() string { return fmt.Sprintf("%s (%v)", e.Sentence(), e.Err) }

func (e *NotFoundError) Unwrap() error { return e.Err }

// Is makes every NotFoundError ErrNotFound, whatever its answer wraps,
// and one of a track catalog.ErrTrackGone too: the player's sign that a
// queued track was taken out of the catalog (distinct from an outage,
// catalog.ErrUnreachable, and from one segment missing,
// catalog.ErrNoSuchSegment).
func (e *NotFoundError) Is(target error) bool {
	return target == ErrNotFound || target == catalog.ErrTrackGone && e.Kind == "track"
}

// NotFound returns err as a NotFoundError of kind and id on source when it
// is ErrNotFound (an answer saying the source does not know id), and err
// as it is otherwise.
func NotFound(err error, kind, id, source string) error {
	var nf *NotFoundError
	if err == nil || !errors.Is(err, ErrNotFound) || errors.As(err, &nf) {
		return err
	}
	return &NotFoundError{Kind: kind, ID: id, Source: source, Err: err}
}

// Source names the origin as sentences do: "the origin at HOST".
func (c *Client) Source() string { return "the origin at " + c.base.Host }
