package origin

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// accessLog logs one structured line per request: method, path, status,
// bytes written and duration.
func accessLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		logRequest(r.Context(), log, request{
			method: r.Method,
			path:   redactPath(r.URL.EscapedPath()),
			status: rec.status,
			bytes:  rec.bytes,
			start:  start,
			end:    time.Now(),
			remote: r.RemoteAddr,
		})
	})
}

// redactPath cuts each share token in a path, the segment after a "p"
// segment, to its first four characters, enough to tell links apart in a
// log and far too few to use one: whoever reads the log must not be able
// to open the playlist. It finds a token wherever the request put it:
// /p/TOKEN, and as a browser or a chat app may ask for it, //p/TOKEN
// (which the router redirects to /p/TOKEN), /P/TOKEN, /PREFIX/p/TOKEN;
// those were logged whole. Bearer tokens never reach the log (only the
// path is logged), nor do share tokens in a query (?share=).
func redactPath(p string) string {
	segs := strings.Split(p, "/")
	for i := 1; i < len(segs); i++ {
		if strings.EqualFold(segs[i-1], "p") && len(segs[i]) > 4 {
			segs[i] = segs[i][:4] + "…"
		}
	}
	return strings.Join(segs, "/")
}

// recorder remembers the status and counts the body bytes. It forwards
// ReadFrom so http.ServeContent still reaches sendfile(2) on /chunks, and
// Unwrap so http.ResponseController finds the real writer.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(p)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) ReadFrom(src io.Reader) (int64, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	var n int64
	var err error
	if rf, ok := r.ResponseWriter.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(src)
	} else {
		n, err = io.Copy(struct{ io.Writer }{r.ResponseWriter}, src)
	}
	r.bytes += n
	return n, err
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
