package origin

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"segue/catalog"
)

// DefaultPeerTTL is how long an announce stays live without a new one.
// Clients re-announce every third of it (net/peer.DefaultAnnounceEvery).
const DefaultPeerTTL = 90 * time.Second

// Tracker remembers which peers hold which tracks in full, in memory only:
// after a restart clients re-announce within one interval. Peers are kept
// apart by group (the token they announced with), so a lookup only returns
// peers of the asker's own group unless the origin allows otherwise. It is
// safe for concurrent use.
type Tracker struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex              // guards peers and byTrack
	peers   map[string]*trackedPeer // by peer ID
	byTrack map[string]map[string]struct{}
}

type trackedPeer struct {
	catalog.Peer
	group   string
	tracks  []string
	expires time.Time
}

// NewTracker returns an empty tracker whose announces live ttl (default
// DefaultPeerTTL); now is the clock (default time.Now), replaceable in tests.
func NewTracker(ttl time.Duration, now func() time.Time) *Tracker {
	if ttl <= 0 {
		ttl = DefaultPeerTTL
	}
	if now == nil {
		now = time.Now
	}
	return &Tracker{ttl: ttl, now: now, peers: map[string]*trackedPeer{}, byTrack: map[string]map[string]struct{}{}}
}

// Announce replaces what peer a.ID holds with a.Tracks, live for the TTL.
// a must have passed validAnnounce.
func (t *Tracker) Announce(group string, a catalog.PeerAnnounce) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.dropLocked(a.ID)
	for id, p := range t.peers { // sweep: announces are rare next to lookups
		if now.After(p.expires) {
			t.dropLocked(id)
		}
	}
	p := &trackedPeer{Peer: catalog.Peer{ID: a.ID, Addr: a.Addr}, group: group, tracks: a.Tracks, expires: now.Add(t.ttl)}
	t.peers[a.ID] = p
	for _, tr := range a.Tracks {
		set := t.byTrack[tr]
		if set == nil {
			set = map[string]struct{}{}
			t.byTrack[tr] = set
		}
		set[a.ID] = struct{}{}
	}
}

func (t *Tracker) dropLocked(id string) {
	p := t.peers[id]
	if p == nil {
		return
	}
	for _, tr := range p.tracks {
		delete(t.byTrack[tr], id)
		if len(t.byTrack[tr]) == 0 {
			delete(t.byTrack, tr)
		}
	}
	delete(t.peers, id)
}

// Peers returns up to catalog.MaxPeersListed live peers of group holding
// track, in random order (to spread the load), never the peer self.
func (t *Tracker) Peers(group, track, self string) []catalog.Peer {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	out := []catalog.Peer{}
	for id := range t.byTrack[track] {
		p := t.peers[id]
		if id == self || p.group != group || now.After(p.expires) {
			continue
		}
		out = append(out, p.Peer)
	}
	rand.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out[:min(len(out), catalog.MaxPeersListed)]
}

// TTL is how long an announce stays live.
func (t *Tracker) TTL() time.Duration { return t.ttl }

// errBadAnnounce is wrapped by validAnnounce's errors.
var errBadAnnounce = errors.New("bad announce")

// validAnnounce checks an announce from outside and fills an unspecified
// host in Addr from remote (the request's source host:port).
func validAnnounce(a *catalog.PeerAnnounce, remote string) error {
	if !validID(a.ID, 64) {
		return fmt.Errorf("%w: id must be 1-64 letters, digits, - or _", errBadAnnounce)
	}
	host, port, err := net.SplitHostPort(a.Addr)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%w: addr %q: want host:port of the peer endpoint", errBadAnnounce, a.Addr)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		rh, _, err := net.SplitHostPort(remote)
		if err != nil {
			return fmt.Errorf("%w: addr %q has no host and the request's source is unknown", errBadAnnounce, a.Addr)
		}
		a.Addr = net.JoinHostPort(rh, port)
	}
	if len(a.Tracks) > catalog.MaxAnnouncedTracks {
		return fmt.Errorf("%w: %d tracks, at most %d per announce", errBadAnnounce, len(a.Tracks), catalog.MaxAnnouncedTracks)
	}
	for _, tr := range a.Tracks {
		if !validID(tr, 128) {
			return fmt.Errorf("%w: track %q is not an ID", errBadAnnounce, tr)
		}
	}
	return nil
}

// peerGroup is the tracker group of r's principal: its token (an owner or a
// share link), or one group for everyone when the origin allows peers
// across tokens.
func (s *Server) peerGroup(r *http.Request) string {
	if s.opts.PeersAcrossTokens {
		return ""
	}
	p := s.principalOf(r)
	if p.owner != "" {
		return "owner:" + p.owner
	}
	return "share:" + p.share
}

// handleAnnounce serves POST /api/v1/peers/announce.
func (s *Server) handleAnnounce(w http.ResponseWriter, r *http.Request) {
	var a catalog.PeerAnnounce
	if !readBody(w, r, &a) {
		return
	}
	if err := validAnnounce(&a, r.RemoteAddr); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	s.tracker.Announce(s.peerGroup(r), a)
	s.serveJSON(w, r, catalog.PeerAnnounceReply{TTLSeconds: int(s.tracker.TTL() / time.Second)})
}

// handlePeers serves GET /api/v1/peers?track=ID[&self=PEER_ID].
func (s *Server) handlePeers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	track := q.Get("track")
	if !validID(track, 128) {
		writeError(w, http.StatusBadRequest, "missing or malformed track: add ?track=ID")
		return
	}
	s.serveJSON(w, r, catalog.PeerList{Peers: s.tracker.Peers(s.peerGroup(r), track, q.Get("self"))})
}
