package originclient

import (
	"context"
	"net/url"

	"segue/catalog"
)

// AnnouncePeer tells the origin's tracker which tracks the peer a.ID holds
// in full (each segment in some rendition) at a.Addr; it replaces the previous announce and lives for the
// returned TTL. The tracker lists the peer at a.Addr's port on the host it
// sees the request come from (see catalog.PeerAnnounce.Addr). Never
// answered from Docs.
func (c *Client) AnnouncePeer(ctx context.Context, a catalog.PeerAnnounce) (catalog.PeerAnnounceReply, error) {
	var reply catalog.PeerAnnounceReply
	err := c.send(ctx, "POST", c.url(nil, "api", "v1", "peers", "announce"), a, &reply)
	return reply, err
}

// Peers asks the tracker for up to catalog.MaxPeersListed live peers holding
// trackID, leaving out the peer self (the asker's own announce ID). Never
// answered from Docs: peers come and go.
func (c *Client) Peers(ctx context.Context, trackID, self string) ([]catalog.Peer, error) {
	var list catalog.PeerList
	q := url.Values{"track": {trackID}}
	if self != "" {
		q.Set("self", self)
	}
	err := c.send(ctx, "GET", c.url(q, "api", "v1", "peers"), nil, &list)
	return list.Peers, err
}
