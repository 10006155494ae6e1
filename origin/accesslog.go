package origin

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"
)

// Bounds of a LogHandler's batch of access log lines: written when it
// holds logBatchSize bytes, or logFlushDelay after its first line, as
// nginx's "access_log ... buffer=64k flush=..." writes its log (the
// configuration BenchmarkChunksVsNginx gives nginx).
const (
	logBatchSize  = 64 << 10
	logFlushDelay = 100 * time.Millisecond
)

// LogHandler is the origin's log handler: slog's text format, byte for
// byte as slog.TextHandler writes it (it is one, for every record but the
// access log's), to w. The access log's lines (one a request, see
// logRequest) are formatted without slog, into a batch that is written
// to w when it is full, logFlushDelay after its first line, before any
// other record, and on Close. Formatting each line through slog and
// writing it alone was about 8% of the /chunks fast path's CPU under 64
// connections (issue 14). Close it after the server it logs for stopped
// (Server.Serve returned, or Server.Close): lines logged after Close are
// written at once.
type LogHandler struct {
	text slog.Handler // slog.TextHandler writing to out
	out  *logBatch
}

var _ slog.Handler = (*LogHandler)(nil)

// NewLogHandler returns a LogHandler writing to w, which it never closes.
func NewLogHandler(w io.Writer) *LogHandler {
	out := &logBatch{w: w}
	out.timer = time.AfterFunc(time.Hour, out.flushTimed)
	out.timer.Stop()
	return &LogHandler{text: slog.NewTextHandler(out, nil), out: out}
}

func (h *LogHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.text.Enabled(ctx, l) }

// Handle writes r at once, after the batched lines before it.
func (h *LogHandler) Handle(ctx context.Context, r slog.Record) error {
	return h.text.Handle(ctx, r)
}

func (h *LogHandler) WithAttrs(as []slog.Attr) slog.Handler { return h.text.WithAttrs(as) }
func (h *LogHandler) WithGroup(name string) slog.Handler    { return h.text.WithGroup(name) }

// Close writes the batched lines; it returns the first error writing to
// w met since NewLogHandler.
func (h *LogHandler) Close() error { return h.out.close() }

// logBatch is a LogHandler's output: access log lines batched, every
// other write passed through after them.
type logBatch struct {
	w     io.Writer
	timer *time.Timer // flushTimed, pending while buf holds lines

	mu     sync.Mutex // guards everything below, and writes to w
	buf    []byte     // access log lines not written yet
	closed bool       // lines are written at once
	err    error      // the first error writing to w
	sec    int64      // the Unix second stamp is of
	stamp  []byte     // "time=2006-01-02T15:04:05." of sec, local time
	zone   []byte     // "Z07:00" of sec
}

// Write writes p (a record slog formatted) after the batched lines.
func (b *logBatch) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	b.flush()
	return len(p), nil
}

// request adds q's line to the batch, arming the timer for the batch's
// first line.
func (b *logBatch) request(q request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	first := len(b.buf) == 0
	b.buf = b.appendRequest(b.buf, q)
	switch {
	case b.closed || len(b.buf) >= logBatchSize:
		b.flush()
	case first:
		b.timer.Reset(logFlushDelay)
	}
}

// flush writes the batch; b.mu is held.
func (b *logBatch) flush() {
	if len(b.buf) == 0 {
		return
	}
	b.timer.Stop()
	if _, err := b.w.Write(b.buf); err != nil && b.err == nil {
		b.err = err
	}
	if cap(b.buf) > 2*logBatchSize { // one huge record: do not keep its room
		b.buf = nil
	}
	b.buf = b.buf[:0]
}

func (b *logBatch) flushTimed() {
	b.mu.Lock()
	b.flush()
	b.mu.Unlock()
}

func (b *logBatch) close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	b.flush()
	return b.err
}

// appendRequest appends q's line as slog.TextHandler formats the record
// logRequest would make of it: its time as slog's RFC 3339 with
// milliseconds, the date and time of each second formatted once. q's
// strings need no quoting (plainText).
func (b *logBatch) appendRequest(dst []byte, q request) []byte {
	t := q.end
	if sec := t.Unix(); sec != b.sec || b.stamp == nil {
		// slog: t truncated to the millisecond, formatted RFC3339Nano
		// with a tenth of a millisecond added so it keeps 4 digits, the
		// 4th dropped. The second is the same for its every millisecond.
		s := t.Truncate(time.Second).Add(time.Millisecond/10).AppendFormat(nil, time.RFC3339Nano)
		const frac = len("2006-01-02T15:04:05.")
		b.sec = sec
		b.stamp = append(append(b.stamp[:0], "time="...), s[:frac]...)
		b.zone = append(b.zone[:0], s[frac+4:]...)
	}
	ms := t.Nanosecond() / 1e6
	dst = append(dst, b.stamp...)
	dst = append(dst, byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	dst = append(dst, b.zone...)
	dst = append(dst, " level=INFO msg=request method="...)
	dst = append(dst, q.method...)
	dst = append(dst, " path="...)
	dst = append(dst, q.path...)
	dst = append(dst, " status="...)
	dst = strconv.AppendInt(dst, int64(q.status), 10)
	dst = append(dst, " bytes="...)
	dst = strconv.AppendInt(dst, q.bytes, 10)
	dst = append(dst, " duration="...)
	dst = append(dst, q.end.Sub(q.start).String()...)
	dst = append(dst, " remote="...)
	dst = append(dst, q.remote...)
	return append(dst, '\n')
}

// request is one request's access log line.
type request struct {
	method, path string
	status       int
	bytes        int64     // body bytes written
	start, end   time.Time // the request's head came; it was answered
	remote       string
}

// logRequest logs q's line, "request" with method, path, status, bytes,
// duration and remote, at Info. It makes the record itself, with no
// caller: slog.Logger.LogAttrs takes one with runtime.Callers, which no
// handler of the origin prints.
func logRequest(ctx context.Context, log *slog.Logger, q request) {
	if !log.Enabled(ctx, slog.LevelInfo) {
		return
	}
	h := log.Handler()
	if lh, ok := h.(*LogHandler); ok && plainText(q.method) && plainText(q.path) && plainText(q.remote) {
		lh.out.request(q)
		return
	}
	r := slog.NewRecord(q.end, slog.LevelInfo, "request", 0)
	r.AddAttrs(
		slog.String("method", q.method),
		slog.String("path", q.path),
		slog.Int("status", q.status),
		slog.Int64("bytes", q.bytes),
		slog.Duration("duration", q.end.Sub(q.start)),
		slog.String("remote", q.remote),
	)
	h.Handle(ctx, r)
}

// plainText reports whether slog's text format writes s as it is,
// unquoted: it is not empty and holds only letters, digits and
// "/.:-_[]%~!$&'()*+,;@" (a request path, an IPv4 or IPv6 address and
// port). slog quotes some strings of other bytes too; logRequest leaves
// those to slog.
func plainText(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !plainByte[s[i]] {
			return false
		}
	}
	return true
}

var plainByte = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for _, c := range "/.:-_[]%~!$&'()*+,;@" {
		t[c] = true
	}
	return t
}()
