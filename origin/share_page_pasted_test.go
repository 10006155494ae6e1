package origin

import (
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"segue/internal/testkit"
)

// A recipient clicks a share link that a chat app or a mail program took
// with what came after it in the message: the sentence's full stop, a
// closing bracket, a comma, a zero-width space. segue's client drops
// them (share.ParseURL); Chromium was shown "This is not a whole share
// link" (400), or for the full stop "This share link ends in ." (404).
// Now it lands on the playlist's page at the link itself, and mpv or VLC
// given the playlist file's link with a comma after it get the file.
func TestSharePageOpensALinkWithPunctuationAfterIt(t *testing.T) {
	ctx := testkit.Chromium(t, 2*time.Minute)
	w := newStreamWorld(t)
	_, link := shared(t, w.r.base, w.owner, "Pasted", w.ids[1:])
	for _, tail := range []string{".", ").", ",", "!", "%E2%80%8B", "%22", "'", "%C2%BB", ")/"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(link.String()+tail), chromedp.WaitReady("body")); err != nil {
			t.Fatalf("open %s%s: %v", link, tail, err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[location.href, document.title, String(document.querySelectorAll("tbody .ctl").length)]`))
		if err != nil {
			t.Fatal(err)
		}
		if got[0] != link.String() || got[1] != "Pasted · segue" || got[2] != "2" {
			t.Errorf("link%s opens %s titled %q with %s tracks' players; want %s, \"Pasted · segue\", 2", tail, got[0], got[1], got[2], link)
		}
	}
	// mpv and VLC follow the redirect as Go's client does; the query stays.
	for tail, clean := range map[string]string{".m3u8,": ".m3u8", ".xspf).": ".xspf", ".m3u8)?fbclid=1": ".m3u8?fbclid=1"} {
		resp, err := http.Get(link.String() + tail)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		want := link.String() + clean
		if resp.StatusCode != 200 || resp.Request.URL.String() != want {
			t.Errorf("GET link%s: %d at %s; want 200 at %s", tail, resp.StatusCode, resp.Request.URL, want)
		}
	}
	// What is not a token followed by punctuation is refused as before.
	for tail, want := range map[string]int{"x": 404, "x.": 404, ".mp3": 404, "/more": 404} {
		resp, err := http.Get(link.String() + tail)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET link%s: %d; want %d", tail, resp.StatusCode, want)
		}
	}
}
