package cli

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"segue/internal/testkit"
	"segue/net/originclient"
)

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
			client, err := originclient.New(c.url, originclient.Options{})
			if err != nil {
				t.Fatal(err)
			}
			_, serr := client.Search(t.Context(), "x", 0)
			_, perr := client.CreatePlaylist(t.Context(), "Evening", nil)
			for what, err := range map[string]error{"search": serr, "playlist create": perr} {
				if s := sentence(err); !strings.HasSuffix(s, c.says) || strings.Contains(s, "EOF") || strings.Contains(s, "is it running") {
					t.Errorf("%s: said %q; want it to end %q", what, s, c.says)
				}
				if code := exitStatus(err); code != ExitError {
					t.Errorf("%s: exit status %d, want %d", what, code, ExitError)
				}
			}
			if got := retryNoteFrom(t, c.url, nil); got != c.says || regexp.MustCompile(`[0-9a-f]{12}`).MatchString(got) {
				t.Errorf("retrying a segment: %q\nwant %q", got, c.says)
			}
		})
	}
}
