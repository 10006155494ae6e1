package abr

import (
	"testing"
	"time"
)

// TestReplaceRule: dash.js fast switching (StreamProcessor.js,
// _prepareForFastQualitySwitch) with our conditions of bandwidth to spare.
func TestReplaceRule(t *testing.T) {
	const seg = 2500 * time.Millisecond
	// Oscillation when the link comes back: three segments loaded at
	// normal at the end of the dip are buffered, high is chosen next.
	dip := []Buffered{{1, 0}, {1, seg}, {1, 2 * seg}}
	for _, c := range []struct {
		name  string
		kbps  float64
		level int
		ahead []Buffered
		ok    bool
		want  int
	}{
		{"link back at 1 Mbit/s: the first normal segment a segment or more ahead", 600, 2, dip, true, 1},
		{"the next to play is never replaced (dash.js: 1.5 segments after the play head)", 600, 2, []Buffered{{1, 0}}, false, 0},
		{"the estimate does not carry high with the up-switch margin: 0.9 x 400 < 1.15 x 320", 400, 2, dip, false, 0},
		{"420 kbit/s: high loads in 1.9 s, more than 0.7 of the 2.5 s before it plays", 420, 2, dip[:2], false, 0},
		{"420 kbit/s: 1.9 s is within 0.7 of the 5 s before the third plays", 420, 2, dip, true, 2},
		{"already at the level chosen", 2000, 2, []Buffered{{2, seg}, {2, 2 * seg}}, false, 0},
		{"a higher copy is never replaced lower", 2000, 1, []Buffered{{2, seg}}, false, 0},
		{"the lowest chosen: nothing to replace", 2000, 0, dip, false, 0},
		{"nothing buffered", 2000, 2, nil, false, 0},
	} {
		k, ok := ReplaceRule(metrics(c.level, c.kbps, 0), c.level, c.ahead)
		if ok != c.ok || (ok && k != c.want) {
			t.Errorf("%s: replace %v index %d, want %v %d", c.name, ok, k, c.ok, c.want)
		}
	}
}
