package originclient

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"segue/cache"
)

// doc returns the document at URL u: revalidated with its stored ETag when
// there is one, stored again when it changed, and taken from Docs when the
// origin cannot be reached.
func (c *Client) doc(ctx context.Context, u string) (cache.Doc, error) {
	cached, have := c.stored(u)
	etag := ""
	if have {
		etag = cached.ETag
	}
	resp, err := c.do(ctx, u, etag)
	if err != nil {
		if ctx.Err() != nil { // the caller gave up; the origin is not at fault
			return cache.Doc{}, fmt.Errorf("get %s: %w", u, ctx.Err())
		}
		return c.offline(u, cached, have, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified && have:
		return cached, nil
	case resp.StatusCode == http.StatusOK:
		body, err := readLimited(resp.Body, maxDocBytes)
		if err != nil {
			if ctx.Err() == nil {
				return c.offline(u, cached, have, err)
			}
			return cache.Doc{}, fmt.Errorf("get %s: %w", u, err)
		}
		d := cache.Doc{Body: body, ETag: resp.Header.Get("ETag"), ContentType: resp.Header.Get("Content-Type"), Stored: time.Now()}
		if c.docs != nil {
			// The document is good even when storing it fails (disk full):
			// only offline use suffers, so the error is not the caller's.
			_ = c.docs.PutDoc(u, d)
		}
		return d, nil
	case resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusServiceUnavailable ||
		resp.StatusCode == http.StatusGatewayTimeout:
		// A proxy or CDN in front of an origin that is down.
		return c.offline(u, cached, have, statusError(resp))
	}
	return cache.Doc{}, fmt.Errorf("get %s: %w", u, statusError(resp))
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

// offline answers for an unreachable origin: the stored copy, or ErrOffline.
func (c *Client) offline(u string, cached cache.Doc, have bool, cause error) (cache.Doc, error) {
	if have {
		return cached, nil
	}
	return cache.Doc{}, fmt.Errorf("get %s: %w (the origin is unreachable: %w)", u, ErrOffline, cause)
}
