package cli

import (
	"regexp"
	"strings"
	"testing"

	"segue/catalog"
)

// TestTUIFollowsCtl: what segue ctl changes in a running interface shows
// there at once (README: the two never disagree): the volume 40, the
// quality set to low (no "auto" before the rendition), a track added to the
// queue (2 tracks) and one removed (1 track), and a stop (the bar back at
// 0:00), without a key pressed; and what the queue's keys do (J/K, enter,
// R): a track moved to the top, played from there, a radio started.
func TestTUIFollowsCtl(t *testing.T) {
	url := tuiOrigin(t)
	var res catalog.SearchResult
	getJSON(t, url+"/api/v1/search?q=test&limit=5", &res)
	ids := map[string]string{}
	for _, tr := range res.Tracks {
		ids[tr.Title] = tr.ID
	}
	s := startTUI(t, url, 120, 30)
	s.waitText("nothing playing")
	ctl := func(args ...string) { segueIn(t, s.dir, append([]string{"ctl"}, args...)...) }

	ctl("queue", "add", ids["Aurora Test"])
	s.waitText("▶ Aurora Test")
	ctl("volume", "40")
	s.waitText("vol 40%")
	ctl("quality", "low")
	s.waitScreen("the bar without \"auto\" and at 96k", func(scr string) bool {
		return regexp.MustCompile(`vol 40% · 96k`).MatchString(scr)
	})
	s.keys("Tab", "Tab") // Queue
	s.waitText("Queue  1 track")
	ctl("queue", "add", ids["Borealis Test"])
	s.waitText("Queue  2 tracks")
	s.waitText("Borealis Test")
	ctl("queue", "remove", "2")
	s.waitText("Queue  1 track")

	// stop rewinds: the bar shows 0:00 (it kept the second it stopped at)
	s.waitScreen("the track past 0:01", func(scr string) bool {
		return regexp.MustCompile(`(?m)^0:0[1-9] `).MatchString(scr)
	})
	ctl("stop")
	s.waitScreen("stopped at 0:00", func(scr string) bool {
		return strings.Contains(scr, "■ Aurora Test") && regexp.MustCompile(`(?m)^0:00 `).MatchString(scr)
	})

	ctl("queue", "add", ids["Borealis Test"])
	s.waitText("Queue  2 tracks")
	ctl("queue", "move", "2", "1")
	s.waitScreen("Borealis moved above Aurora", func(scr string) bool {
		b, a := strings.Index(scr, "Borealis Test"), strings.Index(scr, "Aurora Test")
		return b >= 0 && a > b
	})
	ctl("queue", "play", "1")
	s.waitText("▶ Borealis Test")
	ctl("radio", ids["Aurora Test"])
	s.waitScreen("the radio's tracks marked ~ in the queue", func(scr string) bool {
		return regexp.MustCompile(`(?m)~ +\S`).MatchString(scr)
	})
}
