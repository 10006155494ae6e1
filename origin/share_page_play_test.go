package origin

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"segue/catalog"
	"segue/internal/testkit"
	"segue/share"
)

// Issue 19, acceptance 2: Debian's headless Chromium, driven over the
// DevTools protocol (chromedp: a maintained CDP client, instead of our own
// websocket plumbing), opens a share page on an origin that requires tokens,
// presses "Play all", sees the first track's position advance and the
// second track start after it ends (the row playing and its slider); the page has no horizontal scroll at
// 390 px; screenshots at 1200 and 390 px.
func TestSharePagePlaysInChromium(t *testing.T) {
	ctx := testkit.Chromium(t, 3*time.Minute)
	w := newStreamWorld(t)
	page := w.r.base + "/p/" + w.share

	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1200, 900), chromedp.Navigate(page), chromedp.WaitVisible(chromedp.ID("playall"))); err != nil {
		t.Fatalf("open %s: %v", page, err)
	}
	meta, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("meta[property^='og:'],meta[name^='twitter:']")].map(m => (m.getAttribute("property") || m.name) + "=" + m.content)`))
	if err != nil {
		t.Fatalf("read meta tags: %v", err)
	}
	tags := strings.Join(meta, "\n")
	for _, want := range []string{"og:title=Streams", "og:type=music.playlist", "og:url=" + page, "og:description=Playlist · 2 tracks", "twitter:card=summary", "twitter:title=Streams"} {
		if !strings.Contains(tags, want) {
			t.Errorf("meta tags lack %q:\n%s", want, tags)
		}
	}
	shoot(t, ctx, "share-page-1200.png", 1200)

	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("playall"))); err != nil {
		t.Fatalf("press play all: %v", err)
	}
	// waitFor polls a condition on the page's player (p), the index of the
	// row playing (on) and the position its slider shows (at, s) with a
	// deadline; a media error, or a row saying its track cannot play, fails
	// at once.
	waitFor := func(what, cond string) []any {
		t.Helper()
		js := `(() => { const p = document.querySelector("audio"), rows = [...document.querySelectorAll("tbody")];
			const on = rows.findIndex((r) => r.classList.contains("playing")), at = on < 0 ? 0 : Number(rows[on].querySelector("input").value);
			const why = rows.map((r) => r.querySelector(".why")).find((w) => !w.hidden), err = (p.error || {}).message || (why ? why.textContent : "");
			return err || (` + cond + `) ? [on, at, err] : null; })()`
		v, err := chromedp.Run(ctx, chromedp.Poll[[]any](js, chromedp.WithPollingTimeout(90*time.Second)))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if v[2] != "" {
			t.Fatalf("%s: media error %v", what, v[2])
		}
		return v
	}
	v := waitFor("first track plays", "on === 0 && at > 0.5 && !p.paused")
	t.Logf("first track at %.2f s", v[1])
	v = waitFor("second track starts after the first ends", "on === 1 && at > 0.2 && !p.paused")
	t.Logf("second track at %.2f s after the first ended", v[1])

	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	widths, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth]`))
	if err != nil {
		t.Fatal(err)
	}
	if widths[0] > widths[1] {
		t.Errorf("at %d px the page is %d px wide: horizontal scroll", widths[1], widths[0])
	}
	shoot(t, ctx, "share-page-390.png", 390)
}

// shoot takes a full-page screenshot, checks it is a PNG width px wide and
// keeps it in $SEGUE_SCREENSHOT_DIR when set (for a person to look at).
func shoot(t *testing.T, ctx context.Context, name string, width int) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), 900)); err != nil {
		t.Fatal(err)
	}
	img, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(img))
	if err != nil || cfg.Width != width {
		t.Fatalf("screenshot %s: %v, %d px wide (want %d)", name, err, cfg.Width, width)
	}
	if dir := os.Getenv("SEGUE_SCREENSHOT_DIR"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name), img, 0o644); err != nil {
			t.Error(fmt.Errorf("keep screenshot: %w", err))
		}
	}
}

// shared makes a playlist name of ids on the origin at base as the owner
// of token ("" on an open origin) and shares it.
func shared(t *testing.T, base, token, name string, ids []string) (catalog.Playlist, share.Link) {
	t.Helper()
	c := clientFor(t, base, token)
	pl, err := c.CreatePlaylist(context.Background(), name, ids)
	if err != nil {
		t.Fatal(err)
	}
	link, err := c.SharePlaylist(context.Background(), pl.ID)
	if err != nil {
		t.Fatal(err)
	}
	return pl, link
}

// openShared is shared, then the share page opened in the browser of ctx
// at width px, waiting for its "Play all" button.
func openShared(t *testing.T, ctx context.Context, base, token, name string, ids []string, width int64) (catalog.Playlist, share.Link) {
	t.Helper()
	pl, link := shared(t, base, token, name, ids)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(link.String()), chromedp.WaitVisible(chromedp.ID("playall"))); err != nil {
		t.Fatalf("open %s: %v", link, err)
	}
	return pl, link
}
