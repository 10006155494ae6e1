package subsonic

import (
	"context"

	"segue/net/stale"
)

// storedFirst answers a call that has a stored answer as the origin client
// answers a document with a stored copy (stale.First): a server that takes
// connections but does not answer (a stopped process, a hung proxy) had
// every listing and cover of a pinned album wait out the 15 s answer
// timeout, then fail: only a refused connection let the stored answer
// through. A call that succeeds marks the server heard.
func storedFirst[T any](c *Client, ctx context.Context, stored T, ask func(context.Context) (T, error)) (T, error) {
	return stale.First(c.fresh, ctx, stored, func(ctx context.Context) (T, error) {
		v, err := ask(ctx)
		if err == nil {
			c.fresh.Heard()
		}
		return v, err
	})
}

// Unanswered returns why a stored answer last stood in for the Subsonic server's
// (the network error, or stale.ErrSlow), or nil when every answer was
// its own.
func (c *Client) Unanswered() error { return c.fresh.Unanswered() }

// StandIns returns how many stored answers stood in for the server's so
// far (stale.Group.StandIns).
func (c *Client) StandIns() uint64 { return c.fresh.StandIns() }
