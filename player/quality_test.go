package player

import (
	"testing"

	"segue/catalog"
)

func TestLadder(t *testing.T) {
	// Renditions out of order in the manifest come out lowest first.
	m := &catalog.Manifest{Renditions: []catalog.Rendition{
		{Name: "high", Bitrate: 320}, {Name: "low", Bitrate: 96}, {Name: "normal", Bitrate: 160},
	}}
	for _, c := range []struct {
		max  string
		q    Quality
		want string
	}{
		{"", "high", "high"},
		{"", "low", "low"},
		{"normal", "high", "normal"}, // the data saver caps a fixed choice
		{"low", "normal", "low"},
		{"", "lossless", "high"}, // a rendition the track lacks: the best allowed
	} {
		l := newLadder(m, c.max)
		if got := l.rends[l.fixed(c.q)].Name; got != c.want {
			t.Errorf("max %q, quality %s: %s, want %s", c.max, c.q, got, c.want)
		}
	}
	if l := newLadder(m, "normal"); l.max != 1 || l.levels[0].Kbps != 96 || l.levels[2].Name != "high" {
		t.Errorf("ladder %+v: want levels low, normal, high with max 1", l)
	}
	var seen []Quality
	for q := QualityAuto; len(seen) < 5; q = q.Next() {
		seen = append(seen, q)
	}
	if got := seen; got[0] != "auto" || got[1] != "low" || got[3] != "high" || got[4] != "auto" {
		t.Errorf("cycling qualities: %v", got)
	}
	if _, err := ParseMaxQuality("medium"); err == nil {
		t.Error("max quality medium accepted")
	}
}
