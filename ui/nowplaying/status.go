// Package nowplaying owns what the interface shows about playback: the
// Status the player's events build up, the bar always visible at the bottom
// and the larger now-playing screen with the cover. It sends requests only as
// action messages and must not call the player.
package nowplaying

import (
	"fmt"
	"time"

	"segue/catalog"
	"segue/player"
)

// Symbol returns the glyph the bar shows for s.
func Symbol(s player.State) string {
	switch s {
	case player.Playing:
		return "▶"
	case player.Paused:
		return "⏸"
	case player.Buffering:
		return "…"
	}
	return "■"
}

// Status is everything the player has told the interface so far.
type Status struct {
	State     player.State
	Track     catalog.Track
	HasTrack  bool
	Position  time.Duration
	Duration  time.Duration
	Volume    int    // 0-100
	Rendition string // e.g. "320k"
	Source    catalog.Source
	Buffer    time.Duration // audio fetched ahead of the play head
}

// Clock formats d as m:ss (h:mm:ss past an hour).
func Clock(d time.Duration) string {
	d = max(d, 0).Truncate(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%d:%02d", m, s)
}
