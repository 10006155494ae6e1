// Package nowplaying owns what the interface shows about playback: the
// Status the player's events build up, the bar always visible at the bottom
// and the larger now-playing screen with the cover. It sends requests only as
// action messages and must not call the player.
package nowplaying

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"segue/catalog"
	"segue/config"
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
	Rendition string // the rendition playing, e.g. "high"
	Kbps      int    // its bitrate
	// Switch marks the last change of rendition: "↑", "↓", or "" when
	// the rendition has not changed since the track began.
	Switch string
	// Preference is the quality setting: auto, low, normal or high.
	Preference string
	// LinkKbps is the player's throughput estimate in kbit/s, 0 while
	// unknown (player.Status.LinkKbps).
	LinkKbps float64
	Source   catalog.Source
	Buffer   time.Duration // audio fetched ahead of the play head
	// BufferUnknown says the player has not reported Buffer for this
	// track yet (a queue restored paused, a track just begun): Buffer's
	// zero is then no measure, and "buf 0s" would say it ran dry.
	BufferUnknown bool
	Played        SourceBytes // segment bytes fetched this session, by source
	// OriginName is what the bar and the screen call catalog.SourceOrigin:
	// "origin" when empty, "Subsonic server" when the music comes from one.
	OriginName string
}

// SourceWord names src as the bar and the screen show it: Status.OriginName
// for the origin, the source's own name ("cache", "peer") otherwise.
func (s Status) SourceWord(src catalog.Source) string {
	if src == catalog.SourceOrigin && s.OriginName != "" {
		return s.OriginName
	}
	return string(src)
}

// SourceBytes counts segment bytes by where they came from.
type SourceBytes struct{ Cache, Peer, Origin int64 }

// Add counts n bytes from src.
func (b *SourceBytes) Add(src catalog.Source, n int) {
	switch src {
	case catalog.SourceCache:
		b.Cache += int64(n)
	case catalog.SourcePeer:
		b.Peer += int64(n)
	case catalog.SourceOrigin:
		b.Origin += int64(n)
	}
}

// FormatPlayed renders the counts of s.Played, each source named by
// s.SourceWord: "1.2 MiB cache · 3.4 MiB peer · 96.0 KiB origin"; with
// short, only the sources that gave bytes ("1.2 MiB cache · 96.0 KiB
// origin"), for a line with no room for the zeros. Empty when nothing was
// fetched.
func (s Status) FormatPlayed(short bool) string {
	var parts []string
	for _, p := range []struct {
		n   int64
		src catalog.Source
	}{{s.Played.Cache, catalog.SourceCache}, {s.Played.Peer, catalog.SourcePeer}, {s.Played.Origin, catalog.SourceOrigin}} {
		if p.n > 0 || !short && s.Played != (SourceBytes{}) {
			parts = append(parts, config.FormatBytes(p.n)+" "+s.SourceWord(p.src))
		}
	}
	return strings.Join(parts, " · ")
}

// Clock formats d as catalog.Clock does: m:ss (h:mm:ss past an hour).
func Clock(d time.Duration) string { return catalog.Clock(d.Milliseconds()) }

// ParseClock reads a position as Clock writes it: "SS", "M:SS", "MM:SS" or
// "H:MM:SS" (seconds and minutes below 60 after the first field). The
// error says what was wrong and what to type instead.
func ParseClock(s string) (time.Duration, error) {
	bad := fmt.Errorf("“%s” is not a time: type MM:SS or H:MM:SS, like 9:58 or 1:02:03", s)
	fields := strings.Split(strings.TrimSpace(s), ":")
	if len(fields) > 3 {
		return 0, bad
	}
	var d time.Duration
	for i, f := range fields {
		if f == "" || len(f) > 6 || strings.TrimLeft(f, "0123456789") != "" {
			return 0, bad
		}
		n, err := strconv.Atoi(f)
		if err != nil || i > 0 && (n >= 60 || len(f) != 2) {
			return 0, bad
		}
		d = d*60 + time.Duration(n)*time.Second
	}
	return d, nil
}
