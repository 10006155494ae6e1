package catalog

import (
	"errors"
	"fmt"
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
		return positionError(fmt.Sprintf("there is no track at position %d: %s", pos+1, positions(n)))
	}
	return nil
}

// CheckInsert reports whether tracks can go before index pos of a playlist
// of n tracks: 0 to n (n appends), or negative for the end.
func CheckInsert(pos, n int) error {
	if pos > n {
		return positionError(fmt.Sprintf("there is no position %d to insert before: %s (%d adds at the end)", pos+1, positions(n), n+1))
	}
	return nil
}

// CheckMove reports whether a playlist of n tracks can move the track at
// index from to index to (both 0-based).
func CheckMove(from, to, n int) error {
	if from < 0 || from >= n || to < 0 || to >= n {
		return positionError(fmt.Sprintf("cannot move position %d to %d: %s", from+1, to+1, positions(n)))
	}
	return nil
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
