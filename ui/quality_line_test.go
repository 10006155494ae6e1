package ui

import (
	"testing"
	"time"

	"segue/ui/nowplaying"
)

// b's status line says when the quality it chose is heard: a switch up from
// the next segment on (the player fetches again what is buffered lower), a
// switch down once what is buffered has played. Every switch said "from
// the next segment on".
func TestQualityLineSaysWhenItIsHeard(t *testing.T) {
	for _, c := range []struct {
		pref, playing string
		buffer        time.Duration
		want          string
	}{
		{"high", "low", 18 * time.Second, "quality high: from the next segment on"},
		{"high", "high", 18 * time.Second, "quality high: from the next segment on"},
		{"low", "", 0, "quality low: from the next segment on"}, // nothing playing
		{"low", "high", 18 * time.Second, "quality low: once the 18 s buffered have played"},
		{"normal", "high", 500 * time.Millisecond, "quality normal: from the next segment on"},
		{"auto", "high", 18 * time.Second, "quality auto: chosen for each segment as the link allows"},
		{"auto", "", 0, "quality auto: from the next segment on"},
	} {
		got := qualityLine(nowplaying.Status{Preference: c.pref, Rendition: c.playing, Buffer: c.buffer})
		if got != c.want {
			t.Errorf("%s with %q playing, %v buffered: %q, want %q", c.pref, c.playing, c.buffer, got, c.want)
		}
	}
}
