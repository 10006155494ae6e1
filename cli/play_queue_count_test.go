package cli

import (
	"strings"
	"testing"
	"time"

	"segue/internal/testkit"
)

// TestPlayCountsTheQueueAsItIs: segue play's "▶ N/M" line counted the
// targets it started with, so after `ctl queue add` it said "▶ 2/1" (and
// "6/5" after the fifth of five with more queued). M is now the queue's
// length when the track starts.
func TestPlayCountsTheQueueAsItIs(t *testing.T) {
	url, tracks := ctlOrigin(t)
	h := newCtlHost(t)
	_, playOut, _ := h.startPlay("--origin", url, "play", "--output", "null", tracks[0].ID)
	h.ok("queue", "add", tracks[1].ID, tracks[2].ID)
	h.ok("next")
	testkit.Wait(t, 30*time.Second, "the second track's line", func() bool { return strings.Contains(playOut.String(), "▶ 2/") })
	out := playOut.String()
	if !strings.Contains(out, "▶ 1/1 ") || !strings.Contains(out, "▶ 2/3 ") {
		t.Errorf("segue play said\n%s\nwant ▶ 1/1 for the first track and ▶ 2/3 once two more were queued", out)
	}
}
