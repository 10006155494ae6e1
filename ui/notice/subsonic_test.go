package notice

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"segue/internal/testkit"
	"segue/net/originclient"
	"segue/net/subsonic"
)

// TestSaySubsonicNamesTheServer: the status line names the Subsonic
// server for its failures, as the origin's name the origin: an album the
// server does not know said "it is not on the origin", and a server that
// dropped the connection "the origin is unreachable". A load it did not
// answer still offers ctrl+r.
func TestSaySubsonicNamesTheServer(t *testing.T) {
	ctx := t.Context()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/rest/ping"):
			fmt.Fprint(w, `{"subsonic-response":{"status":"ok","version":"1.16.1"}}`)
		case strings.HasSuffix(r.URL.Path, "/rest/getAlbum"):
			fmt.Fprint(w, `{"subsonic-response":{"status":"failed","version":"1.16.1","error":{"code":70,"message":"Album not found"}}}`)
		default: // the connection drops before any answer
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
			}
		}
	}))
	defer srv.Close()
	c, err := subsonic.New("subsonic+"+strings.Replace(srv.URL, "://", "://ann@", 1), subsonic.Options{Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	_, notFound := c.Album(ctx, "al_9")
	_, dropped := c.Artists(ctx)
	down, err := subsonic.New("subsonic+http://ann@"+testkit.RefusedAddr(t), subsonic.Options{Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	_, refused := down.Artists(ctx)
	if !errors.Is(notFound, originclient.ErrNotFound) || !Unreachable(dropped) || !Unreachable(refused) {
		t.Fatalf("the Subsonic client's errors: %v (not found), %v, %v (unreachable)", notFound, dropped, refused)
	}

	for _, c := range []struct {
		err       error
		say, load string
	}{
		{fmt.Errorf("open album Tides: %w", notFound), "could not open album Tides: it is not on the Subsonic server", ""},
		{fmt.Errorf("list artists: %w", dropped), "could not list artists: the Subsonic server is unreachable", " (ctrl+r retries)"},
		// as the origin's refused connection is said (no copy kept)
		{fmt.Errorf("list artists: %w", refused), "could not list artists: it is not available offline", ""},
	} {
		if got := Say(c.err); got != c.say || strings.Contains(got, "origin") {
			t.Errorf("Say(%q)\n = %q\nwant %q", c.err, got, c.say)
		}
		if got := SayLoad(c.err); got != c.say+c.load {
			t.Errorf("SayLoad(%q)\n = %q\nwant %q", c.err, got, c.say+c.load)
		}
	}
}

// TestSaySubsonicAnswers: a Subsonic server's answer other than 200 is said
// in the client's words, naming the server, whether or not a screen's own
// step comes first; a busy or failing one offers ctrl+r. The line said
// "could not subsonic server H: it failed (the log has the details)" of
// each (the client's step taken for what was being done).
func TestSaySubsonicAnswers(t *testing.T) {
	for _, c := range []struct {
		code  int
		after string // Retry-After
		say   string
		retry bool
	}{
		{http.StatusServiceUnavailable, "5", "the Subsonic server is busy (HTTP 503 Service Unavailable): try again in 5s", true},
		{http.StatusTooManyRequests, "", "the Subsonic server is busy (HTTP 429 Too Many Requests): try again later", true},
		{http.StatusInternalServerError, "", "the Subsonic server failed (HTTP 500 Internal Server Error); its log says why", true},
		{http.StatusBadGateway, "", "the proxy in front of the Subsonic server cannot reach it (HTTP 502 Bad Gateway): is the Subsonic server running?", true},
		{http.StatusForbidden, "", "the Subsonic server refused the request (HTTP 403 Forbidden): check the source's URL", false},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if c.after != "" {
				w.Header().Set("Retry-After", c.after)
			}
			http.Error(w, "no", c.code)
		}))
		sc, err := subsonic.New("subsonic+"+strings.Replace(srv.URL, "://", "://ann@", 1), subsonic.Options{Password: "pw"})
		if err != nil {
			t.Fatal(err)
		}
		_, raw := sc.Artists(t.Context())
		srv.Close()
		if raw == nil {
			t.Fatalf("HTTP %d: Artists did not fail", c.code)
		}
		retry := ""
		if c.retry {
			retry = " (ctrl+r retries)"
		}
		for _, w := range []struct {
			err  error
			want string
		}{
			{raw, c.say},
			{fmt.Errorf("list artists: %w", raw), "could not list artists: " + c.say},
		} {
			if got := SayLoad(w.err); got != w.want+retry {
				t.Errorf("SayLoad(%q)\n = %q\nwant %q", w.err, got, w.want+retry)
			}
		}
		// with a short name the whole text is short, which a line keeps
		// as it is when it was written for people
		var answer *subsonic.HTTPError
		if !errors.As(raw, &answer) {
			t.Fatalf("HTTP %d: %v holds no *subsonic.HTTPError", c.code, raw)
		}
		short := fmt.Errorf("subsonic server m:1: ping: %w", answer)
		if got := SayLoad(short); got != c.say+retry {
			t.Errorf("SayLoad(%q)\n = %q\nwant %q", short, got, c.say+retry)
		}
		if got := Source(raw); got != "the Subsonic server" {
			t.Errorf("Source(%q) = %q, want the Subsonic server", raw, got)
		}
	}
}

// TestSaySubsonicRefusals: a Subsonic error the server answers is said in
// the client's words, naming the server, after a screen's step or alone;
// it was "could not list artists: it failed (the log has the details)".
func TestSaySubsonicRefusals(t *testing.T) {
	for _, c := range []struct {
		code int
		say  string
	}{
		{50, "the Subsonic server does not allow ann this (not yours): ask its admin for the right, or use a user that has it"},
		{60, "the Subsonic server's trial period is over (not yours): its admin must license it"},
		{20, "the Subsonic server wants a newer client (not yours): update segue"},
		{30, "the Subsonic server does not support this (not yours)"},
		{99, "not yours (Subsonic error 99)"},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if strings.HasSuffix(r.URL.Path, "/rest/ping") {
				fmt.Fprint(w, `{"subsonic-response":{"status":"ok","version":"1.16.1"}}`)
				return
			}
			fmt.Fprintf(w, `{"subsonic-response":{"status":"failed","version":"1.16.1","error":{"code":%d,"message":"not yours"}}}`, c.code)
		}))
		sc, err := subsonic.New("subsonic+"+strings.Replace(srv.URL, "://", "://ann@", 1), subsonic.Options{Password: "pw"})
		if err != nil {
			t.Fatal(err)
		}
		_, raw := sc.Artists(t.Context())
		srv.Close()
		for _, w := range []struct {
			err  error
			want string
		}{
			{raw, c.say},
			{fmt.Errorf("list artists: %w", raw), "could not list artists: " + c.say},
		} {
			if got := SayLoad(w.err); got != w.want {
				t.Errorf("SayLoad(%q)\n = %q\nwant %q", w.err, got, w.want)
			}
		}
	}
}
