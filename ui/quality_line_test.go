package ui

import (
	"testing"
	"time"

	"segue/ui/nowplaying"
)

// b's status line says when the quality it chose is heard: a switch up from
// the next segment on (the player fetches again what is buffered lower), a
// switch down once what is buffered has played, as is a switch up on a link
// too slow to carry it. Every switch said "from the next segment on".
func TestQualityLineSaysWhenItIsHeard(t *testing.T) {
	for _, c := range []struct {
		pref, playing string
		buffer        time.Duration
		link          float64 // the player's estimate, kbit/s (0: unknown)
		want          string
	}{
		{"high", "low", 18 * time.Second, 0, "quality high: from the next segment on"},
		{"high", "high", 18 * time.Second, 0, "quality high: from the next segment on"},
		{"low", "", 0, 0, "quality low: from the next segment on"}, // nothing playing
		{"low", "high", 18 * time.Second, 0, "quality low: once the 18 s buffered have played"},
		{"normal", "high", 500 * time.Millisecond, 0, "quality normal: from the next segment on"},
		{"auto", "high", 18 * time.Second, 0, "quality auto: chosen for each segment as the link allows"},
		{"auto", "", 0, 0, "quality auto: from the next segment on"},
		// a link too slow to carry the switch up: nothing is fetched
		// again (player upgradeAhead), what is buffered plays out
		{"high", "low", 17 * time.Second, 175, "quality high: once the 17 s buffered have played (the link, about 175 kbit/s, is too slow to fetch them again at 320k)"},
		{"high", "low", 17 * time.Second, 2000, "quality high: from the next segment on"},
		{"normal", "low", 17 * time.Second, 175, "quality normal: once the 17 s buffered have played (the link, about 175 kbit/s, is too slow to fetch them again at 160k)"},
		{"normal", "low", 17 * time.Second, 250, "quality normal: from the next segment on"},
		{"high", "high", 17 * time.Second, 175, "quality high: from the next segment on"},
	} {
		got := qualityLine(nowplaying.Status{Preference: c.pref, Rendition: c.playing, Buffer: c.buffer, LinkKbps: c.link})
		if got != c.want {
			t.Errorf("%s with %q playing, %v buffered: %q, want %q", c.pref, c.playing, c.buffer, got, c.want)
		}
	}
}
