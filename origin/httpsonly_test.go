package origin

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"segue/internal/testkit"
	"segue/net/originclient"
)

// A person given a share link of an https origin without its s
// (http://HOST:PORT/p/TOKEN) was shown Go's bare "Client sent an HTTP
// request to an HTTPS server." in plain text. Chromium is now redirected
// to the https link and opens the playlist; a browser behind a proxy, or
// at a Host of another port (a proxy's request), or posting, gets a page
// saying what to do, never a redirect that would loop through the proxy;
// curl and scripts get the plain-text 400 with the link, which segue's
// client still tells from a proxy's answer.
func TestPlainHTTPToAnHTTPSOrigin(t *testing.T) {
	w := newWorld(t)
	cert, key, err := SelfSigned(w.dir, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := startServer(t, ServerOptions{DataDir: w.dir, TLSCert: cert, TLSKey: key}, "127.0.0.1:0")
	ctx := context.Background()
	pl, err := r.srv.playlists.Create(ctx, LocalOwner, "Without the s")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.srv.playlists.Add(ctx, LocalOwner, pl.ID, []string{w.hold, w.joga}, 0); err != nil {
		t.Fatal(err)
	}
	token, err := r.srv.playlists.Share(ctx, LocalOwner, pl.ID)
	if err != nil {
		t.Fatal(err)
	}
	hostPort := strings.TrimPrefix(r.base, "http://")
	plain, secure := "http://"+hostPort+"/p/"+token, "https://"+hostPort+"/p/"+token

	bctx := testkit.Chromium(t, 2*time.Minute, chromedp.Flag("ignore-certificate-errors", true))
	if err := chromedp.Do(bctx, chromedp.Navigate(plain), chromedp.WaitReady("body")); err != nil {
		t.Fatalf("open %s: %v", plain, err)
	}
	got, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`[location.href, document.title, String(document.querySelectorAll("tbody .ctl").length)]`))
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != secure || got[1] != "Without the s · segue" || got[2] != "2" {
		t.Errorf("Chromium at %s: %s titled %q with %s tracks' players; want %s, \"Without the s · segue\", 2", plain, got[0], got[1], got[2], secure)
	}

	resp, body := get(t, "GET", plain, nil)
	wantText := "Client sent an HTTP request to an HTTPS server.\nThis origin serves https only: use " + secure + "\n"
	if resp.StatusCode != 400 || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" || string(body) != wantText || resp.Header.Get("Date") != "" {
		t.Errorf("curl at %s: %d %s (Date %q) %q; want 400, text/plain, no Date, %q", plain, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Date"), body, wantText)
	}
	c, err := originclient.New("http://"+hostPort, originclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var se *originclient.StatusError
	if _, err := c.Artists(ctx); !errors.As(err, &se) {
		t.Errorf("segue's client over http: %v; want a StatusError", err)
	} else if proxied, ok := se.PlainToTLS(); !ok || proxied {
		t.Errorf("segue's client over http: %v: plain to TLS %v, behind a proxy %v; want the origin's own answer to plain http", err, ok, proxied)
	}

	for _, c := range []struct {
		name, method string
		hdr          map[string]string
		page         string
	}{
		{"behind a proxy", "GET", map[string]string{"X-Forwarded-For": "192.0.2.1"}, "proxy in front of this segue origin passes requests to it in plain http"},
		{"at another port", "GET", map[string]string{"Host": "music.example"}, "Open it with https:// instead"},
		{"posting", "POST", nil, "Open it with https:// instead"},
	} {
		req, _ := http.NewRequest(c.method, plain, nil)
		req.Header.Set("Accept", browserAccept)
		for k, v := range c.hdr {
			req.Header.Set(k, v)
		}
		if h := c.hdr["Host"]; h != "" {
			req.Host = h
		}
		resp, body := testkit.Do(t, noRedirect, req)
		if resp.StatusCode != 400 || resp.Header.Get("Location") != "" || !strings.Contains(string(body), c.page) {
			t.Errorf("a browser %s: %d (Location %q)\n%s\nwant 400, no redirect, a page saying %q", c.name, resp.StatusCode, resp.Header.Get("Location"), body, c.page)
		}
	}
}
