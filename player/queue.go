package player

import (
	"math/rand/v2"
	"time"

	"segue/catalog"
)

// Repeat says what happens when the queue runs out or a track ends.
type Repeat int

// Repeat modes.
const (
	RepeatOff Repeat = iota // stop after the last track
	RepeatAll               // wrap to the first track
	RepeatOne               // play the current track again
)

// String returns the mode's name as the CLI and state file spell it.
func (r Repeat) String() string {
	switch r {
	case RepeatAll:
		return "all"
	case RepeatOne:
		return "one"
	}
	return "off"
}

// ParseRepeat reads "off", "all" or "one".
func ParseRepeat(s string) (Repeat, bool) {
	switch s {
	case "off", "":
		return RepeatOff, true
	case "all":
		return RepeatAll, true
	case "one":
		return RepeatOne, true
	}
	return RepeatOff, false
}

// RestartThreshold is how far into a track Previous restarts it instead of
// going back one track.
const RestartThreshold = 3 * time.Second

// Queue is the ordered list of tracks to play and which one is current. It
// is pure logic with no locking: Player guards it with its own mutex.
type Queue struct {
	tracks []catalog.Track
	cur    int // index of the current track; -1 when none
	repeat Repeat

	shuffled bool
	before   []catalog.Track // the order when shuffle was turned on
}

// NewQueue returns an empty queue.
func NewQueue() *Queue { return &Queue{cur: -1} }

// Tracks returns a copy of the queued tracks.
func (q *Queue) Tracks() []catalog.Track { return append([]catalog.Track(nil), q.tracks...) }

// Len returns the number of queued tracks.
func (q *Queue) Len() int { return len(q.tracks) }

// Index returns the index of the current track, or -1.
func (q *Queue) Index() int { return q.cur }

// Current returns the current track.
func (q *Queue) Current() (catalog.Track, bool) {
	if q.cur < 0 || q.cur >= len(q.tracks) {
		return catalog.Track{}, false
	}
	return q.tracks[q.cur], true
}

// Repeat returns the repeat mode.
func (q *Queue) Repeat() Repeat { return q.repeat }

// SetRepeat sets the repeat mode.
func (q *Queue) SetRepeat(r Repeat) { q.repeat = r }

// insert puts ts at index i.
func (q *Queue) insert(i int, ts []catalog.Track) {
	q.tracks = append(q.tracks[:i], append(append([]catalog.Track(nil), ts...), q.tracks[i:]...)...)
}

// PlayNow inserts ts after the current track and makes the first of them
// current. With nothing current (the queue ran out) they go to the end, so
// what already played is not played again after them.
func (q *Queue) PlayNow(ts ...catalog.Track) {
	if len(ts) == 0 {
		return
	}
	at := q.insertAt()
	q.insert(at, ts)
	q.cur = at
}

// PlayNext inserts ts right after the current track. When nothing is
// current (the queue ran out) they go to the end and the first of them
// becomes current.
func (q *Queue) PlayNext(ts ...catalog.Track) {
	at := q.insertAt()
	q.insert(at, ts)
	if q.cur < 0 && len(ts) > 0 {
		q.cur = at
	}
}

func (q *Queue) insertAt() int {
	if q.cur < 0 {
		return len(q.tracks)
	}
	return q.cur + 1
}

// Add appends ts to the end. If nothing was current (an empty queue, or
// one that ran out), the first added track becomes current: what was added
// plays, not the old queue from the top.
func (q *Queue) Add(ts ...catalog.Track) {
	at := len(q.tracks)
	q.tracks = append(q.tracks, ts...)
	if q.cur < 0 && len(ts) > 0 {
		q.cur = at
	}
}

// Remove deletes the track at i. Removing the current track makes the next
// one current (or none at the end).
func (q *Queue) Remove(i int) bool {
	if i < 0 || i >= len(q.tracks) {
		return false
	}
	q.tracks = append(q.tracks[:i], q.tracks[i+1:]...)
	switch {
	case i < q.cur:
		q.cur--
	case i == q.cur && q.cur >= len(q.tracks):
		q.cur = -1
	}
	return true
}

// Move moves the track at from to index to; the current track stays current.
func (q *Queue) Move(from, to int) bool {
	if from < 0 || from >= len(q.tracks) || to < 0 || to >= len(q.tracks) {
		return false
	}
	t := q.tracks[from]
	q.tracks = append(q.tracks[:from], q.tracks[from+1:]...)
	q.insert(to, []catalog.Track{t})
	switch {
	case q.cur == from:
		q.cur = to
	case from < q.cur && to >= q.cur:
		q.cur--
	case from > q.cur && to <= q.cur:
		q.cur++
	}
	return true
}

// Clear empties the queue; the shuffle mode stays as it was.
func (q *Queue) Clear() { q.tracks, q.cur, q.before = nil, -1, nil }

// Shuffled reports whether shuffle is on.
func (q *Queue) Shuffled() bool { return q.shuffled }

// Unshuffled returns a copy of the order shuffle off goes back to, or nil
// when shuffle is off.
func (q *Queue) Unshuffled() []catalog.Track {
	if !q.shuffled {
		return nil
	}
	return append([]catalog.Track(nil), q.before...)
}

// SetShuffle turns shuffle on or off; the current track stays current.
// On puts the tracks after the current one (all of them when nothing is
// current) in an order r picks and remembers the order they had. Off puts
// the tracks back in that order; tracks added while shuffled follow, in the
// order they have then.
func (q *Queue) SetShuffle(on bool, r *rand.Rand) {
	if on == q.shuffled {
		return
	}
	q.shuffled = on
	if !on {
		q.unshuffle()
		return
	}
	q.before = q.Tracks()
	rest := q.tracks[q.cur+1:]
	r.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
}

// unshuffle restores the order remembered by SetShuffle. A track queued
// twice is matched to its copies in turn; removed tracks are skipped.
func (q *Queue) unshuffle() {
	at := map[string][]int{} // track ID -> its indexes now, in order
	for i, t := range q.tracks {
		at[t.ID] = append(at[t.ID], i)
	}
	used := make([]bool, len(q.tracks))
	order := make([]int, 0, len(q.tracks))
	for _, t := range q.before {
		if is := at[t.ID]; len(is) > 0 {
			order = append(order, is[0])
			used[is[0]] = true
			at[t.ID] = is[1:]
		}
	}
	for i := range q.tracks {
		if !used[i] {
			order = append(order, i)
		}
	}
	tracks, cur := make([]catalog.Track, len(order)), -1
	for n, i := range order {
		tracks[n] = q.tracks[i]
		if i == q.cur {
			cur = n
		}
	}
	q.tracks, q.cur, q.before = tracks, cur, nil
}

// Jump makes the track at i current.
func (q *Queue) Jump(i int) bool {
	if i < 0 || i >= len(q.tracks) {
		return false
	}
	q.cur = i
	return true
}

// Advance moves to the track that follows when the current one ends on its
// own, honouring the repeat mode. It reports false when playback should stop.
func (q *Queue) Advance() bool {
	if q.repeat == RepeatOne && q.cur >= 0 {
		return true
	}
	return q.Next()
}

// Next skips to the next track (repeat one does not hold a skip back). It
// reports false, leaving nothing current, at the end without repeat all.
func (q *Queue) Next() bool {
	if len(q.tracks) == 0 {
		q.cur = -1
		return false
	}
	if q.cur+1 < len(q.tracks) {
		q.cur++
		return true
	}
	if q.repeat == RepeatAll {
		q.cur = 0
		return true
	}
	q.cur = -1
	return false
}

// PeekAdvance returns the index Advance would move to, or -1.
func (q *Queue) PeekAdvance() int {
	switch {
	case q.cur < 0:
		return -1
	case q.repeat == RepeatOne:
		return q.cur
	case q.cur+1 < len(q.tracks):
		return q.cur + 1
	case q.repeat == RepeatAll && len(q.tracks) > 0:
		return 0
	}
	return -1
}

// Previous goes back one track, or reports restart=true (staying on the
// current track) when pos is past RestartThreshold or there is nothing before.
func (q *Queue) Previous(pos time.Duration) (restart bool) {
	if q.cur < 0 {
		return false
	}
	if pos > RestartThreshold {
		return true
	}
	if q.cur > 0 {
		q.cur--
		return false
	}
	if q.repeat == RepeatAll && len(q.tracks) > 1 {
		q.cur = len(q.tracks) - 1
		return false
	}
	return true
}

// At returns the track at i.
func (q *Queue) At(i int) (catalog.Track, bool) {
	if i < 0 || i >= len(q.tracks) {
		return catalog.Track{}, false
	}
	return q.tracks[i], true
}
