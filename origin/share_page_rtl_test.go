package origin

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"segue/internal/testkit"
)

// Names written right to left keep their punctuation where their writers
// put it: a playlist called "مزيج الصيف!" (Summer mix!) showed as
// "!مزيج الصيف" to someone reading it, the "!" laid out on the left-to-right
// page's right, beside the first word; the same for a track's title and its
// artist. Each name is now isolated (<bdi>), so it takes its own direction.
func TestSharePageKeepsRightToLeftNamesWhole(t *testing.T) {
	ctx := testkit.Chromium(t, 2*time.Minute)
	f := newFixtureOn(t, sqliteEngine)
	band := f.artist("فرقة!")
	album := f.album(band, "فرقة!", "Live", 2020, nil)
	song, _ := f.track(band, "فرقة!", album, "Live", "أغنية الصيف!", 1, 1, seg("s1", 1000))
	r := startServer(t, ServerOptions{DataDir: f.dir}, "127.0.0.1:0")
	openShared(t, ctx, r.base, "", "مزيج الصيف!", []string{song}, 390)
	// where returns, for the first text in the element sel that holds a
	// "!", the x of its first letter and of the "!".
	where := func(sel string) (first, bang float64) {
		t.Helper()
		xs, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](fmt.Sprintf(`(() => {
			const w = document.createTreeWalker(document.querySelector(%q), NodeFilter.SHOW_TEXT);
			let n;
			while ((n = w.nextNode()) && !n.textContent.includes("!"));
			const x = (i) => { const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1); return r.getBoundingClientRect().x; };
			return [x(0), x(n.textContent.indexOf("!"))];
		})()`, sel)))
		if err != nil {
			t.Fatalf("measure %s: %v", sel, err)
		}
		return xs[0], xs[1]
	}
	for _, sel := range []string{"h1", "td:nth-child(2)", ".sub"} {
		if first, bang := where(sel); bang > first {
			t.Errorf("%s: the \"!\" ending a right-to-left name is at x=%.0f, right of its first letter (x=%.0f): it reads as the name's start", sel, bang, first)
		}
	}
}
