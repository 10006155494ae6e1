package origin

import (
	"bytes"
	"encoding/json"
	"html/template"
	"io"
	"net/http"
	"strings"

	"segue/catalog"
)

// errorPage is the browser view of an answer that opens nothing: what was
// wrong and what to do, and what the origin said to an API client, with a
// link to follow when there is one. A browser was shown the JSON error
// (or, for a share link, the page's own refusal: shareRefused).
var errorPage = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{{.Title}} · segue</title>
<style>
body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#111418;color:#e8e6e3;overflow-wrap:anywhere}
main{max-width:46rem;margin:0 auto;padding:2rem 1rem}
.meta{color:#9aa3ad}
a{color:#8ab4f8}
code{word-break:break-all}
</style></head><body><main>
<h1>{{.Title}}</h1>
<p class="meta">{{.Hint}}</p>
{{if .Link}}<p><a href="{{.Link}}">{{.Link}}</a></p>
{{end}}{{if .Said}}<p class="meta">The server said: <code>{{.Said}}</code></p>
{{end}}</main></body></html>
`))

// pageText is what an error page shows: its title, what to do, an
// address to go to instead ("" for none) and the API's own sentence
// ("" for none).
type pageText struct {
	Title, Hint, Link, Said string
}

// writePage answers status with the error page of t. The page loads
// nothing (its CSP allows only its inline style and an empty icon, which
// spares a browser asking a token-requiring origin for /favicon.ico).
func writePage(w http.ResponseWriter, status int, t pageText) {
	h := w.Header()
	errorHeaders(h, "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
	w.WriteHeader(status)
	errorPage.Execute(w, t) // a write error is the browser gone
}

// WriteErrorPage answers a browser with the error page: status, a title,
// what to do and the API's own sentence (said, "" for none). For an API
// mounted beside the origin's (Mount) whose errors are not HTTP errors
// (Subsonic's are 200 with status "failed").
func WriteErrorPage(w http.ResponseWriter, status int, title, hint, said string) {
	writePage(w, status, pageText{Title: title, Hint: hint, Said: said})
}

// PrefersHTML reports whether r is a browser opening an address as a
// page (its Accept prefers text/html to JSON, as wantsHTML, and to XML,
// which a browser ranks after HTML and a Subsonic app never before its
// format): it gets an error as a page.
func PrefersHTML(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	h, _ := acceptQ(accept, "text", "html")
	x, _ := acceptQ(accept, "application", "xml")
	tx, _ := acceptQ(accept, "text", "xml")
	return wantsHTML(r) && h > x && h > tx
}

// browserPage is the page of an error the API answers status with and
// msg in its JSON: a title for the status, and what a person in a
// browser can do about it (the API's sentence speaks to a client's user,
// the segue commands of the origin's host).
func browserPage(status int, msg string) pageText {
	t := pageText{Said: msg}
	const app = "This is a segue origin: its addresses serve the segue app, and share links (they look like https://HOST/p/…), which open a playlist in the browser."
	switch {
	case status == http.StatusNotFound && strings.HasPrefix(msg, catalog.NoRoute):
		t.Title, t.Hint = "There is nothing at this address",
			app+" If you were given a link, check that you have it whole: copy it again, all of it."
		t.Said = ""
	case status == http.StatusNotFound:
		t.Title, t.Hint = "Not found", "What this address names is not in the library (it may have been taken out of it): "+
			"if a link led here, open the share link again to see what the playlist holds now."
	case status == http.StatusUnauthorized:
		t.Title, t.Hint = "This address needs a token", app+
			" Without a token only a share link opens, and only its playlist: open the share link you were given, whole."+
			" If you were given one and it is refused, it was revoked: ask its owner for a new link."
	case status == http.StatusForbidden:
		t.Title, t.Hint = "Not open to this link", "A share link opens its own playlist and its tracks only: open the share link itself."
	case status == http.StatusTooManyRequests:
		t.Title, t.Hint = "Too many refused links from here", "Too many unknown or revoked links came from this address lately: "+
			"check the link you have, then try again in a minute."
	case status == http.StatusMethodNotAllowed:
		t.Title, t.Hint = "This address does not take this request", app+" Open the address as a link."
	case status == http.StatusServiceUnavailable:
		t.Title, t.Hint = "The server is not answering for now", "Its catalog cannot be reached: try again in a minute."
	case status >= 500:
		t.Title, t.Hint = "The server failed", "Something went wrong on the origin (its host sees why in its log): try again in a minute."
	default:
		t.Title, t.Hint = "This address cannot be answered", app+" Check that you have the link whole: copy it again, all of it."
	}
	return t
}

// maxErrorBody bounds the error body errorRewriter keeps to read its
// sentence from (writeError's are a sentence).
const maxErrorBody = 64 << 10

// errorRewriter makes the text/plain error answers of the standard
// library (the mux's 404 and 405, ServeContent's 416) JSON like every
// other error, and gives a browser (wantsHTML) every error answer, the
// origin's JSON ones too, as a page (browserPage) of the same status and
// headers. Answers already HTML (a share link's refusal) pass untouched;
// every error answer says Vary: Accept, which chose between the two.
type errorRewriter struct {
	http.ResponseWriter
	page    bool // the client wants HTML: an error becomes a page
	swallow bool // the handler's body is replaced (JSON written already, or a page to write)
	status  int  // the error held for a page (page); 0: none
	json    bool // the held error's body is the origin's JSON
	body    bytes.Buffer
}

// jsonErrors wraps the origin's handlers (errorRewriter).
func jsonErrors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e := &errorRewriter{ResponseWriter: w, page: wantsHTML(r)}
		next.ServeHTTP(e, r)
		if e.status != 0 {
			e.writePage()
		}
	})
}

func (e *errorRewriter) WriteHeader(code int) {
	if e.swallow { // answered already: a second WriteHeader, as net/http ignores it
		return
	}
	ct := e.Header().Get("Content-Type")
	if code < 400 || code == statusClientGone || strings.HasPrefix(ct, "text/html") {
		e.ResponseWriter.WriteHeader(code)
		return
	}
	addVary(e.Header(), "Accept")
	e.swallow = true
	if e.page {
		e.status, e.json = code, ct == "application/json"
		return
	}
	if ct == "application/json" {
		e.swallow = false
		e.ResponseWriter.WriteHeader(code)
		return
	}
	writeError(e.ResponseWriter, code, stdErrorMessage(code))
}

// stdErrorMessage is the sentence of the JSON error that replaces the
// standard library's plain-text answer of code.
func stdErrorMessage(code int) string {
	switch code {
	case http.StatusNotFound:
		return catalog.NoRoute + ": see the origin HTTP API in docs/architecture.md"
	case http.StatusMethodNotAllowed:
		return "method not allowed on this route: see the origin HTTP API in docs/architecture.md"
	}
	return strings.ToLower(http.StatusText(code))
}

// writePage answers the error held with its page.
func (e *errorRewriter) writePage() {
	msg := stdErrorMessage(e.status)
	if e.json {
		var er catalog.ErrorResponse
		if json.Unmarshal(e.body.Bytes(), &er) == nil && er.Error != "" {
			msg = er.Error
		}
	}
	writePage(e.ResponseWriter, e.status, browserPage(e.status, msg))
}

func (e *errorRewriter) Write(p []byte) (int, error) {
	if e.status != 0 {
		e.body.Write(p[:min(len(p), max(0, maxErrorBody-e.body.Len()))])
		return len(p), nil
	}
	if e.swallow {
		return len(p), nil
	}
	return e.ResponseWriter.Write(p)
}

// ReadFrom keeps http.ServeContent on sendfile(2) through this wrapper.
func (e *errorRewriter) ReadFrom(src io.Reader) (int64, error) {
	if e.swallow {
		return io.Copy(struct{ io.Writer }{e}, src)
	}
	if rf, ok := e.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(struct{ io.Writer }{e.ResponseWriter}, src)
}

func (e *errorRewriter) Unwrap() http.ResponseWriter { return e.ResponseWriter }

// addVary adds field to h's Vary unless it names it already.
func addVary(h http.Header, field string) {
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), field) {
				return
			}
		}
	}
	h.Add("Vary", field)
}
