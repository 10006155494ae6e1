package subsonic

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"segue/internal/testkit"
)

// TestWebAppOnAnotherSite: a Subsonic web app served from another site
// (another loopback port is another origin to a browser) calls the API from
// Debian's headless Chromium with fetch: a GET, a POST form with a header
// of its own (which makes Chromium ask first, OPTIONS) and a ranged stream
// whose Content-Range it reads. Without the CORS headers Chromium refuses
// the page every answer ("Failed to fetch").
func TestWebAppOnAnotherSite(t *testing.T) {
	ctx := testkit.Chromium(t, 2*time.Minute)
	f := newFixture(t)
	auth := tokenAuth("ba5e")
	auth.Set("v", APIVersion)
	auth.Set("c", "web-test")
	auth.Set("f", "json")
	page := fmt.Sprintf(`<!doctype html><title>app</title><script>
(async () => {
  const base = %q, auth = %q, out = {};
  try {
    out.ping = (await (await fetch(base + "ping.view?" + auth)).json())["subsonic-response"].status;
    const r = await fetch(base + "search3.view", {method: "POST", body: auth + "&query=Sunrise",
      headers: {"Content-Type": "application/x-www-form-urlencoded", "X-Web-App": "test"}});
    out.song = (await r.json())["subsonic-response"].searchResult3.song[0].title;
    const s = await fetch(base + "stream.view?" + auth + "&id=%s", {headers: {"Range": "bytes=0-99"}});
    out.stream = [String(s.status), s.headers.get("Content-Range") || "", String((await s.arrayBuffer()).byteLength)];
  } catch (e) { out.error = String(e); }
  window.result = out;
})();
</script>`, f.base+Prefix, auth.Encode(), f.tracks["Morning Tide"].ID)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	}))
	defer app.Close()

	if err := chromedp.Do(ctx, chromedp.Navigate(app.URL)); err != nil {
		t.Fatalf("open the app's page: %v", err)
	}
	type result struct {
		Ping, Song, Error string
		Stream            []string
	}
	out, err := chromedp.Run(ctx, chromedp.Poll[result]("window.result", chromedp.WithPollingTimeout(time.Minute)))
	if err != nil {
		t.Fatalf("the page's calls did not end: %v", err)
	}
	if out.Error != "" {
		t.Fatalf("the page's fetch failed: %s", out.Error)
	}
	if out.Ping != "ok" || out.Song != "Sunrise Over Water" {
		t.Errorf("ping %q, song %q; want ok, Sunrise Over Water", out.Ping, out.Song)
	}
	if len(out.Stream) != 3 || out.Stream[0] != "206" || !strings.HasPrefix(out.Stream[1], "bytes 0-99/") || out.Stream[2] != "100" {
		t.Errorf("ranged stream read by the page: %q, want 206, bytes 0-99/N, 100 bytes", out.Stream)
	}
}
