package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"segue/ctl"
	"segue/internal/testkit"
)

// TestCtlWatchWhilePaused: a skip or a seek while paused reaches segue ctl
// watch at once, as the status line's does. Watch named the track before
// the skip, and the position before the seek, until playback resumed (a
// status bar fed by watch showed the wrong track).
func TestCtlWatchWhilePaused(t *testing.T) {
	url, tracks := ctlOrigin(t)
	h := newCtlHost(t)
	h.start("--origin", url, "play", "--output", "null", tracks[0].ID, tracks[1].ID, tracks[2].ID)
	testkit.Wait(t, time.Minute, "play to answer", func() bool {
		_, _, code := h.ctl("status")
		return code == 0
	})
	h.ok("pause")
	watchOut, _ := h.start("ctl", "watch", "--json")
	// events returns watch's whole lines after the first n.
	events := func(n int) []ctl.Event {
		out := watchOut.String()
		var evs []ctl.Event
		for i, line := range strings.Split(out[:strings.LastIndex(out, "\n")+1], "\n") {
			var e ctl.Event
			if i < n || line == "" {
				continue
			}
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatalf("watch line %q: %v", line, err)
			}
			evs = append(evs, e)
		}
		return evs
	}
	testkit.Wait(t, time.Minute, "watch to start", func() bool { return len(events(0)) >= 2 })
	started := len(events(0))

	h.ok("next")
	testkit.Wait(t, 10*time.Second, "watch to name track 2 while paused", func() bool {
		for _, e := range events(started) {
			if e.Event == "track" && e.Track != nil && e.Track.ID == tracks[1].ID {
				return true
			}
		}
		return false
	})
	h.ok("seek", "0:30")
	testkit.Wait(t, 10*time.Second, "watch to say position 30 s while paused", func() bool {
		for _, e := range events(started) {
			if e.Event == "position" && e.PositionMS != nil && *e.PositionMS == 30000 {
				return true
			}
		}
		return false
	})
	// resuming starts the track watch named already: it is not named twice
	h.ok("play")
	testkit.Wait(t, time.Minute, "a position after resuming", func() bool {
		for _, e := range events(started) {
			if e.Event == "position" && e.PositionMS != nil && *e.PositionMS > 30000 {
				return true
			}
		}
		return false
	})
	named := 0
	for _, e := range events(started) {
		if e.Event == "track" {
			named++
		}
	}
	if named != 1 {
		t.Errorf("watch named a track %d times after one skip: %s", named, watchOut)
	}
}
