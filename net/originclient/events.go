package originclient

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"segue/catalog"
)

// PostEvents sends play events to the origin, which stores them for the
// token's owner and ignores IDs it already has.
func (c *Client) PostEvents(ctx context.Context, evs []catalog.PlayEvent) error {
	return c.send(ctx, http.MethodPost, c.url(nil, "api", "v1", "events"), evs, nil)
}

// Radio returns up to limit tracks to play after seed (a track, album,
// artist or playlist ID), leaving out what the token's owner played lately.
func (c *Client) Radio(ctx context.Context, seed string, limit int) ([]catalog.Track, error) {
	var ts []catalog.Track
	err := c.getJSON(ctx, c.url(url.Values{"seed": {seed}, "limit": {strconv.Itoa(limit)}}, "api", "v1", "radio"), &ts)
	return ts, err
}

// Similar returns up to limit tracks most like track id.
func (c *Client) Similar(ctx context.Context, id string, limit int) ([]catalog.Track, error) {
	var ts []catalog.Track
	err := c.getJSON(ctx, c.url(url.Values{"limit": {strconv.Itoa(limit)}}, "api", "v1", "tracks", id, "similar"), &ts)
	return ts, err
}
