package subsonic

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// A person who opens the Subsonic API's address in a browser (to check
// that the server is up, or a link to it) was shown the failed answer's
// XML. A browser opening it as a page now gets one saying what the
// address is for and what to do, with the error's sentence; an app (no
// Accept, */*, XML) and a browser asking f=json get the API's answer as
// before.
func TestBrowserAtTheAPIGetsAPage(t *testing.T) {
	f := newFixture(t)
	const browser = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8"
	do := func(path, accept string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", f.base+path, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, string(b)
	}
	for _, path := range []string{"/rest/ping.view?c=x", "/rest/getAlbum?u=alice&p=wrong&v=1.16.1&c=x&id=1"} {
		resp, page := do(path, browser)
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(page, "This is the Subsonic API of a segue origin") ||
			!strings.Contains(page, "The server said: <code>") {
			t.Errorf("a browser at %s: %s\n%s\nwant a page saying what the address is, with the error", path, resp.Header.Get("Content-Type"), page)
		}
		_, want := do(path, "")
		if !strings.HasPrefix(want, `<?xml`) || !strings.Contains(want, `status="failed"`) {
			t.Fatalf("an app at %s: %s; want the failed answer's XML", path, want)
		}
		for _, accept := range []string{"*/*", "application/xml", "text/xml, text/html"} {
			if resp, got := do(path, accept); got != want || resp.Header.Get("Content-Type") != "text/xml; charset=utf-8" {
				t.Errorf("an app with Accept %q at %s: %s %s; want the XML, as without Accept", accept, path, resp.Header.Get("Content-Type"), got)
			}
		}
		if resp, got := do(path+"&f=json", browser); resp.Header.Get("Content-Type") != "application/json; charset=utf-8" || !strings.Contains(got, `"status":"failed"`) {
			t.Errorf("a browser asking f=json at %s: %s %s; want the JSON answer", path, resp.Header.Get("Content-Type"), got)
		}
	}
	// An answer that is no error is the API's, to a browser too.
	if resp, got := do("/rest/getOpenSubsonicExtensions.view", browser); !strings.HasPrefix(got, "<?xml") || !strings.Contains(got, `status="ok"`) {
		t.Errorf("a browser at getOpenSubsonicExtensions: %s %s; want the XML answer", resp.Header.Get("Content-Type"), got)
	}
}
