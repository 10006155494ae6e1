package abr

import (
	"fmt"
	"time"
)

// History remembers when playback had to leave a level (a down-switch, an
// abandoned download, a stall), the input of SwitchHistoryRule.
type History struct {
	drops map[int][]time.Time // level -> times it was left, oldest first
}

// Figures of SwitchHistoryRule (dash.js's SwitchHistoryRule bans a level
// that keeps being left; here, in time rather than samples).
const (
	// DropWindow is how long a drop is remembered: long enough to catch a
	// level that fails again within a few segments of coming back, short
	// enough that a network that changes every half minute or more (a
	// train between cells) gets the level back when it can carry it.
	DropWindow = 30 * time.Second
	// DropsToBan is how many drops within DropWindow keep a level out.
	DropsToBan = 2
)

// Drop records that level was left at now.
func (h *History) Drop(level int, now time.Time) {
	if h.drops == nil {
		h.drops = map[int][]time.Time{}
	}
	h.drops[level] = append(h.prune(level, now), now)
}

func (h *History) prune(level int, now time.Time) []time.Time {
	ts := h.drops[level]
	for len(ts) > 0 && now.Sub(ts[0]) > DropWindow {
		ts = ts[1:]
	}
	h.drops[level] = ts
	return ts
}

// SwitchHistoryRule caps the level below the lowest one left DropsToBan
// times within DropWindow, so playback does not climb back into a level the
// network keeps failing to carry; unless the estimate now carries that
// level as ThroughputRule requires to rise to it (Safety and UpMargin): the
// link that failed it has changed. Without that, a level left twice at the
// end of a dip stayed out of the refill after the link came back, and
// with the middle level out the buffer refilled at the lowest for up to
// 30 s (make bench-abr, steps and oscillation under load).
func SwitchHistoryRule(m Metrics, h *History, now time.Time) Choice {
	for l := 1; l <= m.top(); l++ {
		if Safety*m.Throughput >= UpMargin*float64(m.Levels[l].Kbps) {
			continue
		}
		if h.drops != nil && len(h.prune(l, now)) >= DropsToBan {
			return Choice{l - 1, fmt.Sprintf("%s was left %d times in %v", m.Levels[l].Name, DropsToBan, DropWindow)}
		}
	}
	return Choice{m.top(), "no repeated drops"}
}
