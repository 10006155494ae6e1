package origin

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A recipient presses "Play all" while the connection to the origin is
// down: the first track cannot load, its row says to check the connection
// and press its play button again, and the page waits there. It went on
// to the next track, which failed the same way at once, and the next,
// down the whole playlist, every row saying so and the place in the
// playlist lost. The same when the connection is there but the origin
// behind a TLS-terminating proxy is down (502): its row says to press
// play again in a minute. Once the origin answers again, the first
// track's play button plays it and the next follows it.
func TestSharePageWaitsForTheConnection(t *testing.T) {
	ctx, w, proxy, _, page := sharedBehindProxy(t, "Offline")
	for _, c := range []struct {
		down int32
		what string // the way down
		says string // what the first row says
	}{
		{cutConn, "with the connection down", "check the connection"},
		{cutOrigin, "with the origin behind its proxy down (502)", "again in a minute"},
	} {
		openPage(t, ctx, page)
		proxy.down.Store(c.down)
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("playall"))); err != nil {
			t.Fatalf("press play all: %v", err)
		}
		said, err := chromedp.Run(ctx, chromedp.Poll[[]string](`(() => { const why = [...document.querySelectorAll("td .why")];
			return why.some((p) => !p.hidden) ? why.map((p) => p.hidden ? "" : p.textContent) : null; })()`,
			chromedp.WithPollingTimeout(30*time.Second)))
		if err != nil {
			t.Fatalf("%s, the page says nothing about the track that cannot load: %v", c.what, err)
		}
		if !strings.Contains(said[0], c.says) {
			t.Errorf("%s, the first track's row says %q, want it to say %q", c.what, said[0], c.says)
		}
		// Nothing more is to happen while it is down: the old page went
		// down the playlist within milliseconds, each row saying it, so a
		// few seconds without it is the page waiting.
		if on, err := chromedp.Run(ctx, chromedp.Poll[[]string](`(() => { const why = [...document.querySelectorAll("td .why")];
			return why.slice(1).some((p) => !p.hidden) ? why.map((p) => p.hidden ? "" : p.textContent) : null; })()`,
			chromedp.WithPollingTimeout(3*time.Second))); err == nil {
			t.Errorf("%s, Play all went on past the first track, which could not load; the rows say %q", c.what, on)
		}
		proxy.down.Store(up)
		proxy.mu.Lock()
		cut := proxy.cut
		proxy.cut = nil
		proxy.mu.Unlock()
		for _, path := range cut {
			for i, id := range w.ids[1:] {
				if strings.Contains(path, id) {
					t.Errorf("%s, Play all asked for track %d (%s) after the first failed", c.what, i+2, path)
				}
			}
		}

		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("tbody .ctl button"))); err != nil {
			t.Fatalf("press the first track's play button: %v", err)
		}
		js := `(() => { const a = document.querySelector("audio"); return a.currentTime > 0.2 && !a.paused && document.querySelector(".why:not([hidden])") === null; })()`
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
			text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
			t.Fatalf("%s and back, the first track does not play, or a row still says it cannot: %v\n%s", c.what, err, text)
		}
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector("audio").currentTime = 5.5`)); err != nil {
			t.Fatal(err)
		}
		js = `(() => { const p = document.querySelector("audio"), b = document.querySelectorAll("tbody")[1];
			return b.classList.contains("playing") && Number(b.querySelector("input").value) > 0.2 && !p.paused; })()`
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
			text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
			t.Fatalf("%s and back, the second track does not follow the first: %v\n%s", c.what, err, text)
		}
	}
}

// A recipient is in the middle of a track when the origin stops
// answering (restarted behind its TLS-terminating proxy, which answers 502
// meanwhile; a phone's lost connection takes the same path, but Chromium
// retries it for half a minute): the track's row says so, and once the
// origin answers again the track's play button goes on from where the
// track stopped. It started the track over, the page having loaded the
// failed player anew.
func TestSharePageResumesWhereTheTrackStopped(t *testing.T) {
	ctx, _, proxy, _, page := sharedBehindProxy(t, "Resume")
	proxy.pace.Store(24 << 10) // the stream is 160 kbit/s (20 KiB/s)
	openPage(t, ctx, page)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("playall"))); err != nil {
		t.Fatalf("press play all: %v", err)
	}
	js := `(() => { const a = document.querySelector("audio"); return a.currentTime > 2 ? a.currentTime : null; })()`
	if _, err := chromedp.Run(ctx, chromedp.Poll[float64](js, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("the first track does not play 2 s: %v", err)
	}
	proxy.down.Store(cutOrigin)
	js = `(() => { const p = document.querySelector("td .why"); return p.hidden ? null : [p.textContent, String(document.querySelector("audio").currentTime)]; })()`
	said, err := chromedp.Run(ctx, chromedp.Poll[[]string](js, chromedp.WithPollingTimeout(60*time.Second)))
	if err != nil {
		text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		t.Fatalf("with the origin down in the middle of the first track, its row says nothing: %v\n%s", err, text)
	}
	t.Logf("the row says %q at %s s", said[0], said[1])
	proxy.down.Store(up)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("tbody .ctl button"))); err != nil {
		t.Fatalf("press the first track's play button: %v", err)
	}
	js = `(() => { const a = document.querySelector("audio"); return !a.paused && a.readyState >= 3 ? a.currentTime : null; })()`
	at, err := chromedp.Run(ctx, chromedp.Poll[float64](js, chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil {
		t.Fatalf("with the origin back, the first track does not play: %v", err)
	}
	if at < 1.5 {
		t.Errorf("with the origin back, the first track plays from %.1f s: started over, not from where it stopped (past 2 s)", at)
	}
}
