package catalog

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrBadPosition marks a playlist position the playlist does not have (a
// bad argument, exit status 2, whichever source holds the playlist). The
// errors of CheckRemove, CheckInsert and CheckMove match it with errors.Is
// and say only their sentence.
var ErrBadPosition = errors.New("bad playlist position")

// positionError is a sentence about a position that matches ErrBadPosition.
type positionError string

func (e positionError) Error() string        { return string(e) }
func (e positionError) Is(target error) bool { return target == ErrBadPosition }

// CheckRemove reports whether a playlist of n tracks has a track at index
// pos (0-based; the sentence counts from 1, as people do).
func CheckRemove(pos, n int) error {
	if pos < 0 || pos >= n {
		return NoTrackAt(strconv.Itoa(pos+1), n)
	}
	return nil
}

// CheckInsert reports whether tracks can go before index pos of a playlist
// of n tracks: 0 to n (n appends), or negative for the end.
func CheckInsert(pos, n int) error {
	if pos > n {
		return NoInsertAt(strconv.Itoa(pos+1), n)
	}
	return nil
}

// CheckMove reports whether a playlist of n tracks can move the track at
// index from to index to (both 0-based).
func CheckMove(from, to, n int) error {
	if from < 0 || from >= n || to < 0 || to >= n {
		return NoMove(strconv.Itoa(from+1), strconv.Itoa(to+1), n)
	}
	return nil
}

// NoTrackAt is CheckRemove's error for the position at, counting from 1 as
// the user wrote it: a whole number too large for an int
// ("99999999999999999999"), which no playlist has, is said as the numbers
// a playlist lacks are.
func NoTrackAt(at string, n int) error {
	return positionError(fmt.Sprintf("there is no track at position %s: %s", at, positions(n)))
}

// NoInsertAt is CheckInsert's error for the position at, as NoTrackAt.
func NoInsertAt(at string, n int) error {
	return positionError(fmt.Sprintf("there is no position %s to insert before: %s (%d adds at the end)", at, positions(n), n+1))
}

// NoMove is CheckMove's error for the positions from and to, as NoTrackAt.
func NoMove(from, to string, n int) error {
	return positionError(fmt.Sprintf("cannot move position %s to %s: %s", from, to, positions(n)))
}

// positions says which positions a playlist of n tracks has.
func positions(n int) string {
	switch n {
	case 0:
		return "the playlist is empty"
	case 1:
		return "the playlist has one track, at position 1"
	}
	return fmt.Sprintf("positions go from 1 to %d", n)
}

// ErrPlaylistChanged marks an edit by position that named the track the
// caller saw there (its view of the playlist) when the position now holds
// another track, or none: another device edited the playlist meanwhile.
// Nothing was changed; the caller reloads the playlist and asks again.
var ErrPlaylistChanged = errors.New("the playlist changed")

// Changed is the ErrPlaylistChanged error for index pos (0-based; the
// sentence counts from 1) of a playlist of n tracks, whose caller expected
// the track want there: now is the ID pos holds now ("" when pos is past
// the end), title its title ("" when not known).
func Changed(pos, n int, now, title, want string) error {
	const reload = "the playlist was edited since you loaded it; reload it and try again"
	switch {
	case now == "":
		return fmt.Errorf("%w: there is no track at position %d now (it has %s), not %s: %s", ErrPlaylistChanged, pos+1, Count(n, "track"), want, reload)
	case title == "":
		return fmt.Errorf("%w: position %d now holds %s, not %s: %s", ErrPlaylistChanged, pos+1, now, want, reload)
	}
	return fmt.Errorf("%w: position %d now holds “%s” (%s), not %s: %s", ErrPlaylistChanged, pos+1, title, now, want, reload)
}
