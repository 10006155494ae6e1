package originclient

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"segue/cache"
	"segue/catalog"
	"segue/internal/testkit"
	"segue/net/fetch"
)

// Answers of an origin, or of what stands in front of it, on a bad day.

func TestRetryAfterReadsSecondsAndDates(t *testing.T) {
	now := time.Date(2026, 12, 5, 6, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		h    string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"30", 30 * time.Second, true},
		{" 30 ", 30 * time.Second, true},
		{"0", 0, false},
		{"-5", 0, false},
		{"soon", 0, false},
		{"1.5", 0, false},
		{"99999999999", maxRetryAfter, true},                 // overflowed time.Duration
		{"999999999999999999999999999", maxRetryAfter, true}, // past uint64
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(2 * time.Minute).Format(time.RFC850), 2 * time.Minute, true},
		{now.Add(3 * time.Minute).Format(time.ANSIC), 3 * time.Minute, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, false}, // past: no wait asked
		{now.AddDate(1, 0, 0).Format(http.TimeFormat), maxRetryAfter, true},
	} {
		if got, ok := ParseRetryAfter(c.h, now); got != c.want || ok != c.ok {
			t.Errorf("Retry-After %q: %v, %v; want %v, %v", c.h, got, ok, c.want, c.ok)
		}
	}
}

// FuzzRetryAfter: whatever a Retry-After holds, the wait is between 0
// and maxRetryAfter, and asked only when it is more than 0.
func FuzzRetryAfter(f *testing.F) {
	now := time.Date(2026, 12, 5, 6, 0, 0, 0, time.UTC)
	for _, h := range []string{"", "30", "99999999999", "-1", "Sat, 05 Dec 2026 06:01:30 GMT", "Sunday, 06-Dec-26 06:00:00 GMT", "Sat Dec  5 06:00:10 2026"} {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, h string) {
		d, ok := ParseRetryAfter(h, now)
		if d < 0 || d > maxRetryAfter || ok != (d > 0) {
			t.Errorf("Retry-After %q: %v, %v; want 0 to %v, asked when more than 0", h, d, ok, maxRetryAfter)
		}
	})
}

// busyServer answers every request with status and, when not "", the
// Retry-After ra.
func busyServer(t *testing.T, status int, ra string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ra != "" {
			w.Header().Set("Retry-After", ra)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// A rate limit in front of the origin (or the origin's own) answers 429,
// with or without Retry-After: the chunk was "the origin refused the
// request (429 Too Many Requests)", neither unreachable nor a
// catalog.RetryLater, and the player asked again at once as for any
// failure; a document was not served from its stored copy. It is now a
// wait as a 503 with Retry-After is.
func TestTooManyRequestsIsAWait(t *testing.T) {
	date := time.Now().Add(2 * time.Minute).UTC().Format(http.TimeFormat)
	for _, c := range []struct {
		name     string
		status   int
		ra       string
		min, max time.Duration
		says     string
	}{
		{"429 alone", 429, "", busyRetry, busyRetry, "the origin is busy (429 Too Many Requests): retry in 5s"},
		{"429 seconds", 429, "30", 30 * time.Second, 30 * time.Second, "the origin is busy (429 Too Many Requests) and asks to retry in 30s"},
		{"429 date", 429, date, time.Minute, 2 * time.Minute, "the origin is busy (429 Too Many Requests) and asks to retry in "},
		{"503 absurd", 503, "99999999999", maxRetryAfter, maxRetryAfter, "the origin cannot answer now and asks to retry in 10m0s"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c0, err := New(busyServer(t, c.status, c.ra), Options{})
			if err != nil {
				t.Fatal(err)
			}
			_, cerr := c0.Chunk(t.Context(), strings.Repeat("ab", 32))
			_, serr := c0.Search(t.Context(), "x", 0)
			for what, err := range map[string]error{"chunk": cerr, "search": serr} {
				d, ok := catalog.RetryAfter(err)
				if !ok || d < c.min || d > c.max {
					t.Errorf("%s: RetryAfter %v, %v; want %v to %v (err %v)", what, d, ok, c.min, c.max, err)
				}
				var se *StatusError
				if !errors.As(err, &se) || !strings.HasPrefix(se.Sentence(), c.says) {
					t.Errorf("%s: said %q; want it to begin %q", what, se.Sentence(), c.says)
				}
			}
			if !errors.Is(cerr, catalog.ErrUnreachable) {
				t.Errorf("chunk: %v; want it to wrap catalog.ErrUnreachable", cerr)
			}
			if !errors.Is(serr, ErrOffline) {
				t.Errorf("search: %v; want it to wrap ErrOffline (no stored copy)", serr)
			}
		})
	}
}

// A document stored before answers while the origin answers 429.
func TestTooManyRequestsServesTheStoredCopy(t *testing.T) {
	limited := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if limited {
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`[{"id":"ar1","name":"Someone"}]`))
	}))
	defer srv.Close()
	c, err := New(srv.URL, Options{Docs: openCache(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Artists(t.Context()); err != nil {
		t.Fatal(err)
	}
	limited = true
	as, err := c.Artists(t.Context())
	if err != nil || len(as) != 1 || as[0].Name != "Someone" {
		t.Errorf("artists while the origin answers 429: %v, %v; want the stored copy", as, err)
	}
}

// cutServers are origins whose answer breaks off mid-body, each sending
// the first part of body.
func cutServers(t *testing.T, body []byte) map[string]string {
	part := string(body[:len(body)/3])
	withLength := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "30000")
		w.Write([]byte(part))
	}))
	t.Cleanup(withLength.Close)
	return map[string]string{
		"short of its Content-Length": withLength.URL,
		"chunked, then closed":        testkit.RawHTTP(t, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n4000\r\n"+part, false),
		"reset mid-body":              testkit.RawHTTP(t, "HTTP/1.1 200 OK\r\nContent-Length: 30000\r\nContent-Type: application/json\r\n\r\n"+part, true),
	}
}

// An answer that breaks off mid-body: a chunk wrapped no
// catalog.ErrUnreachable (the player retried it as a failure of unknown
// kind, and took no cached rendition meanwhile), and without a
// Content-Length it was "fetch chunk <hash>: unexpected EOF"; a document
// or a change's answer was "unexpected EOF" or "is it running?". Each is
// now a CutShortError, a chunk's beside catalog.ErrUnreachable.
func TestCutShortAnswers(t *testing.T) {
	for name, u := range cutServers(t, []byte(`{"tracks":[{"id":"t1","title":"One"},{"id":"t2","title":"Two"}],"albums":[]}`)) {
		t.Run(name, func(t *testing.T) {
			c, err := New(u, Options{})
			if err != nil {
				t.Fatal(err)
			}
			_, cerr := c.Chunk(t.Context(), strings.Repeat("ab", 32))
			_, serr := c.Search(t.Context(), "x", 0)
			_, perr := c.CreatePlaylist(t.Context(), "Evening", nil)
			for what, err := range map[string]error{"chunk": cerr, "search": serr, "playlist create": perr} {
				var cut *CutShortError
				if !errors.As(err, &cut) || cut.Got == 0 {
					t.Errorf("%s: %v; want a CutShortError with the bytes that came", what, err)
				}
			}
			if !errors.Is(cerr, catalog.ErrUnreachable) {
				t.Errorf("chunk: %v; want it to wrap catalog.ErrUnreachable", cerr)
			}
			// the playlist was made (the status said so): creating it
			// again would make two
			var cut *CutShortError
			if errors.As(perr, &cut) && (!cut.Made || !strings.HasSuffix(cut.Sentence(), "after it had made the change: look before making it again")) {
				t.Errorf("playlist create: said %q; want it to say the change was made", cut.Sentence())
			}
			if errors.As(serr, &cut) && cut.Made {
				t.Errorf("search: said %q, as if a read made a change", cut.Sentence())
			}
		})
	}
}

// The fetch chain takes a segment cut short from one source as that
// source's failure: it asks the next, and never stores the part that came.
func TestCutShortSegmentIsNeverCached(t *testing.T) {
	seg := bytes.Repeat([]byte("\xff\xfbsegment"), 3000)
	sum := sha256.Sum256(seg)
	hash := hex.EncodeToString(sum[:])
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(seg) }))
	defer good.Close()
	for name, u := range cutServers(t, seg) {
		t.Run(name, func(t *testing.T) {
			store, err := cache.Open(filepath.Join(t.TempDir(), "cache.db"), cache.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			cut, err := New(u, Options{})
			if err != nil {
				t.Fatal(err)
			}
			whole, err := New(good.URL, Options{})
			if err != nil {
				t.Fatal(err)
			}
			opts := fetch.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Backoff: time.Millisecond}
			_, _, err = fetch.New(store, []fetch.Tier{{Source: catalog.SourceOrigin, Remote: cut}}, opts).Segment(t.Context(), hash, catalog.UrgencyNow)
			if !errors.Is(err, catalog.ErrUnreachable) {
				t.Errorf("segment from a source that cuts it short: %v; want catalog.ErrUnreachable", err)
			}
			if b, err := store.Get(hash); err == nil {
				t.Fatalf("the cache holds %d bytes of a segment that never came whole", len(b))
			}
			tiers := []fetch.Tier{{Source: catalog.SourcePeer, Remote: cut}, {Source: catalog.SourceOrigin, Remote: whole}}
			data, from, err := fetch.New(store, tiers, opts).Segment(t.Context(), hash, catalog.UrgencySoon)
			if err != nil || from != catalog.SourceOrigin || !bytes.Equal(data, seg) {
				t.Errorf("segment with a cut source before a whole one: %d bytes from %q, %v; want all %d from the origin", len(data), from, err, len(seg))
			}
		})
	}
}

// A redirect that names no place to go (a 302 without Location, which
// net/http hands back as the answer): it was "the origin failed (302
// Found); its log says why", pointing at an origin log that has nothing.
func TestRedirectToNowhereIsSaid(t *testing.T) {
	c, err := New(busyServer(t, http.StatusFound, ""), Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, serr := c.Search(t.Context(), "x", 0)
	_, cerr := c.Chunk(t.Context(), strings.Repeat("ab", 32))
	want := "the origin answered 302 Found, a redirect that names no place to go: is a proxy in front of it misconfigured?"
	for what, err := range map[string]error{"search": serr, "chunk": cerr} {
		var se *StatusError
		if !errors.As(err, &se) || se.Sentence() != want {
			t.Errorf("%s: %v; want a StatusError said %q", what, err, want)
		}
	}
}

// The origin's own 429, to an address that sent too many refused tokens,
// is no rate limit to wait out: the stored copy must not answer for it
// (the token stays refused however long segue waits), and it is no
// catalog.RetryLater, so the player does not wait for it either.
func TestRefusedTokensAnswerIsNotAWait(t *testing.T) {
	o := startOrigin(t, true)
	docs := openCache(t)
	good, err := New(o.base, Options{Token: o.requireTokenSecret, Docs: docs})
	if err != nil {
		t.Fatal(err)
	}
	defer good.Close()
	if _, err := good.Artists(t.Context()); err != nil {
		t.Fatal(err)
	}
	wrong, err := New(o.base, Options{Token: "sgo_wrong", Docs: docs})
	if err != nil {
		t.Fatal(err)
	}
	defer wrong.Close()
	var se *StatusError
	for i := 0; se == nil || se.Code != http.StatusTooManyRequests; i++ {
		if i == 50 {
			t.Fatalf("no 429 after %d refused tokens (last: %v)", i, err)
		}
		_, err = wrong.Artists(t.Context())
		if err == nil {
			t.Fatalf("refused token %d: the stored copy answered", i+1)
		}
		se = nil
		errors.As(err, &se)
	}
	if _, busy := catalog.RetryAfter(err); busy || errors.Is(err, ErrOffline) {
		t.Errorf("the origin's 429 for refused tokens: %v; want neither a wait (RetryLater) nor ErrOffline", err)
	}
	if !strings.Contains(se.Sentence(), "unknown or revoked") {
		t.Errorf("the origin's 429 for refused tokens is said %q; want its own words", se.Sentence())
	}
}
