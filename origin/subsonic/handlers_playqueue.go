package subsonic

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// maxQueue bounds the songs of a saved play queue: more than one request
// of IDs (maxIDs) may carry, as an app's queue can be a whole library's
// shuffle, yet a bound on what one user keeps.
const maxQueue = 5000

// savePlayQueue keeps the user's play queue: the songs id (repeated, in
// order; none clears the queue, as OpenSubsonic says), the one playing
// (current) and how far into it (position, milliseconds), and the app
// that saved it (c). It replaces the queue saved before. Songs are not
// checked against the catalog: getPlayQueue leaves out those it lacks.
func (a *API) savePlayQueue(rq *request) *Response {
	ids, res := rq.p.idsUpTo("id", maxQueue)
	if res != nil {
		return res
	}
	current := rq.p.get("current")
	if current != "" && !validID(current) {
		return failed(CodeNotFound, fmt.Sprintf("current %q not found: IDs are letters, digits, - and _", current))
	}
	pos, res := rq.p.integer("position", 0, 0, math.MaxInt)
	if res != nil {
		return res
	}
	q := playQueue{trackIDs: ids, current: current, positionMS: int64(pos), changed: time.Now().UTC(), changedBy: rq.p.app()}
	if err := a.store.savePlayQueue(rq.Context(), rq.user.id, q); err != nil {
		return a.internal(rq, err)
	}
	return ok()
}

// getPlayQueue answers the user's saved play queue without the songs gone
// from the catalog since (and without current, position 0, when the
// current song is gone); no playQueue when none is saved.
func (a *API) getPlayQueue(rq *request) *Response {
	q, found, err := a.store.playQueue(rq.Context(), rq.user.id)
	if err != nil {
		return a.internal(rq, err)
	}
	res := ok()
	if !found {
		return res
	}
	tracks, err := a.readTracks(rq, q.trackIDs)
	if err != nil {
		return a.internal(rq, err)
	}
	starred, err := a.stars(rq)
	if err != nil {
		return a.internal(rq, err)
	}
	out := &PlayQueue{Username: rq.user.name, Changed: stamp(q.changed), ChangedBy: q.changedBy, Entries: songsOf(tracks, starred)}
	if slices.ContainsFunc(out.Entries, func(c Child) bool { return c.ID == q.current }) {
		out.Current, out.Position = q.current, q.positionMS
	}
	res.PlayQueue = out
	return res
}
