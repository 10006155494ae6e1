package origin

import (
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"segue/internal/testkit"
)

// An origin served under a path (--public-url http://HOST/music, behind a
// reverse proxy that takes /music off) gives share links under that path,
// and their page plays: its players asked for /api/v1/... at the host's
// root, which the proxy does not send to the origin, so "Play all" played
// nothing. The page opened as /p/TOKEN/ (a slash after the token) plays
// too, and so does the link with punctuation after it, redirected to the
// link under the path.
func TestSharePagePlaysUnderAPath(t *testing.T) {
	needFFmpeg(t)
	ctx := testkit.Chromium(t, 2*time.Minute)
	lib, data := t.TempDir(), t.TempDir()
	writeSource(t, lib, source{name: "a.flac", root: 220, seconds: 3})
	ingest(t, lib, data)
	var id string
	if err := openTestCatalog(t, data).QueryRow(`SELECT id FROM tracks`).Scan(&id); err != nil {
		t.Fatal(err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0") // the proxy's, known before the origin starts
	if err != nil {
		t.Fatal(err)
	}
	public := "http://" + ln.Addr().String() + "/music"
	r := startServer(t, ServerOptions{DataDir: data, PublicURL: public}, "127.0.0.1:0")
	to, _ := url.Parse(r.base)
	proxy := &http.Server{Handler: http.StripPrefix("/music", httputil.NewSingleHostReverseProxy(to))}
	go proxy.Serve(ln)
	t.Cleanup(func() { proxy.Close() })

	_, link := openShared(t, ctx, public, "", "Under a path", []string{id}, 1200)
	// and with a sentence's punctuation after it: the redirect to the link
	// (redirectPastedShare) keeps the path
	for _, page := range []string{link.String(), r.base + "/p/" + link.Token + "/", link.String() + ").", link.String() + "%22/"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.ID("playall")), chromedp.Click(chromedp.ID("playall"))); err != nil {
			t.Fatalf("open %s and press play all: %v", page, err)
		}
		js := `(() => { const a = document.querySelector("audio"); return a.error || (a.currentTime > 0.2 && !a.paused) ? [a.currentSrc, String((a.error || {}).message || "")] : null; })()`
		v, err := chromedp.Run(ctx, chromedp.Poll[[]string](js, chromedp.WithPollingTimeout(60*time.Second)))
		if err != nil {
			t.Fatalf("%s: the track does not play: %v", page, err)
		}
		if v[1] != "" {
			t.Errorf("%s: the player of %s failed: %s", page, v[0], v[1])
		}
		if at, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`)); page != r.base+"/p/"+link.Token+"/" && at != link.String() {
			t.Errorf("%s: the page is at %s, want %s", page, at, link)
		}
	}
}
