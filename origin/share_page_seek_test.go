package origin

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"segue/internal/testkit"
)

// A recipient plays a share page, skips to the end of the first track with
// its slider (the End key on it), hears the second follow, then presses
// the third track's play button, and that button again to pause. The page
// plays through one MediaSource, each row a play button and a position
// slider in place of the <audio> it had per track.
func TestSharePageSeeksAndPlaysAnotherTrack(t *testing.T) {
	ctx := testkit.Chromium(t, 2*time.Minute)
	w := newStreamWorld(t)
	openShared(t, ctx, w.r.base, w.owner, "Seek", w.ids, 390) // 6.1 s, 3.7 s, 2.2 s
	// wait polls cond on the page's player (p) and its rows (on(i): track
	// i's row is the one playing; at(i): the position its slider shows, s;
	// label: what the Play all button says).
	wait := func(what, cond string) {
		t.Helper()
		js := `(() => { const p = document.querySelector("audio"), rows = document.querySelectorAll("tbody");
			const on = (i) => rows[i].classList.contains("playing"), at = (i) => Number(rows[i].querySelector("input").value);
			const label = document.getElementById("playall").textContent.trim();
			return ` + cond + `; })()`
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
			text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
			t.Fatalf("%s: %v\n%s", what, err, text)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("playall"))); err != nil {
		t.Fatalf("press play all: %v", err)
	}
	wait("the first track plays", "on(0) && at(0) > 0.3 && !p.paused")
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS("tbody .ctl input")), chromedp.KeyEvent(kb.End)); err != nil {
		t.Fatalf("press End on the first track's slider: %v", err)
	}
	wait("the second track follows the first, skipped to its end", "on(1) && !on(0) && at(0) === 0 && at(1) > 0.2 && !p.paused")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("tbody:nth-of-type(3) .ctl button"))); err != nil {
		t.Fatalf("press the third track's play button: %v", err)
	}
	wait("the third track plays", `on(2) && !on(1) && at(2) > 0.2 && !p.paused && label.endsWith("Pause")`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("tbody:nth-of-type(3) .ctl button"))); err != nil {
		t.Fatalf("press the third track's button again: %v", err)
	}
	wait("the third track pauses", `on(2) && p.paused && label.endsWith("Resume")`)
}

// A recipient presses Play all on a share page: the page fetches the track
// playing and the next, and the one after only once the next plays. It
// fetched every track of the playlist back to back (up to the 12 MB
// Chromium buffers), where an <audio> per track asked for none before
// it was played.
func TestSharePageFetchesOneTrackAhead(t *testing.T) {
	ctx, w, proxy, _, page := sharedBehindProxy(t, "Ahead") // 6.1 s, 3.7 s, 2.2 s
	openPage(t, ctx, page)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("playall"))); err != nil {
		t.Fatalf("press play all: %v", err)
	}
	asked := func(i int) int { return proxy.count("/api/v1/tracks/" + w.ids[i] + "/stream") }
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const p = document.querySelector("audio"), row = document.querySelector("tbody");
		return row.classList.contains("playing") && Number(row.querySelector("input").value) > 2 && !p.paused; })()`,
		chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("the first track does not play 2 s: %v", err)
	}
	if asked(1) != 1 || asked(2) != 0 {
		t.Errorf("2 s into the first track the page asked for the second %d times and the third %d times, want once and none", asked(1), asked(2))
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const p = document.querySelector("audio"), row = document.querySelectorAll("tbody")[1];
		return row.classList.contains("playing") && Number(row.querySelector("input").value) > 1 && !p.paused; })()`,
		chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("the second track does not play 1 s: %v", err)
	}
	if asked(2) != 1 {
		t.Errorf("1 s into the second track the page asked for the third %d times, want once", asked(2))
	}
}
