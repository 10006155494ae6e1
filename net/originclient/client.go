// Package originclient is the typed HTTP client for the origin API
// (docs/architecture.md, "Origin HTTP API"). It keeps the documents it fetches
// (catalog JSON, manifests, covers) in a DocStore with their ETags, so it can
// revalidate cheaply and answer from them when the origin is unreachable.
// It fetches chunk bytes but does not verify or cache them: net/fetch does.
package originclient

import (
	"cmp"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"segue/cache"
	"segue/catalog"
	"segue/net/stale"
)

// Sentinel errors; match them with errors.Is.
var (
	// ErrNotFound means the origin does not know the thing asked for (404).
	ErrNotFound = errors.New("not found on the origin")
	// ErrNotSegue means a 404 (or a 405 or 501 refusing a change's
	// method) that is not a segue origin's own answer: a
	// server of another kind at the origin URL, or a path under which no
	// segue API is (its 404 said "no such route"). The thing asked for
	// may well exist: it is the origin URL that is wrong.
	ErrNotSegue = errors.New("no segue origin answers at the origin URL (check --origin)")
	// ErrUnauthorized means the origin refused the token (401 or 403);
	// StatusError.Sentence says whether one was sent (TokenRefused).
	ErrUnauthorized = errors.New("the origin refused the token (set one with --token, SEGUE_TOKEN or token in config.toml)")
	// ErrOwnedByToken means an open origin asked with no token (or
	// another's) keeps the playlist for a token, which segue origin token
	// adopt-local handed it to (403): it exists, and that token's secret
	// reaches it.
	ErrOwnedByToken = errors.New("the playlist belongs to a token on the origin: send its secret (--token, SEGUE_TOKEN or token in config.toml)")
	// ErrOffline means the origin is unreachable and the document was never
	// stored locally.
	ErrOffline = errors.New("not available offline")
	// ErrBadAnswer means the origin, or a proxy in between, answered 200
	// with a body that does not decode (an HTML page, a truncated body,
	// one longer than the client reads), and no good copy was stored.
	ErrBadAnswer = errors.New("the origin's answer does not decode (is a proxy in between broken?)")
)

// DocStore keeps documents between runs; *cache.Cache satisfies it. GetDoc
// returns cache.ErrMiss for an unknown key.
type DocStore interface {
	GetDoc(key string) (cache.Doc, error)
	PutDoc(key string, d cache.Doc) error
}

var _ DocStore = (*cache.Cache)(nil)

// Limits on what the client reads, so a broken origin cannot exhaust memory.
const (
	maxDocBytes   = 32 << 20
	maxChunkBytes = 64 << 20
)

// Options configure New. The zero value is usable.
type Options struct {
	// Token is sent as "Authorization: Bearer <Token>" when not empty.
	Token string
	// HTTP is the client used for every request (default: a keep-alive
	// client from NewHTTPClient).
	HTTP *http.Client
	// Docs stores documents for revalidation and offline use (default: none).
	Docs DocStore
	// TLS says which certificates an https origin may present (default:
	// the system roots). Ignored when HTTP is given.
	TLS TLSOptions
}

// Client talks to one origin. It is safe for concurrent use. Close it
// before its DocStore: a document's stored copy may have answered while
// the origin's answer is still on its way, to be stored when it comes.
type Client struct {
	base  *url.URL
	token string
	http  *http.Client
	docs  DocStore

	fresh *stale.Group // the requests that outlive their caller, and whether the origin is deaf (docs.go)
}

// answerWait bounds how long a request sent whole waits for the origin to
// begin its answer. A change (send) waits this long, where a document
// never stored gives up after deafWait (5 s): a read that gives up changes
// nothing and has a stored copy or "not available offline" to say, but a
// change the origin took may still be made after the client gave up (a
// busy PostgreSQL catalog, a large playlist), so the client waits longer
// for the answer that says whether it was (see ErrChangeUnanswered).
const answerWait = 15 * time.Second

// NewHTTPClient returns a client tuned for an origin: keep-alive with enough
// idle connections per host for parallel segment fetches, and timeouts that
// notice a dead origin quickly without cutting off a slow download. tc
// (nil: the defaults) configures https.
func NewHTTPClient(tc *tls.Config) *http.Client { return newHTTPClient(tc, false) }

// NewSubsonicHTTPClient is NewHTTPClient for a Subsonic server: a
// certificate it refuses (no trusted authority signed it, or it does not
// name the host) is said as the server's (SubsonicCertError), with what
// applies to it, not segue origin serve's --tls-self-signed.
func NewSubsonicHTTPClient(tc *tls.Config) *http.Client { return newHTTPClient(tc, true) }

func newHTTPClient(tc *tls.Config, subsonic bool) *http.Client {
	tr := &http.Transport{
		TLSClientConfig:       tc,
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: answerWait,
		ExpectContinueTimeout: time.Second,
		HTTP2:                 &http.HTTP2Config{SendPingTimeout: pingAfter, PingTimeout: pingWait},
	}
	return &http.Client{Transport: hintTransport{next: tr, subsonic: subsonic}, Timeout: 2 * time.Minute, CheckRedirect: stopRedirects}
}

// ErrTokenChars is returned by CheckToken (and New) for a token with a
// character no token has.
var ErrTokenChars = errors.New("the token has a character no token has (a token holds only a-z, A-Z, 0-9 and - . _ ~ + /, with = at its end): give it as segue origin token create printed it (--token, SEGUE_TOKEN or token in config.toml)")

// CheckToken returns token without the spaces and line breaks around it
// (as copied from a terminal or a file), and a segue origin's secret
// (originSecret) without the brackets, quotes and sentence punctuation
// around it too (catalog.PastedAround: "sgo_….", “sgo_…”, as pasted from a
// chat, which the origin refused and segue called wrong or revoked), or
// ErrTokenChars when what is left is not a bearer token (RFC 6750:
// letters A-Z a-z, digits and - . _ ~ + /, then = padding), which could
// not be sent in a header. Another token keeps a '.' or '~' at its ends,
// which a bearer token may have. The error never quotes the token, a
// secret.
func CheckToken(token string) (string, error) {
	token = catalog.Unpasted(strings.TrimSpace(token), originSecret)
	body := strings.TrimRight(token, "=")
	for _, r := range body {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("-._~+/", r)) {
			return "", ErrTokenChars
		}
	}
	if token != "" && body == "" {
		return "", ErrTokenChars
	}
	return token, nil
}

// originSecret reports whether s has the shape of the secret segue origin
// token create prints: "sgo_" and 64 lower-case hex digits (origin/token.go
// makes it of 32 random bytes).
func originSecret(s string) bool {
	hexDigits, ok := strings.CutPrefix(s, "sgo_")
	return ok && len(hexDigits) == 64 && strings.Trim(hexDigits, "0123456789abcdef") == ""
}

// New returns a client for the origin at baseURL (e.g. http://127.0.0.1:7700).
// A URL no request could reach (not http(s), no host, a port outside
// 1-65535, a "%" in the host) or a token that CheckToken refuses is its
// error, before any request: a share link's or API URL's port 99999 was
// taken, and every request then said the origin "is unreachable".
func New(baseURL string, o Options) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("origin URL %q: want http(s)://host[:port]", baseURL)
	}
	if strings.Contains(u.Host, "%") { // url.Parse decoded an escape there, which no host has
		return nil, fmt.Errorf("origin URL %q: the host is not a host name or IP address", baseURL)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.ParseUint(p, 10, 16); err != nil || n == 0 {
			return nil, fmt.Errorf("origin URL %q: port %s: want a port from 1 to 65535", baseURL, p)
		}
	}
	if o.Token, err = CheckToken(o.Token); err != nil {
		return nil, err
	}
	if o.HTTP == nil {
		tc, err := o.TLS.Config()
		if err != nil {
			return nil, err
		}
		o.HTTP = NewHTTPClient(tc)
	}
	return &Client{base: u, token: o.Token, http: o.HTTP, docs: o.Docs, fresh: stale.NewGroup()}, nil
}

// Close ends the requests still refreshing stored documents and waits for
// them. The client must not be used after.
func (c *Client) Close() {
	c.fresh.Close()
}

// BaseURL returns the origin's base URL, without a trailing slash.
func (c *Client) BaseURL() string { return c.base.String() }

// url joins path segments (escaped) onto the base URL.
func (c *Client) url(query url.Values, segs ...string) string {
	u := *c.base
	raw := u.EscapedPath()
	for _, s := range segs {
		u.Path += "/" + s
		raw += "/" + url.PathEscape(s)
	}
	u.RawPath = raw // used by String when it encodes Path, so "/" in a segment stays %2F
	u.RawQuery = query.Encode()
	return u.String()
}

// Search asks the origin for tracks, albums and artists matching q; limit
// <= 0 takes the origin's default.
func (c *Client) Search(ctx context.Context, q string, limit int) (catalog.SearchResult, error) {
	var res catalog.SearchResult
	v := url.Values{"q": {q}}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	err := c.getJSON(ctx, c.url(v, "api", "v1", "search"), &res)
	return res, err
}

// Artists lists the origin's artists.
func (c *Client) Artists(ctx context.Context) ([]catalog.Artist, error) {
	var as []catalog.Artist
	err := c.getJSON(ctx, c.url(nil, "api", "v1", "artists"), &as)
	return as, err
}

// Artist returns an artist with its albums; an ID the origin does not
// know is a *NotFoundError (as are Album's, Track's and Playlist's).
func (c *Client) Artist(ctx context.Context, id string) (catalog.Artist, error) {
	var a catalog.Artist
	err := c.getJSON(ctx, c.url(nil, "api", "v1", "artists", id), &a)
	return a, NotFound(err, "artist", id, c.Source())
}

// Album returns an album with its tracks in play order.
func (c *Client) Album(ctx context.Context, id string) (catalog.Album, error) {
	var a catalog.Album
	err := c.getJSON(ctx, c.url(nil, "api", "v1", "albums", id), &a)
	return a, NotFound(err, "album", id, c.Source())
}

// Track returns one track.
func (c *Client) Track(ctx context.Context, id string) (catalog.Track, error) {
	var t catalog.Track
	err := c.getJSON(ctx, c.url(nil, "api", "v1", "tracks", id), &t)
	return t, NotFound(err, "track", id, c.Source())
}

// Manifest returns a track's manifest, validated. A track the origin
// does not know (any more: removed from its catalog since it was queued)
// is a *NotFoundError of kind "track", which is catalog.ErrTrackGone; a
// stored copy never stands in for the origin's 404.
func (c *Client) Manifest(ctx context.Context, trackID string) (catalog.Manifest, error) {
	var m catalog.Manifest
	if err := c.getJSON(ctx, c.url(nil, "api", "v1", "tracks", trackID, "manifest"), &m); err != nil {
		return m, NotFound(err, "track", trackID, c.Source())
	}
	if err := m.Validate(); err != nil {
		return m, fmt.Errorf("manifest of track %s: %w", trackID, err)
	}
	return m, nil
}

// Cover returns an album's cover image and its MIME type.
func (c *Client) Cover(ctx context.Context, albumID string) ([]byte, string, error) {
	d, err := c.doc(ctx, c.url(nil, "api", "v1", "albums", albumID, "cover"), isImage)
	if err != nil {
		return nil, "", err
	}
	return d.Body, d.ContentType, nil
}

// Chunk downloads the bytes stored under hash. It does not verify them
// (the caller checks the sha256) and does not store them in Docs. A 404
// wraps catalog.ErrNoSuchSegment; a gateway's 502, 503 or 504, a 429, a
// connection that fails and an answer that breaks off (a CutShortError)
// wrap catalog.ErrUnreachable, so the caller tries its next source.
func (c *Client) Chunk(ctx context.Context, hash string) ([]byte, error) {
	return c.ChunkProgress(ctx, hash, nil)
}

// ChunkProgress is Chunk calling progress (when not nil) with the byte
// count of each read of the body as it arrives, so that a caller can tell
// how far a slow download has got (the player's abandon rule).
func (c *Client) ChunkProgress(ctx context.Context, hash string, progress func(n int)) ([]byte, error) {
	return c.chunk(ctx, c.http, hash, progress)
}

func (c *Client) chunk(ctx context.Context, hc *http.Client, hash string, progress func(n int)) ([]byte, error) {
	if !catalog.ValidHash(hash) {
		return nil, fmt.Errorf("fetch chunk %q: not a sha256 hex digest", hash)
	}
	u := c.url(nil, "chunks", hash)
	resp, err := c.doWith(ctx, hc, u, "")
	if err != nil {
		if ctx.Err() == nil { // not the caller's deadline: the origin is down
			return nil, fmt.Errorf("fetch chunk %s: %w: %w", hash, catalog.ErrUnreachable, err)
		}
		return nil, fmt.Errorf("fetch chunk %s: %w", hash, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		se := statusError(resp)
		if resp.Request != nil && resp.Request.URL.Host != c.base.Host {
			// the origin redirected to its blob store (a presigned URL):
			// its 403 is not about segue's token
			se.store = resp.Request.URL.Host
		}
		var err error = se
		switch {
		case se.outOfService():
			err = fmt.Errorf("%w: %w", catalog.ErrUnreachable, err)
		case resp.StatusCode == http.StatusNotFound:
			// the blob is gone (the track was removed from the origin, or
			// from the blob store a redirect led to): asking again will not
			// bring it
			err = fmt.Errorf("%w: %w", catalog.ErrNoSuchSegment, err)
		}
		return nil, fmt.Errorf("fetch chunk %s: %w", hash, err)
	}
	var body io.Reader = resp.Body
	if progress != nil {
		body = progressReader{body, progress}
	}
	b, err := readBody(ctx, resp, body, maxChunkBytes)
	if errors.As(err, new(*CutShortError)) {
		// the origin was there, but its bytes did not all come: a source
		// that failed, as one that could not be reached, so the chain asks
		// the next or again (the bytes it had are dropped, never cached)
		return nil, fmt.Errorf("fetch chunk %s: %w: %w", hash, catalog.ErrUnreachable, err)
	}
	if err != nil {
		return nil, fmt.Errorf("fetch chunk %s: %w", hash, err)
	}
	if webPage(resp, b) {
		return nil, fmt.Errorf("fetch chunk %s: %w: %w", hash, catalog.ErrUnreachable, &WebPageError{URL: resp.Request.URL.String()})
	}
	return b, nil
}

// webPage reports whether a chunk's answer is an HTML page: a network's
// login page (a hotel's or a train's wifi answers every address with it)
// or a proxy's. A segment begins with an MP3 frame's sync byte (0xFF), a
// cover with an image's signature, never with "<".
func webPage(resp *http.Response, b []byte) bool {
	body := strings.TrimLeft(string(b[:min(len(b), 64)]), " \t\r\n")
	return strings.HasPrefix(strings.ToLower(resp.Header.Get("Content-Type")), "text/html") && strings.HasPrefix(body, "<")
}

// WebPageError is a chunk answered with a web page instead of its bytes
// (webPage). It wraps nothing; the origin client's error wraps it beside
// catalog.ErrUnreachable: the origin is out of reach behind the page, so
// the player plays what the cache holds and tries again, and once the
// listener has logged in the segments come.
type WebPageError struct{ URL string }

func (e *WebPageError) Error() string { return "a web page answered for " + e.URL }

// Sentence says what happened in one sentence for a person.
func (e *WebPageError) Sentence() string {
	return "a web page answered instead of the origin: log in to the network (a hotel's or a train's wifi shows a login page in a browser), or check the proxy between"
}

// CutShortError is an answer (a chunk, a document, a change's reply)
// whose body ended before it was whole: before the length it announced
// (Content-Length), or, without one, with the connection reset or closed
// mid-body. The connection broke, or a proxy or the origin sent a wrong
// length. segue play's retrying line gave the Go chain, hashes and
// "unexpected EOF"; Sentence says it for a person.
type CutShortError struct {
	Got, Want int64 // bytes received, bytes announced (-1: none announced)
	Err       error // the read's error
	// Made: the answer of a change the origin said it made (2xx): doing
	// it again would do it twice
	Made bool
}

func (e *CutShortError) Error() string {
	if e.Want < 0 {
		return fmt.Sprintf("the answer broke off after %d bytes: %v", e.Got, e.Err)
	}
	return fmt.Sprintf("the answer broke off after %d of the %d bytes announced: %v", e.Got, e.Want, e.Err)
}

func (e *CutShortError) Unwrap() error { return e.Err }

// Sentence says what happened in one sentence for a person.
func (e *CutShortError) Sentence() string {
	s := fmt.Sprintf("the origin's answer broke off after %d of the %d bytes it announced (the connection dropped, or a proxy between sends a wrong length)", e.Got, e.Want)
	switch {
	case errors.Is(e.Err, errBodyStalled) && e.Want < 0:
		s = fmt.Sprintf("the origin's answer stopped after %d bytes and sent nothing for %v (the connection stalled)", e.Got, bodyIdle)
	case errors.Is(e.Err, errBodyStalled):
		s = fmt.Sprintf("the origin's answer stopped after %d of the %d bytes it announced and sent nothing for %v (the connection stalled)", e.Got, e.Want, bodyIdle)
	case e.Want < 0:
		s = fmt.Sprintf("the origin's answer broke off after %d bytes (the connection dropped, or a proxy between cut it)", e.Got)
	}
	if e.Made {
		s += ", after it had made the change: " + LookBeforeAgain
	}
	return s
}

// readBody reads the body r of resp (r: resp.Body, or a reader over it) as
// readLimited does, its read failing while ctx is live as a
// *CutShortError: the caller's own cancellation is no fault of the answer.
func readBody(ctx context.Context, resp *http.Response, r io.Reader, max int64) ([]byte, error) {
	b, err := readLimited(r, max)
	var tooLarge *tooLargeError
	if err != nil && ctx.Err() == nil && !errors.As(err, &tooLarge) {
		return nil, &CutShortError{Got: int64(len(b)), Want: resp.ContentLength, Err: err}
	}
	return b, err
}

func (c *Client) getJSON(ctx context.Context, u string, v any) error {
	d, err := c.doc(ctx, u, decodesAs(v))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(d.Body, v); err != nil {
		return asked(fmt.Errorf("decode %s: %w", u, err))
	}
	return nil
}

// do sends a GET with the token and, when etag is set, If-None-Match.
func (c *Client) do(ctx context.Context, u, etag string) (*http.Response, error) {
	return c.doWith(ctx, c.http, u, etag)
}

// doWith is do through hc.
func (c *Client) doWith(ctx context.Context, hc *http.Client, u, etag string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	resp, err := hc.Do(req)
	if err == nil {
		c.fresh.Heard()
	}
	return resp, err
}

// progressReader reports the size of every read to progress.
type progressReader struct {
	r        io.Reader
	progress func(n int)
}

func (p progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.progress(n)
	}
	return n, err
}

// readLimited reads r to its end, failing past max bytes; on a failed
// read it returns what it read before it.
func readLimited(r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return b, err
	}
	if int64(len(b)) > max {
		return nil, &tooLargeError{max}
	}
	return b, nil
}

// tooLargeError is an answer longer than the client reads (readLimited).
type tooLargeError struct{ max int64 }

func (e *tooLargeError) Error() string { return fmt.Sprintf("response larger than %d bytes", e.max) }

// RequestError is a request of the origin's that failed: its text is the
// request's, with the URL asked ("get URL: cause", "POST URL: ..."), and
// it unwraps to that error's chain. A caller tells the origin's failures
// from its own by this type (errors.As), not by a URL in the text, which
// its own words may quote (a share link the user gave).
type RequestError struct{ Err error }

func (e *RequestError) Error() string { return e.Err.Error() }
func (e *RequestError) Unwrap() error { return e.Err }

// asked marks err, a request's failure, as a RequestError.
func asked(err error) error { return &RequestError{err} }

// statusError turns a non-2xx answer into a *StatusError carrying the
// origin's message.
func statusError(resp *http.Response) *StatusError {
	var e catalog.ErrorResponse
	body, _ := readLimited(resp.Body, 64<<10)
	se := &StatusError{Code: resp.StatusCode, Status: resp.Status,
		tokenSent: resp.Request != nil && resp.Request.Header.Get("Authorization") != "",
		proxied:   resp.Header.Get("Date") != "" || resp.Header.Get("Server") != "" || resp.Header.Get("Via") != ""}
	if json.Unmarshal(body, &e) == nil && e.Error != "" {
		se.Message = e.Error
	} else {
		se.body = strings.TrimSpace(string(body))
	}
	if se.Code == http.StatusServiceUnavailable || se.Code == http.StatusTooManyRequests && !se.refusedToken() {
		se.retryAfter, se.retryAsked = ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		if se.Code == http.StatusTooManyRequests && se.retryAfter == 0 {
			// a rate limit that does not say when is still a wait, not
			// a refusal: asked again at once it would refuse again
			se.retryAfter = busyRetry
		}
	}
	// segue's 404s are JSON, and an unknown route's says so (origin/api.go);
	// so are its 405s (origin/errorpage.go). A web server of another kind
	// refuses a change's method (POST, PUT, DELETE) it does not serve with
	// a page: nginx serving files 405, Python's http.server 501
	// ("Unsupported method ('POST')"), which was "the origin failed (501
	// ...); its log says why".
	switch se.Code {
	case http.StatusNotFound:
		se.notSegue = se.Message == "" || strings.HasPrefix(se.Message, catalog.NoRoute)
	case http.StatusMethodNotAllowed, http.StatusNotImplemented:
		se.notSegue = se.Message == ""
	}
	if resp.Request != nil && resp.Request.URL != nil {
		se.where = originOf(resp.Request.URL)
	}
	return se
}

// originOf is the origin a request to u went to as a sentence names it
// (never a URL with its scheme: "the origin at HOST"): its host and the
// path before segue's own (/api/, /chunks, /p/), with no user, query or
// fragment (a share token is a capability: it stays out of messages).
func originOf(u *url.URL) string {
	path := u.Path
	for _, p := range []string{"/api/", "/chunks", "/p/"} {
		if i := strings.Index(path, p); i >= 0 {
			path = path[:i]
			break
		}
	}
	return u.Host + strings.TrimSuffix((&url.URL{Path: path}).EscapedPath(), "/")
}

// Bounds on the wait an answer asks for.
const (
	// maxRetryAfter caps a Retry-After: a proxy's "try again tomorrow" or
	// a clock a year off is not a wait a player or a person sits out (and
	// 99999999999 seconds overflowed a time.Duration).
	maxRetryAfter = 10 * time.Minute
	// busyRetry is the wait after a 429 that does not say how long.
	busyRetry = 5 * time.Second
)

// ParseRetryAfter reads a Retry-After header as of now: seconds or an
// HTTP-date (RFC 9110), at most maxRetryAfter; 0 and false when h is
// neither or asks for no wait (a date past already). net/subsonic reads
// a Subsonic server's with it too.
func ParseRetryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	var d time.Duration
	if n, err := strconv.ParseUint(h, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		d = time.Duration(min(n, uint64(maxRetryAfter/time.Second))) * time.Second // n is the largest uint64 past it
	} else if t, err := http.ParseTime(h); err == nil {
		d = t.Sub(now).Round(time.Second)
	}
	if d <= 0 {
		return 0, false
	}
	return min(d, maxRetryAfter), true
}

// StatusError is an answer other than 2xx. It wraps ErrNotFound (a segue
// origin's 404), ErrNotSegue (any other 404) or ErrUnauthorized (401,
// 403), or ErrOwnedByToken (the origin's 403 for a playlist a token
// owns), so errors.Is matches those.
type StatusError struct {
	Code    int    // HTTP status code
	Status  string // status line, e.g. "404 Not Found"
	Message string // the origin's own message ({"error": ...}); "" when the body was not one
	body    string // any other body (a proxy's page): for the log only
	// notSegue: a 404 no segue origin sent, or for a route it does not
	// have; a 405 or 501 no segue origin sent
	notSegue bool
	// where is the origin the request went to, as Sentence names it:
	// host and the path before the API's ("" when the request is not
	// known)
	where string
	// retryAfter: a 503's or 429's Retry-After (0: none), busyRetry for
	// a 429 without one (retryAsked false)
	retryAfter time.Duration
	retryAsked bool
	// store is the host of the blob store the origin redirected a chunk
	// to, when that answered ("": the origin answered)
	store string
	// tokenSent: the request carried a token (Authorization), which a
	// 401 or 403 then refused (TokenRefused)
	tokenSent bool
	// proxied: the answer carries a header a web server or proxy sets
	// (Date, Server, Via); Go's own answer to plain http on a TLS port
	// carries none, so with it the plain http was a proxy's (TLSBehindProxy)
	proxied bool
}

// TokenRefused is the sentence for the origin's refusal (ErrUnauthorized):
// with a token sent, that it is wrong or was revoked and what to do; with
// none, that the origin requires one and where one comes from. It said
// "set one with --token" of a token that was set and revoked (a running
// segue's, told to segue ctl and in the interface).
func TokenRefused(sent bool) string {
	if !sent {
		return "the origin requires a token and none is set: ask its host for one (segue origin token create NAME, run there) and give it with --token, SEGUE_TOKEN or token in config.toml"
	}
	return "the origin refused the token: it is wrong or was revoked (check --token, SEGUE_TOKEN or token in config.toml, or ask the origin's host for a new one)"
}

// TokenSent reports, for an error that is the origin's refusal
// (ErrUnauthorized), whether the refused request carried a token; ok is
// false for any other error.
func TokenSent(err error) (sent, ok bool) {
	var se *StatusError
	if !errors.As(err, &se) || se.Unwrap() != ErrUnauthorized {
		return false, false
	}
	return se.tokenSent, true
}

// PlainToTLS reports the answer of an https server to a plain http
// request (Go's "400 Client sent an HTTP request to an HTTPS server"):
// ok, and behindProxy when a proxy passed it on, so the proxy, not the
// client, speaks plain http to an origin serving https (proxy_pass http://
// to an origin started with --tls-self-signed, say).
func (e *StatusError) PlainToTLS() (behindProxy, ok bool) {
	if e.Code != http.StatusBadRequest || !strings.Contains(e.body, "HTTP request to an HTTPS server") {
		return false, false
	}
	return e.proxied, true
}

// RetryAfter is the wait a 503 or 429 asked for with Retry-After (0:
// none), or busyRetry for a 429 that did not say; it makes the error a
// catalog.RetryLater.
func (e *StatusError) RetryAfter() time.Duration { return e.retryAfter }

var _ catalog.RetryLater = (*StatusError)(nil)

// Error gives the whole answer, for the log.
func (e *StatusError) Error() string {
	detail := e.Status
	if text := cmp.Or(e.Message, e.body); text != "" {
		detail += ": " + text
	}
	if cause := e.Unwrap(); cause != nil {
		return fmt.Sprintf("%v (%s)", cause, detail)
	}
	if e.store != "" {
		return "the blob store " + e.store + " the origin redirected to answered " + detail
	}
	return "origin answered " + detail
}

// Unwrap returns the sentinel the status means, or nil. 409 is
// catalog.ErrPlaylistChanged: the origin's one 409 refuses a playlist edit
// by position whose position no longer holds the track it named.
func (e *StatusError) Unwrap() error {
	switch {
	case e.store != "" && e.Code != http.StatusNotFound:
		return nil // the blob store's answer, not the origin's
	case e.notSegue:
		return ErrNotSegue
	case e.Code == http.StatusNotFound:
		return ErrNotFound
	case e.Code == http.StatusForbidden && strings.Contains(e.Message, catalog.OwnedByToken):
		return ErrOwnedByToken
	case e.Code == http.StatusUnauthorized, e.Code == http.StatusForbidden:
		return ErrUnauthorized
	case e.Code == http.StatusConflict:
		return catalog.ErrPlaylistChanged
	}
	return nil
}

// Sentence says what the answer means in one sentence for a person: the
// origin's own message when it sent one, never a proxy's page or a status
// line alone.
func (e *StatusError) Sentence() string {
	switch {
	case e.store != "" && (e.Code == http.StatusForbidden || e.Code == http.StatusUnauthorized):
		return fmt.Sprintf("the blob store the origin sent segue to (%s) refused its link (%s): is the origin's clock right, and are its blob store credentials valid?", e.store, e.Status)
	case e.store != "" && e.Code != http.StatusNotFound:
		return fmt.Sprintf("the blob store the origin sent segue to (%s) failed (%s)", e.store, e.Status)
	case e.Unwrap() == ErrUnauthorized:
		return TokenRefused(e.tokenSent)
	case e.Code/100 == 3 && e.Code != http.StatusNotModified: // net/http follows one that names where to
		return fmt.Sprintf("the origin answered %s, a redirect that names no place to go: is a proxy in front of it misconfigured?", e.Status)
	case e.notSegue && e.where != "":
		// which URL, and what answered there: set by a flag, an
		// environment variable or config.toml, it was not on the screen
		return fmt.Sprintf("no segue origin answers at %s (something else does: a web server of another kind, or a path no segue origin serves under): check that address (the origin's is set by --origin, SEGUE_ORIGIN or origin in config.toml)", e.where)
	case e.notSegue:
		return ErrNotSegue.Error()
	case e.Code == http.StatusNotFound:
		return cmp.Or(e.Message, ErrNotFound.Error())
	case e.Code/100 == 4 && e.Message != "":
		return e.Message // segue's own 429 says why and when itself
	case e.Code == http.StatusTooManyRequests && e.retryAsked:
		return fmt.Sprintf("the origin is busy (%s) and asks to retry in %v", e.Status, e.retryAfter)
	case e.Code == http.StatusTooManyRequests:
		return fmt.Sprintf("the origin is busy (%s): retry in %v", e.Status, e.retryAfter)
	case e.Code/100 == 4:
		return fmt.Sprintf("the origin refused the request (%s)", e.Status)
	case e.retryAfter > 0 && e.Message != "":
		// the origin's own 503 (its catalog database restarts): it runs
		return fmt.Sprintf("the origin cannot answer now and asks to retry in %v: %s", e.retryAfter, e.Message)
	case e.retryAfter > 0:
		return fmt.Sprintf("the origin cannot answer now and asks to retry in %v (%s)", e.retryAfter, e.Status)
	}
	if e.Code == http.StatusInsufficientStorage && e.Message != "" {
		return e.Message // the origin's disk is full: its own words say so and who frees it
	}
	return fmt.Sprintf("the origin failed (%s); its log says why", e.Status)
}

// outOfService reports an answer of a proxy or CDN in front of an origin
// that is down, or of an origin (or its proxy) too busy to serve now: 429,
// a rate limit, is a wait as a 503 is, not a refusal, unless it is the
// origin's for too many refused tokens (refusedToken): a stored copy must
// not hide that the token is refused.
func (e *StatusError) outOfService() bool {
	switch e.Code {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return e.Code == http.StatusTooManyRequests && !e.refusedToken()
}

// refusedToken reports the origin's 429 to an address that sent too many
// refused tokens (catalog.TooManyRefused): its message says what to do.
func (e *StatusError) refusedToken() bool {
	return e.Code == http.StatusTooManyRequests && strings.Contains(e.Message, catalog.TooManyRefused)
}
