package catalog

// Tracker wire types (POST /api/v1/peers/announce, GET /api/v1/peers).

// MaxAnnouncedTracks bounds one announce, so a client cannot make the
// tracker hold an unbounded set.
const MaxAnnouncedTracks = 10000

// MaxPeersListed is how many peers GET /api/v1/peers returns at most.
const MaxPeersListed = 10

// PeerAnnounce is the body of POST /api/v1/peers/announce: one client's peer
// endpoint and the tracks whose segments it holds in full. Each announce
// replaces the client's previous one; it expires unless re-announced.
type PeerAnnounce struct {
	// ID names the announcing process (random per run), so that the tracker
	// can leave the asker out of its own lookups. 1-64 of [A-Za-z0-9_-].
	ID string `json:"id"`
	// Addr is host:port of its peer endpoint. The tracker lists the peer
	// at the port given and the host the request came from (its source
	// address, or the client a trusted proxy names in X-Forwarded-For),
	// whatever host is given: another host is ignored, not refused, as
	// BitTorrent trackers ignore BEP 3's optional ip. Only a client on the
	// origin's machine (a loopback source, no proxy) is listed at the host
	// it gives, when that is an IP address of the machine (its LAN
	// address). The host may be empty or unspecified (":7701",
	// "0.0.0.0:7701").
	Addr string `json:"addr"`
	// Tracks are track IDs held in full (every segment of a rendition).
	Tracks []string `json:"tracks"`
}

// PeerAnnounceReply tells the client how long its announce stays live and
// where the tracker lists it.
type PeerAnnounceReply struct {
	TTLSeconds int `json:"ttl_s"`
	// Addr is host:port the tracker gives other peers for this one (see
	// PeerAnnounce.Addr): the request's source host unless the client is
	// on the origin's machine. Empty from an origin older than the field.
	Addr string `json:"addr,omitempty"`
}

// Peer is one live peer a tracker knows.
type Peer struct {
	ID string `json:"id"`
	// Addr is host:port of its endpoint as the asker should dial it: a peer
	// on the origin's machine listed on loopback is given to an asker on
	// another machine at the address that asker reached the origin at.
	Addr string `json:"addr"`
}

// PeerList is the answer of GET /api/v1/peers?track=ID: up to
// MaxPeersListed live peers holding the track, never the asker.
type PeerList struct {
	Peers []Peer `json:"peers"`
}
