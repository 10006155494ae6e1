// Package subsonic is segue as a client of a Subsonic server (Navidrome,
// gonic, Airsonic, supysonic): it speaks the Subsonic REST API
// (subsonic.org/pages/api.jsp, with the OpenSubsonic additions) and maps
// its answers onto segue's catalog vocabulary, so the commands and the
// interface use a Subsonic server exactly as they use segue's origin.
//
// A track plays from the server's progressive stream (stream.go), cut into
// segments as it arrives. The package owns the wire format and the mapping;
// it must not know about the player's internals, the UI or the CLI.
package subsonic

import (
	"cmp"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"segue/cache"
	"segue/catalog"
	"segue/net/originclient"
	"segue/net/stale"
)

// Sentinel errors; match them with errors.Is.
var (
	// ErrUnauthorized: the server refused the user name or password
	// (Subsonic error 40, 41 or 44).
	ErrUnauthorized = errors.New("the Subsonic server refused the user name or password")
	// ErrNotFound: the server does not know the thing asked for (70). It
	// is originclient.ErrNotFound too (errors.Is), which callers test for
	// whichever source answered, but says the Subsonic server's words.
	ErrNotFound error = &sourceError{"not found on the Subsonic server", originclient.ErrNotFound}
	// ErrUnsupported: the server does not implement the call (a 404 of
	// the route, or Subsonic error 0 or 30 naming it), or segue has no
	// Subsonic counterpart for it (share links, radio).
	ErrUnsupported = errors.New("the Subsonic server does not support this")
	// ErrServer is in the chain of the Subsonic server's failures whose
	// sentences would otherwise name the origin (it cannot be reached, its
	// answer broke off, it does not know the thing asked for), so that
	// the status line (ui/notice) and cli's exit sentence name the
	// Subsonic server: they said "the origin is unreachable" and "it is
	// not on the origin" of one. Its own text is never said.
	ErrServer = errors.New("a failure of the Subsonic server")
)

// sourceError is a sentinel of its own words that is also err, the
// origin's sentinel of the same meaning, whose words name the origin:
// ErrNotFound was originclient.ErrNotFound itself, so a Subsonic server's
// error 70 said "not found on the origin". It is ErrServer too.
type sourceError struct {
	msg string
	err error
}

func (e *sourceError) Error() string   { return e.msg }
func (e *sourceError) Unwrap() []error { return []error{e.err, ErrServer} }

// serverError is err, a failure of the Subsonic server said in err's
// words (a transport error other than a refused connection, a stream
// that broke off), with ErrServer in its chain.
type serverError struct{ err error }

func (e *serverError) Error() string   { return e.err.Error() }
func (e *serverError) Unwrap() []error { return []error{e.err, ErrServer} }

// StepPrefix begins the text of the Client's errors ("subsonic server
// HOST: METHOD: …"): the client's own step, which names the server for
// the log, as the origin client's request does.
const StepPrefix = "subsonic server "

// clientName is the c= parameter: how the server's logs name segue.
const clientName = "segue"

// maxDocBytes bounds a JSON answer so a broken server cannot exhaust memory.
const maxDocBytes = 32 << 20

// Options configure New.
type Options struct {
	// Password is the user's password, or the OpenSubsonic API key when
	// the URL names no user. Required.
	Password string
	// HTTP is the client for every request (default: originclient's
	// keep-alive client for a Subsonic server, NewSubsonicHTTPClient).
	HTTP *http.Client
	// Store keeps whole streamed tracks and their manifests (default: none,
	// every play streams).
	Store Store
	// Kbps is the bitrate asked of the server's stream: 96, 160 or 320
	// (default 160; see Kbps).
	Kbps int
}

// Client talks to one Subsonic server. It is safe for concurrent use.
type Client struct {
	base     *url.URL // http(s)://host[/path], no user, no trailing slash
	user     string
	password string
	http     *http.Client
	store    Store
	kbps     int

	authMu sync.Mutex // guards auth; held while logging in
	auth   url.Values // the auth and protocol parameters of every call; nil until a login worked

	streams streams      // progressive downloads in flight (stream.go)
	fresh   *stale.Group // calls that outlived their caller, and whether the server is deaf (stored.go)
}

// ParseURL reads subsonic+https://USER@HOST[:PORT][/PATH] (or subsonic+http)
// into the server's base URL and the user name ("" for an API key).
func ParseURL(raw string) (base *url.URL, user string, err error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "subsonic+https" && u.Scheme != "subsonic+http") || u.Host == "" {
		return nil, "", fmt.Errorf("subsonic URL %q: want subsonic+https://USER@HOST[/PATH]", raw)
	}
	if _, has := u.User.Password(); has {
		return nil, "", fmt.Errorf("subsonic URL %q: put no password in the URL (it shows in ps and in history): use --password-file, the config or the secret store", u.Redacted())
	}
	if u.User != nil {
		user = u.User.Username()
	}
	base = &url.URL{Scheme: strings.TrimPrefix(u.Scheme, "subsonic+"), Host: u.Host, Path: strings.TrimRight(u.Path, "/")}
	return base, user, nil
}

// IsURL reports whether s names a Subsonic server (its scheme).
func IsURL(s string) bool {
	return strings.HasPrefix(s, "subsonic+https://") || strings.HasPrefix(s, "subsonic+http://")
}

// New returns a client of the server at rawURL (see ParseURL). It does no
// I/O: the first call pings the server to choose how to authenticate.
func New(rawURL string, o Options) (*Client, error) {
	base, user, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if o.Password == "" {
		return nil, fmt.Errorf("subsonic server %s: no password: give --password-file FILE, password in [source] of the config, or store it with secret-tool (service segue, server %s)", base.Host, base.Host)
	}
	if o.HTTP == nil {
		o.HTTP = originclient.NewSubsonicHTTPClient(nil)
	}
	if o.Kbps <= 0 {
		o.Kbps = Kbps("")
	}
	return &Client{base: base, user: user, password: o.Password, http: o.HTTP, store: o.Store, kbps: o.Kbps, fresh: stale.NewGroup()}, nil
}

// Server names the server in cache keys and messages: host[:port][/path].
func (c *Client) Server() string { return c.base.Host + c.base.Path }

// Source names the server as sentences do: "the Subsonic server at HOST".
func (c *Client) Source() string { return "the Subsonic server at " + c.Server() }

// BaseURL returns the server's base URL in its subsonic+ form.
func (c *Client) BaseURL() string {
	u := *c.base
	u.Scheme = "subsonic+" + u.Scheme
	if c.user != "" {
		u.User = url.User(c.user)
	}
	return u.String()
}

// response is the envelope of every JSON answer.
type response struct {
	Body json.RawMessage `json:"subsonic-response"`
}

// status is the part of the envelope every answer has.
type status struct {
	Status        string    `json:"status"`
	Version       string    `json:"version"`
	OpenSubsonic  bool      `json:"openSubsonic"`
	Error         *apiError `json:"error"`
	ServerType    string    `json:"type"`
	ServerVersion string    `json:"serverVersion"`
}

// apiError is a Subsonic error answer: code and message
// (subsonic.org/pages/api.jsp, "Error handling").
type apiError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *apiError) Error() string { return fmt.Sprintf("error %d: %s", e.Code, e.Message) }

// login pings the server without credentials to learn its version (every
// answer carries it), then chooses the auth: an OpenSubsonic API key when
// there is no user and the server offers apiKeyAuthentication; token and
// salt for API >= 1.13; else the hex-encoded password. A login that failed
// is tried again on the next call (the server may be back).
func (c *Client) login(ctx context.Context) (url.Values, error) {
	c.authMu.Lock()
	defer c.authMu.Unlock()
	if c.auth != nil {
		return c.auth, nil
	}
	v := url.Values{"c": {clientName}, "f": {"json"}, "v": {"1.1.0"}}
	st, _, err := c.call(ctx, "ping", v, nil)
	if err != nil && st.Version == "" { // an error answer still says the version
		return nil, err
	}
	auth := url.Values{"c": {clientName}, "f": {"json"}, "v": {cmpVersion(st.Version, "1.16.1")}}
	switch {
	case c.user == "":
		if !st.OpenSubsonic || !c.hasExtension(ctx, auth, "apiKeyAuthentication") {
			return nil, fmt.Errorf("subsonic server %s: the URL names no user and the server offers no API key login: write subsonic+https://USER@%s", c.Server(), c.Server())
		}
		auth.Set("apiKey", c.password)
	case atLeast(st.Version, 1, 13):
		salt := make([]byte, 8)
		rand.Read(salt)
		s := hex.EncodeToString(salt)
		sum := md5.Sum([]byte(c.password + s))
		auth.Set("u", c.user)
		auth.Set("t", hex.EncodeToString(sum[:]))
		auth.Set("s", s)
	default:
		auth.Set("u", c.user)
		auth.Set("p", "enc:"+hex.EncodeToString([]byte(c.password)))
	}
	if _, _, err := c.call(ctx, "ping", auth, nil); err != nil {
		return nil, err
	}
	c.auth = auth
	return auth, nil
}

// hasExtension asks getOpenSubsonicExtensions (no auth needed) whether the
// server offers name.
func (c *Client) hasExtension(ctx context.Context, v url.Values, name string) bool {
	var out struct {
		Extensions []struct {
			Name string `json:"name"`
		} `json:"openSubsonicExtensions"`
	}
	if _, _, err := c.call(ctx, "getOpenSubsonicExtensions", v, &out); err != nil {
		return false
	}
	for _, e := range out.Extensions {
		if e.Name == name {
			return true
		}
	}
	return false
}

// get calls method with the login's parameters plus params and decodes the
// answer into out (a struct whose fields are the envelope's keys). The
// answers of get* methods are kept in the store under DocKey, and answer
// when the server is unreachable (offline browsing and pins) or does not
// answer in time (see storedFirst).
func (c *Client) get(ctx context.Context, method string, params url.Values, out any) error {
	if c.store != nil && strings.HasPrefix(method, "get") {
		if d, err := c.store.GetDoc(c.DocKey(method, params)); err == nil {
			// The caller's out is the caller's once it has its answer: a
			// call that goes on without it decodes into a value of its own.
			fresh := func() any { return reflect.New(reflect.TypeOf(out).Elem()).Interface() }
			stored := fresh()
			if _, err := decode(d.Body, stored); err == nil {
				v, err := storedFirst(c, ctx, stored, func(ctx context.Context) (any, error) {
					v := fresh()
					return v, c.ask(ctx, method, params, v, true)
				})
				if err == nil {
					reflect.ValueOf(out).Elem().Set(reflect.ValueOf(v).Elem())
				}
				return err
			}
		}
	}
	return c.ask(ctx, method, params, out, true)
}

// ask is get without waiting less for a stored answer; with offline
// false, an unreachable server is an error even where a stored answer
// could stand in (a read that an edit writes back must be the server's).
func (c *Client) ask(ctx context.Context, method string, params url.Values, out any, offline bool) error {
	stored := c.store != nil && strings.HasPrefix(method, "get")
	auth, err := c.login(ctx)
	if err == nil {
		v := url.Values{}
		for k, vs := range auth {
			v[k] = vs
		}
		for k, vs := range params {
			v[k] = vs
		}
		var body []byte
		_, body, err = c.call(ctx, method, v, out)
		if err == nil && stored {
			c.store.PutDoc(c.DocKey(method, params), cache.Doc{Body: body, ContentType: "application/json"})
		}
	}
	if err != nil && stored && offline && errors.Is(err, catalog.ErrUnreachable) {
		if d, gerr := c.store.GetDoc(c.DocKey(method, params)); gerr == nil {
			if _, derr := decode(d.Body, out); derr == nil {
				c.fresh.StoodIn(err) // catalog.ErrUnreachable and ErrServer
				return nil
			}
		}
	}
	return err
}

// DocKey is the store's key of method's answer to params (no auth in it).
func (c *Client) DocKey(method string, params url.Values) string {
	return "subsonic://" + c.Server() + "/rest/" + method + "?" + params.Encode()
}

// methodURL is the URL of method with query v.
func (c *Client) methodURL(method string, v url.Values) string {
	u := *c.base
	u.Path += "/rest/" + method
	u.RawQuery = v.Encode()
	return u.String()
}

// call does one request; it returns the envelope's status and the body.
func (c *Client) call(ctx context.Context, method string, v url.Values, out any) (status, []byte, error) {
	var st status
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.methodURL(method, v), nil)
	if err != nil {
		return st, nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return st, nil, c.netErr(method, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return st, nil, fmt.Errorf("subsonic server %s: %s: %w", c.Server(), method, ErrUnsupported)
	}
	if resp.StatusCode != http.StatusOK {
		return st, nil, c.statusErr(method, resp)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocBytes))
	if err != nil {
		return st, nil, c.readErr(ctx, method, resp, body, err)
	}
	st, err = decode(body, out)
	if err != nil {
		return st, nil, c.answerErr(method, err)
	}
	return st, body, nil
}

// decode reads a JSON answer: the envelope's status, and out from the same
// object. A "failed" status is returned as its *apiError.
func decode(body []byte, out any) (status, error) {
	var r response
	var st status
	if err := json.Unmarshal(body, &r); err != nil || len(r.Body) == 0 {
		return st, fmt.Errorf("the answer is not a Subsonic JSON response (%.60q)", body)
	}
	if err := json.Unmarshal(r.Body, &st); err != nil {
		return st, fmt.Errorf("the answer's status does not decode: %w", err)
	}
	if st.Status != "ok" {
		if st.Error == nil {
			return st, fmt.Errorf("the answer's status is %q with no error", st.Status)
		}
		return st, st.Error
	}
	if out != nil {
		if err := json.Unmarshal(r.Body, out); err != nil {
			return st, fmt.Errorf("the answer does not decode: %w", err)
		}
	}
	return st, nil
}

// answerErr says in one sentence what the server's answer to method means.
func (c *Client) answerErr(method string, err error) error {
	var ae *apiError
	if !errors.As(err, &ae) {
		return fmt.Errorf("subsonic server %s: %s: %w", c.Server(), method, err)
	}
	a := &AnswerError{Code: ae.Code}
	switch ae.Code {
	case 40, 41, 44: // wrong credentials; token auth not supported for LDAP users; bad API key
		a.said, a.is = fmt.Sprintf("%v (%s): check the password file or the config", ErrUnauthorized, ae.Message), ErrUnauthorized
		return fmt.Errorf("subsonic server %s: %w", c.Server(), a)
	case 10, 42, 43: // 42, 43: the auth mechanism is not supported; 10: a parameter missing
		if method == "ping" {
			a.said, a.is = fmt.Sprintf("%v (%s)", ErrUnauthorized, ae.Message), ErrUnauthorized
			return fmt.Errorf("subsonic server %s: %w", c.Server(), a)
		}
		if ae.Code == 10 {
			a.said = fmt.Sprintf("the server says a parameter is missing (%s): segue asked it wrongly, please report it", ae.Message)
		}
	case 20: // the client's API is too old for the server
		a.said = fmt.Sprintf("the server wants a newer client (%s): update segue", ae.Message)
	case 50:
		a.said = fmt.Sprintf("the server does not allow %s this (%s): ask its admin for the right, or use a user that has it", cmp.Or(c.user, "the API key's user"), ae.Message)
	case 60:
		a.said = fmt.Sprintf("the server's trial period is over (%s): its admin must license it", ae.Message)
	case 70:
		a.said, a.is = fmt.Sprintf("%v (%s)", ErrNotFound, ae.Message), ErrNotFound
	case 0, 30:
		a.said, a.is = fmt.Sprintf("%v (%s)", ErrUnsupported, ae.Message), ErrUnsupported
	}
	if a.said == "" {
		a.said = fmt.Sprintf("%s (Subsonic error %d)", ae.Message, ae.Code)
	}
	return fmt.Errorf("subsonic server %s: %s: %w", c.Server(), method, a)
}

// AnswerError is an error the server answered (a Subsonic error: status
// "failed"), said in one sentence of what it means and what to do. Error
// is that sentence as it reads after the client's step ("subsonic server
// H: METHOD: "); Sentence names the server, for a line of its own. It is
// ErrServer, and ErrUnauthorized (error 40-44), ErrNotFound (70) or
// ErrUnsupported (0, 30) by its code.
type AnswerError struct {
	Code int // the Subsonic error code
	said string
	is   error // the sentinel of its code, or nil
}

func (e *AnswerError) Error() string { return e.said }

// Sentence is Error with its subject "the server" named: "the Subsonic
// server does not allow ann this (…): ask its admin for the right, or use
// a user that has it".
func (e *AnswerError) Sentence() string {
	return strings.Replace(e.said, "the server", "the Subsonic server", 1)
}

func (e *AnswerError) Unwrap() []error {
	if e.is == nil {
		return []error{ErrServer}
	}
	return []error{e.is, ErrServer}
}

// netErr wraps a transport failure; a refused or unroutable connection is
// an *unreachableError (the player then plays what the cache holds).
func (c *Client) netErr(method string, err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return &unreachableError{server: c.Server(), method: method, err: err}
	}
	return fmt.Errorf("subsonic server %s: %s: %w", c.Server(), method, &serverError{err})
}

// unreachableError is a Subsonic server that could not be reached. It is
// catalog.ErrUnreachable and originclient.ErrOffline, as the origin's is,
// and ErrServer, and its sentence names the Subsonic server: it was "the origin is
// unreachable: not available offline" (catalog.ErrUnreachable's words),
// and a Subsonic user has no origin. It wraps the dial's error for the
// log's chain.
type unreachableError struct {
	server, method string
	err            error
}

func (e *unreachableError) Error() string {
	return fmt.Sprintf("subsonic server %s: %s: the Subsonic server is unreachable", e.server, e.method)
}

func (e *unreachableError) Unwrap() []error {
	return []error{catalog.ErrUnreachable, originclient.ErrOffline, ErrServer, e.err}
}

// cutShortError is an answer whose body broke off (the connection reset
// or closed mid-body, fewer bytes than its Content-Length). It was said as
// "subsonic server H: search3: unexpected EOF". It is
// catalog.ErrUnreachable, so a stored answer stands in, and ErrServer;
// its text is one sentence, without the Go words of err, which it wraps
// for the log's chain.
type cutShortError struct {
	server, method string
	got, want      int64 // bytes received, bytes announced (-1: none announced)
	err            error
}

func (e *cutShortError) Error() string {
	if e.want > 0 {
		return fmt.Sprintf("subsonic server %s: %s: its answer broke off after %d of the %d bytes it announced (the connection dropped, or a proxy between sends a wrong length)", e.server, e.method, e.got, e.want)
	}
	return fmt.Sprintf("subsonic server %s: %s: its answer broke off after %d bytes (the connection dropped, or a proxy between cut it)", e.server, e.method, e.got)
}

func (e *cutShortError) Unwrap() []error { return []error{catalog.ErrUnreachable, ErrServer, e.err} }

// readErr wraps a failed read of an answer's body: one cut short (the
// connection dropped, a proxy between) is a *cutShortError, so a stored
// answer stands in and the player plays what the cache holds; the caller
// giving up stays its own error.
func (c *Client) readErr(ctx context.Context, method string, resp *http.Response, got []byte, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("subsonic server %s: %s: %w", c.Server(), method, err)
	}
	return &cutShortError{server: c.Server(), method: method, got: int64(len(got)), want: resp.ContentLength, err: err}
}

// statusErr is an answer other than 200 (and, to a call, 404) as an
// *HTTPError.
func (c *Client) statusErr(method string, resp *http.Response) error {
	e := &HTTPError{Code: resp.StatusCode, Status: resp.Status}
	if e.busy() {
		e.retryAfter, _ = originclient.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return fmt.Errorf("subsonic server %s: %s: %w", c.Server(), method, e)
}

// notAudio says why method answered no bytes of a song or cover (a status
// other than 200, or a JSON or XML document): the server's own error in
// the body, else its status.
func (c *Client) notAudio(method string, resp *http.Response, body []byte) error {
	_, derr := decode(body, nil)
	var ae *apiError
	switch {
	case errors.As(derr, &ae) || derr != nil && resp.StatusCode == http.StatusOK:
		return c.answerErr(method, derr)
	case resp.StatusCode != http.StatusOK:
		return c.statusErr(method, resp)
	}
	return fmt.Errorf("subsonic server %s: %s: HTTP %s with no error", c.Server(), method, resp.Status)
}

// HTTPError is the server's answer other than 200, said as a sentence. A
// busy server (429, 503) or a failing one (5xx) is catalog.ErrUnreachable,
// as the origin's is: a stored answer stands in, the player plays what the
// cache holds and the fetch chain asks the next source; a busy server's
// Retry-After (seconds or a date) makes it a catalog.RetryLater, so the
// player waits as asked (at most its cap) before it moves on.
type HTTPError struct {
	Code       int    // HTTP status code
	Status     string // status line, e.g. "503 Service Unavailable"
	retryAfter time.Duration
}

var _ catalog.RetryLater = (*HTTPError)(nil)

// busy reports an answer that the server cannot serve now (429, 503).
func (e *HTTPError) busy() bool {
	return e.Code == http.StatusTooManyRequests || e.Code == http.StatusServiceUnavailable
}

// RetryAfter is the wait a busy answer asked for with Retry-After (0: none).
func (e *HTTPError) RetryAfter() time.Duration { return e.retryAfter }

// Unwrap is ErrServer, and catalog.ErrUnreachable for a busy or failing
// server.
func (e *HTTPError) Unwrap() []error {
	if e.Temporary() {
		return []error{catalog.ErrUnreachable, ErrServer}
	}
	return []error{ErrServer}
}

// Temporary reports an answer that asking again later may change: the
// server is busy (429, 503) or failing (5xx).
func (e *HTTPError) Temporary() bool { return e.busy() || e.Code/100 == 5 }

// Error says the answer after the client's "subsonic server H: METHOD: ".
func (e *HTTPError) Error() string { return e.say("the server") }

// Sentence says the answer on its own, as the interface's status line
// does: "the Subsonic server is busy (HTTP 503 Service Unavailable): try
// again in 5s".
func (e *HTTPError) Sentence() string { return e.say("the Subsonic server") }

// say is the answer in words, the server called server.
func (e *HTTPError) say(server string) string {
	switch {
	case e.busy() && e.retryAfter > 0:
		return fmt.Sprintf("%s is busy (HTTP %s): try again in %v", server, e.Status, e.retryAfter)
	case e.busy():
		return fmt.Sprintf("%s is busy (HTTP %s): try again later", server, e.Status)
	case e.Code == http.StatusBadGateway || e.Code == http.StatusGatewayTimeout:
		return fmt.Sprintf("the proxy in front of %s cannot reach it (HTTP %s): is %s running?", server, e.Status, server)
	case e.Code/100 == 5:
		return fmt.Sprintf("%s failed (HTTP %s); its log says why", server, e.Status)
	}
	return fmt.Sprintf("%s refused the request (HTTP %s): check the source's URL", server, e.Status)
}

// atLeast reports whether version (major.minor[.patch]) is at least
// major.minor.
func atLeast(version string, major, minor int) bool {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return ma > major || (ma == major && mi >= minor)
}

// cmpVersion returns the lower of the server's version and ours: a server
// may refuse a client newer than itself (error 30).
func cmpVersion(server, ours string) string {
	if server == "" {
		return ours
	}
	var a, b [3]int
	fmt.Sscanf(server, "%d.%d.%d", &a[0], &a[1], &a[2])
	fmt.Sscanf(ours, "%d.%d.%d", &b[0], &b[1], &b[2])
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return server
			}
			return ours
		}
	}
	return ours
}
