package origin

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"segue/internal/testkit"
)

// A recipient on a phone (390 px, the width of most) plays a track and
// drags its timeline to skip ahead: the timeline (the row's position
// slider; Chromium's own player controls in the fallback) is wide enough
// to aim at. Beside the track's number and
// length, the player was 241 px wide, and with the play button, the time
// and the volume the timeline was 44 px: a dot.
func TestSharePageTimelineOnAPhone(t *testing.T) {
	ctx := testkit.Chromium(t, 2*time.Minute)
	w := newStreamWorld(t)
	openShared(t, ctx, w.r.base, w.owner, "Phone", w.ids, 390)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("playall"))); err != nil {
		t.Fatalf("press play all: %v", err)
	}
	// playing: the time shows its widest, "0:01 / 0:06"
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const a = document.querySelector("audio"); return a.currentTime > 1 && !a.paused; })()`,
		chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("the first track does not play: %v", err)
	}
	// The track's position slider, in its row (Chromium's own controls
	// belong to the fallback, an <audio> per track).
	width, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector("tbody .ctl input[type=range]").getBoundingClientRect().width`))
	if err != nil {
		t.Fatalf("measure the timeline: %v", err)
	}
	t.Logf("the timeline is %.0f px wide at 390 px", width)
	if width < 120 {
		t.Errorf("at 390 px the first track's timeline is %.0f px wide, want 120 or more to drag it", width)
	}
}

// A recipient playing the page on a phone locks it: the lock screen and
// the notification show the track playing, its artist and album (they
// read the page's media session), not only the page's title, and follow
// Play all to the next track.
func TestSharePageNamesTheTrackToTheLockScreen(t *testing.T) {
	ctx := testkit.Chromium(t, 2*time.Minute)
	w := newStreamWorld(t)
	openShared(t, ctx, w.r.base, w.owner, "Lock screen", w.ids[1:], 390) // 3.7 s, 2.2 s
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("playall"))); err != nil {
		t.Fatalf("press play all: %v", err)
	}
	for i, title := range []string{"b", "c"} {
		js := fmt.Sprintf(`(() => { const m = navigator.mediaSession.metadata, p = document.querySelector("audio");
			const on = document.querySelectorAll("tbody")[%d].classList.contains("playing");
			return on && !p.paused && m && m.title === %q ? [m.title, m.artist, m.album] : null; })()`, i, title)
		got, err := chromedp.Run(ctx, chromedp.Poll[[]string](js, chromedp.WithPollingTimeout(30*time.Second)))
		if err != nil {
			m, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => { const m = navigator.mediaSession.metadata; return m ? [m.title, m.artist, m.album] : []; })()`))
			t.Fatalf("track %d (%s) plays, and the media session names %q: %v", i+1, title, m, err)
		}
		if got[1] != "Unknown Artist" || got[2] != "Unknown Album" {
			t.Errorf("track %d: the media session names the artist %q and the album %q, want Unknown Artist, Unknown Album", i+1, got[1], got[2])
		}
	}
}
