package origin

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"segue/internal/testkit"
)

// A recipient presses "Play all" on a share page whose second track's
// stream comes (200) with bytes no browser plays (here its every byte
// changed on the way; a track whose stream is empty alike): the page plays
// the first, passes over the second, saying why in its row, and plays the
// third. Through one MediaSource, the player passed the track over in
// words (its row said so) but fetched nothing after it: the page went
// silent at the end of the first track, its button saying "Pause".
func TestSharePagePassesOverATrackOfBadBytes(t *testing.T) {
	ctx := testkit.Chromium(t, 3*time.Minute)
	w := newStreamWorld(t)
	_, link := shared(t, w.r.base, w.owner, "Bad bytes", []string{w.ids[2], w.ids[1], w.ids[0]})
	bad := "/tracks/" + url.PathEscape(w.ids[1]) + "/stream"
	proxy := testkit.FaultProxy(t, w.r.base, time.Minute, func(r *http.Request) testkit.Fault {
		if strings.Contains(r.URL.Path, bad) {
			return testkit.WrongBytes
		}
		return testkit.Pass
	})
	page := proxy.URL + "/p/" + link.Token
	if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.ID("playall")),
		chromedp.Click(chromedp.ID("playall"))); err != nil {
		t.Fatalf("open %s and press play all: %v", page, err)
	}
	got, err := chromedp.Run(ctx, chromedp.Poll[[]any](`(() => { const rows = document.querySelectorAll("tbody"), p = document.querySelector("audio");
		const why = rows[1].querySelector(".why");
		return rows[2].classList.contains("playing") && !p.paused && p.currentTime > 0 && !why.hidden ? [why.textContent, p.currentTime] : null; })()`,
		chromedp.WithPollingTimeout(40*time.Second)))
	if err != nil {
		text, _ := chromedp.Run(ctx, chromedp.Evaluate[[]any](`[document.body.innerText, document.querySelector("audio").currentTime]`))
		t.Fatalf("play all past a track of bad bytes: the third track does not play (%v); the page says: %v", err, text)
	}
	if !strings.Contains(got[0].(string), "cannot play this track") {
		t.Errorf("the bad track's row says %q, want that the browser cannot play it", got[0])
	}
	t.Logf("the third track plays at %.2f s; the second's row: %q", got[1], got[0])
}
