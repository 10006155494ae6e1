package origin

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"segue/internal/testkit"
)

// A recipient plays a share page over a link that stalls mid-track (a
// train's tunnel, a proxy holding the answer): the connection stays open
// and no bytes come. Chromium fires no error for that, only "waiting", and
// the page showed nothing but the player's spinner for as long as the
// stall lasted (60 s through this proxy), its button saying "Pause". Now
// the row says the connection is slow after slowAfter (5 s) of waiting,
// and the message goes once the audio comes and the track plays on.
func TestSharePageSaysALinkStalls(t *testing.T) {
	ctx := testkit.Chromium(t, 3*time.Minute)
	w := newStreamWorld(t)
	_, link := shared(t, w.r.base, w.owner, "Stalls", w.ids[:1]) // 6.1 s
	proxy := testkit.FaultProxy(t, w.r.base, 20*time.Second, func(r *http.Request) testkit.Fault {
		if strings.Contains(r.URL.Path, "/stream") {
			return testkit.StallBody // half the track, 20 s of nothing, the rest
		}
		return testkit.Pass
	})
	page := proxy.URL + "/p/" + link.Token
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(page), chromedp.WaitVisible(chromedp.ID("playall")),
		chromedp.Click(chromedp.ID("playall"))); err != nil {
		t.Fatalf("open %s and press play all: %v", page, err)
	}
	said, err := chromedp.Run(ctx, chromedp.Poll[[]any](`(() => { const a = document.querySelector("audio"), why = document.querySelector("td .why");
		return !why.hidden ? [why.textContent, a.currentTime] : null; })()`, chromedp.WithPollingTimeout(18*time.Second)))
	if err != nil {
		t.Fatalf("the link stalls mid-track and the page says nothing: %v", err)
	}
	if !strings.Contains(said[0].(string), "connection is slow") {
		t.Errorf("the stalled track's row says %q, want it to say the connection is slow", said[0])
	}
	t.Logf("stalled at %.2f s: %q", said[1], said[0])
	// the rest comes: the track plays on and the row no longer says it
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const a = document.querySelector("audio"), why = document.querySelector("td .why");
		return a.currentTime > 4 && !a.paused && why.hidden; })()`, chromedp.WithPollingTimeout(40*time.Second))); err != nil {
		v, _ := chromedp.Run(ctx, chromedp.Evaluate[[]any](`[document.querySelector("audio").currentTime, document.querySelector("td .why").hidden]`))
		t.Fatalf("after the stall the track does not play on with the row clear (time, row hidden: %v): %v", v, err)
	}
}
