package origin

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"segue/internal/testkit"
)

// logLines returns what logRequest writes for qs through a LogHandler
// (closed, so every batched line is written) and through slog's own
// TextHandler.
func logLines(t testing.TB, qs ...request) (ours, slogs string) {
	t.Helper()
	var a, b strings.Builder
	h := NewLogHandler(&a)
	for _, q := range qs {
		logRequest(context.Background(), slog.New(h), q)
		logRequest(context.Background(), slog.New(slog.NewTextHandler(&b, nil)), q)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	return a.String(), b.String()
}

// The access log lines a LogHandler formats itself are slog.TextHandler's,
// byte for byte: the time in the time's own zone to the millisecond (the
// second formatted once, then reused), durations as time.Duration
// prints them, and strings slog would quote left to slog.
func TestLogHandlerWritesAsTextHandler(t *testing.T) {
	at := func(zone *time.Location, sec, nsec int) time.Time {
		return time.Date(2026, 12, 1, 2, 3, sec, nsec, zone)
	}
	india, chile := time.FixedZone("IST", 5*3600+1800), time.FixedZone("CLT", -3*3600)
	q := func(end time.Time, d time.Duration, method, path, remote string) request {
		return request{method: method, path: path, status: 200, bytes: 73_456, start: end.Add(-d), end: end, remote: remote}
	}
	hash := "/chunks/" + strings.Repeat("ab", 32)
	cases := []request{
		q(at(time.UTC, 5, 0), 0, "GET", hash, "127.0.0.1:5555"),
		q(at(time.UTC, 5, 999_999_999), 1234*time.Microsecond, "HEAD", hash, "[::1]:40000"),
		q(at(time.UTC, 6, 7_000_000), 3*time.Second+5*time.Millisecond, "GET", hash, "10.0.0.2:1"), // the next second: a new stamp
		q(at(india, 6, 10_500_000), 999*time.Nanosecond, "GET", hash, "127.0.0.1:5555"),
		q(at(chile, 59, 123_456_789), time.Hour, "GET", "/p/abcd…", "127.0.0.1:5555"),
		q(at(time.UTC, 7, 0), time.Millisecond, "GET", "/a path", "127.0.0.1:5555"),
		q(at(time.UTC, 7, 1_000_000), time.Millisecond, "GET", "/a=b", "127.0.0.1:5555"),
		q(at(time.UTC, 7, 2_000_000), time.Millisecond, "GET", `/"q"`, ""),
		{method: "POST", path: "/api/v1/events", status: 404, bytes: 0, start: at(time.UTC, 8, 0), end: at(time.UTC, 8, 0), remote: "127.0.0.1:5555"},
	}
	for _, c := range cases {
		ours, slogs := logLines(t, c)
		if ours != slogs {
			t.Errorf("logged\n%s; slog.TextHandler logs\n%s", ours, slogs)
		}
	}
	ours, slogs := logLines(t, cases...) // one batch, stamps reused across lines
	if ours != slogs {
		t.Errorf("one batch logged\n%s; slog.TextHandler logs\n%s", ours, slogs)
	}
}

// FuzzLogRequest checks that a LogHandler writes any request's access log
// line (its path, method and remote come from the network) as
// slog.TextHandler does.
func FuzzLogRequest(f *testing.F) {
	f.Add("GET", "/chunks/ab", "127.0.0.1:1", int64(1764554585), int64(123_456_789), int64(1234), 0)
	f.Add("HEAD", "/a b=\"c\"\\", "[::1]:2", int64(0), int64(0), int64(-5), 5*3600+1800)
	f.Fuzz(func(t *testing.T, method, path, remote string, sec, nsec, dur int64, offset int) {
		zone := time.FixedZone("Z", offset%(18*3600))
		end := time.Unix(sec%(1<<34), nsec).In(zone)
		q := request{method: method, path: path, status: 200, bytes: dur, start: end.Add(-time.Duration(dur)), end: end, remote: remote}
		if ours, slogs := logLines(t, q, q); ours != slogs {
			t.Errorf("logged\n%q; slog.TextHandler logs\n%q", ours, slogs)
		}
	})
}

// Access log lines are written in batches, each before any other record
// logged after it, and none is lost when the handler is closed after the
// server stopped gracefully: every request answered, on the fast path and
// on net/http, has its line.
func TestLogHandlerKeepsEveryLineOnShutdown(t *testing.T) {
	w := newWorld(t)
	out := &testkit.Buffer{}
	logs := NewLogHandler(out)
	log := slog.New(logs)
	r := startServer(t, ServerOptions{DataDir: w.dir, Logger: log}, "127.0.0.1:0")
	fast := dialRaw(t, r.base)
	slow := dialRaw(t, r.base)
	const n = 200
	for i := range n {
		seg := w.formationM.Renditions[0].Segments[i%len(w.formationM.Renditions[0].Segments)]
		if resp, _ := fast.do("GET", "/chunks/"+seg.Hash); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %d: %d", i, resp.StatusCode)
		}
	}
	if resp, _ := slow.do("GET", "/api/v1/artists"); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET artists: %d", resp.StatusCode)
	}
	if n := fastConns(r.srv); n != 1 {
		t.Fatalf("%d connections on the fast path; want 1", n)
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	if err := logs.Close(); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if c := strings.Count(got, "msg=request method=GET path=/chunks/"); c != n {
		t.Errorf("%d chunk requests logged; want %d:\n%s", c, n, got)
	}
	if !strings.Contains(got, "msg=request method=GET path=/api/v1/artists status=200") {
		t.Errorf("the artists request was not logged:\n%s", got)
	}
	// "origin stopped" is logged after every request ended, so after
	// every line of theirs.
	if i, j := strings.LastIndex(got, "msg=request"), strings.Index(got, `msg="origin stopped"`); j < i {
		t.Errorf("origin stopped logged at %d, before a request's line at %d:\n%s", j, i, got)
	}
	log.Info("after close")
	if !strings.HasSuffix(out.String(), "msg=\"after close\"\n") {
		t.Errorf("a record logged after Close was not written at once")
	}
	logRequest(context.Background(), log, request{method: "GET", path: "/late", status: 200, start: time.Now(), end: time.Now(), remote: "127.0.0.1:1"})
	if !strings.Contains(out.String(), "path=/late") {
		t.Errorf("a request logged after Close was not written at once")
	}
}

// A batch is written logFlushDelay after its first line without another
// line or Close, so a quiet origin's log is not held back.
func TestLogHandlerWritesAQuietBatch(t *testing.T) {
	out := &testkit.Buffer{}
	logs := NewLogHandler(out)
	defer logs.Close()
	logRequest(context.Background(), slog.New(logs), request{method: "GET", path: "/one", status: 200, start: time.Now(), end: time.Now(), remote: "127.0.0.1:1"})
	testkit.Wait(t, time.Minute, "the line written", func() bool { return strings.Contains(out.String(), "path=/one") })
}

// A batch is written as soon as it holds logBatchSize bytes, in one
// write.
func TestLogHandlerWritesAFullBatch(t *testing.T) {
	out := &writeSizes{}
	logs := NewLogHandler(out)
	defer logs.Close()
	q := request{method: "GET", path: "/" + strings.Repeat("x", 100), status: 200, start: time.Now(), end: time.Now(), remote: "127.0.0.1:1"}
	line, _ := logLines(t, q)
	for i := 0; !out.wrote(logBatchSize, logBatchSize+len(line)); i++ {
		if i*len(line) > 10*logBatchSize {
			t.Fatalf("no write of a full batch (%d bytes) after %d lines: %v", logBatchSize, i, out.sizes)
		}
		logRequest(context.Background(), slog.New(logs), q)
	}
}

// writeSizes records the size of each write.
type writeSizes struct {
	mu    sync.Mutex // guards sizes
	sizes []int
}

func (w *writeSizes) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.sizes = append(w.sizes, len(p))
	return len(p), nil
}

// wrote reports whether a write had from min to max bytes, max excluded.
func (w *writeSizes) wrote(min, max int) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, n := range w.sizes {
		if n >= min && n < max {
			return true
		}
	}
	return false
}
