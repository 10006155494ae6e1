package cli

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"segue/catalog"
	"segue/internal/testkit"
	"segue/net/originclient"
	"segue/net/subsonic"
)

// checkCommandsSay checks that a read (search) and a change (playlist
// create) of the origin at url each fail with a sentence that says says
// (the change's may go on: it was made) and exit status exit, with no Go
// words ("EOF") and no "is it running?"; it returns the client it asked
// with.
func checkCommandsSay(t *testing.T, url, says string, exit int) *originclient.Client {
	t.Helper()
	client, err := originclient.New(url, originclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, serr := client.Search(t.Context(), "x", 0)
	_, perr := client.CreatePlaylist(t.Context(), "Evening", nil)
	for what, err := range map[string]error{"search": serr, "playlist create": perr} {
		if s := sentence(err); !strings.Contains(s, says) || strings.Contains(s, "EOF") || strings.Contains(s, "is it running") {
			t.Errorf("%s: said %q; want it to say %q", what, s, says)
		}
		if code := exitStatus(err); code != exit {
			t.Errorf("%s: exit status %d, want %d", what, code, exit)
		}
	}
	return client
}

// What a command and segue play's retrying line say of an origin that
// rate-limits (429) or whose answer breaks off. A 429 was "the origin
// refused the request (429 Too Many Requests)", as if it never would
// serve; a body cut off without a Content-Length was "fetch chunk
// <hash>: unexpected EOF" or "asking the origin failed: unexpected EOF",
// and a document's "the origin is unreachable (is it running? ...)".
// Each is one sentence now, exit status 1, with no hash and no Go words.
func TestHostileOriginAnswersAreSentences(t *testing.T) {
	serve := func(h http.HandlerFunc) string {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		return srv.URL
	}
	limited := serve(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTooManyRequests) })
	limitedFor := serve(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	cut := testkit.RawHTTP(t, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n4000\r\n{\"tracks\":[{\"id\":", false)
	for _, c := range []struct {
		name, url, says string
	}{
		{"429", limited, "the origin is busy (429 Too Many Requests): retry in 5s"},
		{"429 with Retry-After", limitedFor, "the origin is busy (429 Too Many Requests) and asks to retry in 30s"},
		{"cut short", cut, "the origin's answer broke off after 17 bytes (the connection dropped, or a proxy between cut it)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			checkCommandsSay(t, c.url, c.says, ExitError)
			if got := retryNoteFrom(t, c.url, nil); got != c.says || regexp.MustCompile(`[0-9a-f]{12}`).MatchString(got) {
				t.Errorf("retrying a segment: %q\nwant %q", got, c.says)
			}
		})
	}
}

// What answers at the origin URL is not a segue origin speaking HTTP: a
// proxy that redirects to itself, another program's port (an SSH banner),
// a malformed status line or Content-Length, or an https server asked in
// plain http (its TLS alert). Each was "the origin is unreachable (is it
// running? check --origin)", of a server that answered, the redirect loop
// without even its host. Each now says what answered, and the wrong
// scheme is exit status 2, as http given for https is.
func TestOriginThatIsNotHTTPIsSaid(t *testing.T) {
	loop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Path, http.StatusFound)
	}))
	defer loop.Close()
	notHTTP := func(u string) string {
		return "the origin at " + strings.TrimPrefix(u, "http://") + " answered with something that is not HTTP (another program's port, or a broken proxy between?): check --origin"
	}
	ssh := testkit.RawHTTP(t, "SSH-2.0-OpenSSH_9.6\r\n", false)
	status := testkit.RawHTTP(t, "HTTP/1.1 abc\r\n\r\n", false)
	length := testkit.RawHTTP(t, "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", false)
	tls := testkit.RawHTTP(t, "\x15\x03\x01\x00\x02\x02\x46", false)
	for _, c := range []struct {
		name, url, says string
		exit            int
	}{
		{"redirect loop", loop.URL, "the origin at " + strings.TrimPrefix(loop.URL, "http://") + " redirected 10 times without an answer (a redirect loop): check --origin, or the proxy in front of it", ExitError},
		{"SSH banner", ssh, notHTTP(ssh), ExitError},
		{"malformed status", status, notHTTP(status), ExitError},
		{"malformed Content-Length", length, notHTTP(length), ExitError},
		{"TLS alert", tls, "the origin at " + strings.TrimPrefix(tls, "http://") + " speaks https, not plain http: begin the origin URL (--origin) with https: instead", ExitUsage},
	} {
		t.Run(c.name, func(t *testing.T) {
			client := checkCommandsSay(t, c.url, c.says, c.exit)
			_, cerr := client.Chunk(t.Context(), strings.Repeat("ab", 32))
			if got := retryNote(cerr, "the origin"); got != c.says {
				t.Errorf("retrying a segment: %q\nwant %q", got, c.says)
			}
		})
	}
}

// A Subsonic server's answer that breaks off mid-body was said "subsonic
// server H: ping: unexpected EOF". It is one sentence now, and
// catalog.ErrUnreachable, so a stored answer stands in for it.
func TestSubsonicAnswerCutShortIsSaid(t *testing.T) {
	const part = `{"subsonic-response":{`
	withLength := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "3000")
		w.Write([]byte(part))
	}))
	defer withLength.Close()
	for name, c := range map[string]struct{ url, says string }{
		"short of its Content-Length": {withLength.URL, "its answer broke off after 22 of the 3000 bytes it announced (the connection dropped, or a proxy between sends a wrong length)"},
		"chunked, then closed": {testkit.RawHTTP(t, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n4000\r\n"+part, false),
			"its answer broke off after 22 bytes (the connection dropped, or a proxy between cut it)"},
	} {
		host := strings.TrimPrefix(c.url, "http://")
		client, err := subsonic.New("subsonic+http://me@"+host, subsonic.Options{Password: "pw"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = client.Search(t.Context(), "x", 0)
		want := "subsonic server " + host + ": ping: " + c.says
		if s := sentence(err); s != want || !errors.Is(err, catalog.ErrUnreachable) {
			t.Errorf("%s: said %q (unreachable: %v); want %q, catalog.ErrUnreachable", name, s, errors.Is(err, catalog.ErrUnreachable), want)
		}
	}
}

// A 200 longer than segue reads of a document (a proxy streaming a file
// in its place) was said "not available offline: no copy is stored here,
// and the origin is unreachable (is it running? check --origin)", of an
// origin that answered.
func TestOversizedAnswerIsNotUnreachable(t *testing.T) {
	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		block := make([]byte, 1<<20)
		for range 33 {
			if _, err := w.Write(block); err != nil {
				return
			}
		}
	}))
	defer huge.Close()
	client, err := originclient.New(huge.URL, originclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.Search(t.Context(), "x", 0)
	if s, want := sentence(err), originclient.ErrBadAnswer.Error(); s != want {
		t.Errorf("search answered with 33 MiB: said %q; want %q", s, want)
	}
}
