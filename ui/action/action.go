// Package action declares what the views ask the player to do. Views return
// an Action as a tea.Msg; the root model hands it to the player in a Cmd. It
// must not import the player: the root adapts.
package action

import (
	"time"

	"segue/catalog"
)

// Kind names one player request.
type Kind int

// Kinds of request.
const (
	PlayNow      Kind = iota // Tracks: play the first now, the rest after it
	PlayNext                 // Tracks: insert after the current track
	Add                      // Tracks: append to the queue
	TogglePause              // pause or resume
	Next                     // skip to the next track
	Previous                 // previous track, or restart past 3 s
	SeekBy                   // By: relative seek
	SeekTo                   // To: absolute position
	VolumeBy                 // Delta: volume change in percent points
	Remove                   // Index: remove from the queue
	Move                     // Index -> To index (Delta holds the target)
	Clear                    // empty the queue
	Shuffle                  // turn shuffle on or off (off restores the order)
	CycleRepeat              // off -> all -> one -> off
	Jump                     // Index: play the queue entry
	Refresh                  // nothing: only report the status
	CycleQuality             // auto -> low -> normal -> high -> auto
)

// Action is one request to the player.
type Action struct {
	Kind   Kind
	Tracks []catalog.Track
	From   string // what Tracks came from (an album or playlist name), for notices
	Radio  bool   // a radio chose Tracks: the player marks them (PlayRadio)
	Index  int
	Delta  int
	By, To time.Duration
}

// Radio asks the root to start a radio after Seed (a track or album ID);
// From names it for notices.
type Radio struct{ Seed, From string }

// Tracks returns an action that carries ts.
func Tracks(k Kind, ts ...catalog.Track) Action {
	return Action{Kind: k, Tracks: append([]catalog.Track(nil), ts...)}
}

// String names the action for status notices.
func (a Action) String() string {
	switch a.Kind {
	case PlayNow:
		return "play"
	case PlayNext:
		return "play next"
	case Add:
		return "add to queue"
	case TogglePause:
		return "pause"
	case Next:
		return "next"
	case Previous:
		return "previous"
	case SeekBy, SeekTo:
		return "seek"
	case VolumeBy:
		return "volume"
	case Remove:
		return "remove"
	case Move:
		return "move"
	case Clear:
		return "clear queue"
	case Shuffle:
		return "shuffle"
	case CycleQuality:
		return "quality"
	case CycleRepeat:
		return "repeat"
	case Jump:
		return "jump"
	case Refresh:
		return "status"
	}
	return "player request"
}
