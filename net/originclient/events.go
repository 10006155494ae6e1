package originclient

import (
	"context"
	"net/http"

	"segue/catalog"
)

// PostEvents sends play events to the origin, which stores them for the
// token's owner and ignores IDs it already has.
func (c *Client) PostEvents(ctx context.Context, evs []catalog.PlayEvent) error {
	return c.send(ctx, http.MethodPost, c.url(nil, "api", "v1", "events"), evs, nil)
}
