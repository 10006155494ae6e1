package origin

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"segue/internal/testkit"
)

// A recipient keeps a share page open while its owner takes the second of
// three tracks out of the playlist: "Play all" plays the first, goes past
// the second to the third, and the second's row says why it did not play
// (the page went silent after the first track, saying nothing, with an
// uncaught "no supported source" error in the console). Once the owner
// revokes the link, pressing "Play all" on a page opened before says the
// link was revoked. "Play all" pressed again goes past the track again.
func TestSharePageSaysWhyATrackCannotPlay(t *testing.T) {
	ctx := testkit.Chromium(t, 3*time.Minute)
	w := newStreamWorld(t)
	bg := context.Background()
	alice := clientFor(t, w.r.base, w.owner)
	var mu sync.Mutex // guards thrown
	var thrown []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*runtime.EventExceptionThrown); ok {
			mu.Lock()
			d := e.ExceptionDetails
			if d.Exception != nil {
				thrown = append(thrown, d.Text+" "+d.Exception.Description)
			} else {
				thrown = append(thrown, d.Text)
			}
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	// poll waits for a condition on the page's player (p) and its rows
	// (on(i): track i's row is the one playing; at(i): the position its
	// slider shows, s) with a deadline and returns the rows' text.
	poll := func(what, cond string) string {
		t.Helper()
		js := `(() => { const p = document.querySelector("audio"), rows = document.querySelectorAll("tbody");
			const on = (i) => rows[i].classList.contains("playing"), at = (i) => Number(rows[i].querySelector("input").value);
			return (` + cond + `) ? document.body.innerText : null; })()`
		v, err := chromedp.Run(ctx, chromedp.Poll[string](js, chromedp.WithPollingTimeout(60*time.Second)))
		if err != nil {
			text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
			t.Fatalf("%s: %v; the page says:\n%s", what, err, text)
		}
		return v
	}

	pl, link := openShared(t, ctx, w.r.base, w.owner, "Gaps", w.ids, 1200) // 6.1 s, 3.7 s, 2.2 s
	if _, err := alice.RemoveFromPlaylist(bg, pl.ID, 1, ""); err != nil {
		t.Fatal(err)
	}
	// Play all twice: the second time the second track's player already
	// failed (the second "Play all" stopped after the first track)
	for pass := 1; pass <= 2; pass++ {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("playall"))); err != nil {
			t.Fatalf("press play all: %v", err)
		}
		poll(fmt.Sprintf("pass %d: the first track plays", pass), "on(0) && at(0) > 0.2 && !p.paused")
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector("audio").currentTime = 5.5`)); err != nil {
			t.Fatal(err)
		}
		text := poll(fmt.Sprintf("pass %d: the third track plays after the first, past the one taken out", pass), "on(2) && at(2) > 0.2 && !p.paused")
		if !strings.Contains(text, "taken out of the playlist") {
			t.Errorf("the page does not say why the second track did not play:\n%s", text)
		}
		poll(fmt.Sprintf("pass %d: the third track ends", pass), "p.ended && !on(2)")
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(link.String()), chromedp.WaitVisible(chromedp.ID("playall"))); err != nil {
		t.Fatalf("open %s again: %v", link, err)
	}
	if err := alice.UnsharePlaylist(bg, pl.ID); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("playall"))); err != nil {
		t.Fatalf("press play all: %v", err)
	}
	text := poll("the page says the link was revoked", `document.body.innerText.includes("revoked")`)
	if !strings.Contains(text, "ask its owner for a new link") {
		t.Errorf("the page says the link was revoked but not what to do:\n%s", text)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(thrown) > 0 {
		t.Errorf("uncaught errors in the page:\n%s", strings.Join(thrown, "\n"))
	}
}

// A recipient with the page of a twelve-track playlist open after its link
// was revoked presses play on every track: the page says the link was
// revoked and asks the origin nothing more, so the origin's limit on
// refused tokens per address does not lock that address out. Each player
// asked on its own (and the page asked again why), twelve refusals and
// more: the owner's own segue on the same address (one home, one NAT) got
// 429 for its valid token.
func TestSharePageOfARevokedLinkStopsAsking(t *testing.T) {
	ctx := testkit.Chromium(t, 2*time.Minute)
	w := newStreamWorld(t)
	bg := context.Background()
	alice := clientFor(t, w.r.base, w.owner)
	var ids []string
	for range 4 {
		ids = append(ids, w.ids...)
	}
	pl, _ := openShared(t, ctx, w.r.base, w.owner, "Twelve", ids, 1200)
	if err := alice.UnsharePlaylist(bg, pl.ID); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("playall"))); err != nil {
		t.Fatalf("press play all: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.innerText.includes("revoked")`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("the page does not say the link was revoked: %v", err)
	}
	// every track's play button pressed; wait until each is disabled and
	// the page's player has nothing to ask
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const all = [...document.querySelectorAll("tbody .ctl button")];
		all.forEach((b) => b.click());
		return all.length === 12 && all.every((b) => b.disabled) && !document.querySelector("audio").getAttribute("src"); })()`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("the players neither fail nor stop: %v", err)
	}
	if _, err := alice.Playlists(bg); err != nil {
		t.Errorf("the owner, on the same address, after the page of the revoked link: %v", err)
	}
}

// The page of a link revoked after it opened, on an address whose refused
// tokens the origin answers 429 for a while (a device with a stale token
// behind the same NAT): pressing play says the link was revoked. The page
// said to wait a minute and press play again, which was refused again.
func TestSharePageOfARevokedLinkOnALimitedAddress(t *testing.T) {
	ctx := testkit.Chromium(t, 2*time.Minute)
	w := newStreamWorld(t)
	pl, _ := openShared(t, ctx, w.r.base, w.owner, "Revoked", w.ids[:1], 1200)
	if err := clientFor(t, w.r.base, w.owner).UnsharePlaylist(context.Background(), pl.ID); err != nil {
		t.Fatal(err)
	}
	for i := 0; i <= authBurst; i++ {
		get(t, "GET", w.r.base+"/api/v1/playlists", map[string]string{"Authorization": "Bearer sgo_stale"})
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("playall"))); err != nil {
		t.Fatalf("press play all: %v", err)
	}
	text, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => { const p = document.querySelector(".why:not([hidden])"); return p ? p.textContent : null; })()`,
		chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil {
		t.Fatalf("the page says nothing: %v", err)
	}
	if !strings.Contains(text, "revoked") {
		t.Errorf("the page says %q, want it to say the link was revoked", text)
	}
}

// A recipient behind the same NAT as someone whose stale token the origin
// refuses again and again presses Play all: the track plays. The origin
// refused the whole address for a while, the recipient's valid link too,
// and the page said to wait a minute; now only refused credentials are
// limited.
func TestSharePagePlaysBesideRefusedTokens(t *testing.T) {
	ctx := testkit.Chromium(t, 2*time.Minute)
	w := newStreamWorld(t)
	openShared(t, ctx, w.r.base, w.owner, "Refused", w.ids[:1], 1200)
	for i := 0; i <= authBurst; i++ {
		get(t, "GET", w.r.base+"/api/v1/playlists", map[string]string{"Authorization": "Bearer sgo_wrong"})
	}
	if resp, _ := get(t, "GET", w.r.base+"/api/v1/playlists", map[string]string{"Authorization": "Bearer sgo_wrong"}); resp.StatusCode != 429 {
		t.Fatalf("the stale token is not refused for a while (%d): the test needs it refused", resp.StatusCode)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("playall"))); err != nil {
		t.Fatalf("press play all: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const a = document.querySelector("audio");
		return a.currentTime > 0.2 && document.querySelector(".why:not([hidden])") === null && document.getElementById("notice").hidden; })()`,
		chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		t.Errorf("the track does not play, or the page says why not: %v\n%s", err, text)
	}
}
