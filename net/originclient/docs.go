package originclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	"segue/cache"
	"segue/catalog"
	"segue/net/stale"
)

// deafWait bounds a document without a stored copy when the origin is
// deaf: once it has been asked this long (there is no other way to it)
// and the origin is deaf then or later, it is not available offline, as
// with an origin that is down. An interface started with a stopped origin
// waited 15 s for the artists (asked at start, before anything made the
// origin deaf) before it showed what is pinned.
const deafWait = 5 * time.Second

// errDeaf ends a request for a document without a stored copy (deafWait).
// It is a timeout (net.Error), so that it is said as one, with the host.
var errDeaf error = deafError{}

type deafError struct{}

func (deafError) Error() string   { return fmt.Sprintf("it did not answer within %v", deafWait) }
func (deafError) Timeout() bool   { return true }
func (deafError) Temporary() bool { return true }

// doc returns the document at URL u: revalidated with its stored ETag when
// there is one, stored again when it changed, and taken from Docs when the
// origin cannot be reached. Only bodies that pass check (they decode) are
// stored or served: a stored copy that fails it is neither revalidated (a
// 304 cannot revive it) nor served offline, and a 200 whose body fails it
// (an HTML page or a truncated body from a broken proxy) is not stored;
// a good stored copy answers instead, as when the origin is down.
//
// With a good stored copy the origin is asked for at most stale.Wait
// (none at all while it is deaf); past it the stored copy answers and the
// request goes on without the caller, storing the origin's answer when it
// comes (stale.First), until Close. Without one, a deaf origin is asked
// for at most deafWait (askUnstored).
func (c *Client) doc(ctx context.Context, u string, check func([]byte) error) (cache.Doc, error) {
	cached, have := c.stored(u)
	if have && check(cached.Body) != nil {
		have = false
	}
	if !have {
		return c.askUnstored(ctx, u, check)
	}
	d, err := stale.First(c.fresh, ctx, cached, func(ctx context.Context) (cache.Doc, error) {
		return c.ask(ctx, u, cached, true, check)
	})
	if err != nil && ctx.Err() != nil {
		return cache.Doc{}, asked(fmt.Errorf("get %s: %w", u, ctx.Err()))
	}
	return d, err
}

// askUnstored asks for a document without a stored copy, ending the
// request once it has run deafWait while the origin is deaf (checked then,
// and each second after: only a request that slow has a timer running),
// or has not begun to answer it: a command run with the origin stopped
// (segue search of words never searched) knew of no deafness and waited
// out the 15 s answer timeout. An answer that has begun (a large body on a
// slow link) goes on.
func (c *Client) askUnstored(ctx context.Context, u string, check func([]byte) error) (cache.Doc, error) {
	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var answering atomic.Bool
	rctx = httptrace.WithClientTrace(rctx, &httptrace.ClientTrace{GotFirstResponseByte: func() { answering.Store(true) }})
	var t *time.Timer
	t = time.AfterFunc(deafWait, func() {
		if c.fresh.Deaf() || !answering.Load() {
			cancel(errDeaf)
			return
		}
		t.Reset(time.Second)
	})
	defer t.Stop()
	d, err := c.ask(rctx, u, cache.Doc{}, false, check)
	if err != nil && ctx.Err() != nil {
		// the caller's time ran out too: its own error, whichever came first
		return cache.Doc{}, asked(fmt.Errorf("get %s: %w", u, ctx.Err()))
	}
	if err != nil && context.Cause(rctx) == errDeaf {
		return c.offline(u, cache.Doc{}, false, &url.Error{Op: http.MethodGet, URL: u, Err: errDeaf})
	}
	return d, err
}

// docTries is how many times a document whose answer broke off mid-body
// is asked for (a GET: safe to send again): a reset or closed connection,
// a body short of its Content-Length, or one that sent nothing for
// bodyIdle. One dropped connection failed the track whose manifest it
// carried ("could not be played", the origin being there all along), and
// a body that stalled held it for as long as the stall lasted (20 s in
// TestDocumentAnswerBrokenOffIsAskedAgain), up to the client's 2 minutes.
const docTries = 3

// bodyIdle is how long a document's body may send nothing once it has
// begun before the answer counts as broken off (errBodyStalled): a
// document is small, and a slow link still brings its bytes steadily.
const bodyIdle = 5 * time.Second

// errBodyStalled is a CutShortError's Err for a body that sent nothing
// for bodyIdle.
var errBodyStalled = fmt.Errorf("nothing came for %v", bodyIdle)

// ask sends the request for u (revalidating cached when have) and reads
// the answer, as doc says, asking again (docTries) when it broke off.
func (c *Client) ask(ctx context.Context, u string, cached cache.Doc, have bool, check func([]byte) error) (cache.Doc, error) {
	for try := 1; ; try++ {
		d, err := c.askOnce(ctx, u, cached, have, check)
		if !errors.As(err, new(*CutShortError)) || try == docTries || ctx.Err() != nil {
			return d, err
		}
	}
}

// askOnce is one request of ask. An answer that broke off with no stored
// copy to stand in is an error wrapping a *CutShortError, which ask tries
// again.
func (c *Client) askOnce(ctx context.Context, u string, cached cache.Doc, have bool, check func([]byte) error) (cache.Doc, error) {
	etag := ""
	if have {
		etag = cached.ETag
	}
	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	resp, err := c.do(rctx, u, etag)
	if err != nil {
		if ctx.Err() != nil { // the caller gave up; the origin is not at fault
			return cache.Doc{}, asked(fmt.Errorf("get %s: %w", u, ctx.Err()))
		}
		if Untrusted(err) { // a setting to fix, not an outage to ride out
			return cache.Doc{}, asked(fmt.Errorf("get %s: %w", u, err))
		}
		return c.offline(u, cached, have, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified && have:
		return cached, nil
	case resp.StatusCode == http.StatusOK:
		idle := time.AfterFunc(bodyIdle, func() { cancel(errBodyStalled) })
		defer idle.Stop()
		body, err := readBody(ctx, resp, progressReader{resp.Body, func(int) { idle.Reset(bodyIdle) }}, maxDocBytes)
		var cut *CutShortError
		if errors.As(err, &cut) && context.Cause(rctx) == errBodyStalled {
			cut.Err = errBodyStalled
		}
		var tooLarge *tooLargeError
		if errors.As(err, &tooLarge) && !have {
			// an answer, not an outage: nothing is read past the limit
			return cache.Doc{}, asked(fmt.Errorf("get %s: %w (%s, %v)", u, ErrBadAnswer, resp.Header.Get("Content-Type"), err))
		}
		if err != nil {
			if ctx.Err() == nil {
				// a body cut short is said so (CutShortError), not "is it
				// running?"; the stored copy answers, and it is not stored
				return c.offline(u, cached, have, err)
			}
			return cache.Doc{}, asked(fmt.Errorf("get %s: %w", u, err))
		}
		if err := check(body); err != nil {
			if have {
				return cached, nil
			}
			if errors.Is(err, ErrNotAPI) {
				return cache.Doc{}, asked(fmt.Errorf("get %s: %w (%s, %d bytes)", u, err, resp.Header.Get("Content-Type"), len(body)))
			}
			return cache.Doc{}, asked(fmt.Errorf("get %s: %w (%s, %d bytes: %v)", u, ErrBadAnswer, resp.Header.Get("Content-Type"), len(body), err))
		}
		d := cache.Doc{Body: body, ETag: resp.Header.Get("ETag"), ContentType: resp.Header.Get("Content-Type"), Stored: time.Now()}
		if c.docs != nil {
			// The document is good even when storing it fails (disk full):
			// only offline use suffers, so the error is not the caller's.
			_ = c.docs.PutDoc(u, d)
		}
		return d, nil
	}
	se := statusError(resp)
	if se.outOfService() {
		return c.offline(u, cached, have, se)
	}
	return cache.Doc{}, asked(fmt.Errorf("get %s: %w", u, se))
}

// decodesAs returns a check that the body decodes as JSON into a fresh
// value of v's type (v is a pointer); JSON of another shape is ErrNotAPI.
func decodesAs(v any) func([]byte) error {
	t := reflect.TypeOf(v).Elem()
	return func(b []byte) error {
		v := reflect.New(t).Interface()
		err := json.Unmarshal(b, v)
		if errors.As(err, new(*json.UnmarshalTypeError)) { // JSON, of another shape
			return fmt.Errorf("%w: %v", ErrNotAPI, err)
		}
		if err != nil {
			return err
		}
		return checkShape(b, v)
	}
}

// isImage checks that a body is an image by its first bytes.
func isImage(b []byte) error {
	if ct := http.DetectContentType(b); !strings.HasPrefix(ct, "image/") {
		return fmt.Errorf("not an image but %s", ct)
	}
	return nil
}

// stored returns the document kept for u, if any. A broken store counts as
// a miss: it only costs a download.
func (c *Client) stored(u string) (cache.Doc, bool) {
	if c.docs == nil {
		return cache.Doc{}, false
	}
	d, err := c.docs.GetDoc(u)
	if err != nil {
		return cache.Doc{}, false
	}
	return d, true
}

// offline answers for an unreachable origin: the stored copy, or ErrOffline
// (with catalog.ErrUnreachable, as the Subsonic client's, so the player
// tells a track the origin was not there for from a broken one).
func (c *Client) offline(u string, cached cache.Doc, have bool, cause error) (cache.Doc, error) {
	if have {
		c.fresh.StoodIn(cause)
		return cached, nil
	}
	return cache.Doc{}, asked(fmt.Errorf("get %s: %w (%w: %w)", u, ErrOffline, catalog.ErrUnreachable, cause))
}

// Unanswered returns why a stored answer last stood in for the origin's
// (the network error, or stale.ErrSlow), or nil when every answer was
// its own.
func (c *Client) Unanswered() error { return c.fresh.Unanswered() }

// StandIns returns how many stored answers stood in for the origin's so
// far (stale.Group.StandIns).
func (c *Client) StandIns() uint64 { return c.fresh.StandIns() }
