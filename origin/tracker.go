package origin

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"segue/catalog"
)

// DefaultPeerTTL is how long an announce stays live without a new one.
// Clients re-announce every third of it (net/peer.DefaultAnnounceEvery).
const DefaultPeerTTL = 90 * time.Second

// Tracker remembers which peers hold which tracks in full. Announces live
// in the catalog (tables peers and peer_tracks), so every replica serving
// one catalog answers lookups from the same announces: a peer announced to
// one replica is found through any other. Peers are kept apart by group
// (the token they announced with), so a lookup only returns peers of the
// asker's own group unless the origin allows otherwise, and a peer ID of
// one group never replaces another group's. It is safe for concurrent use.
type Tracker struct {
	db  *sql.DB
	ttl time.Duration
	now func() time.Time
}

// NewTracker returns the tracker over the catalog db, whose announces live
// ttl (default DefaultPeerTTL); now is the clock (default time.Now),
// replaceable in tests. Replicas' clocks are compared through the
// expiries they write, so they should agree to well within the TTL (NTP).
func NewTracker(db *sql.DB, ttl time.Duration, now func() time.Time) *Tracker {
	if ttl <= 0 {
		ttl = DefaultPeerTTL
	}
	if now == nil {
		now = time.Now
	}
	return &Tracker{db: db, ttl: ttl, now: now}
}

// peerTrackRows is how many tracks one INSERT writes (3 parameters each:
// well under SQLite's 32766 and PostgreSQL's 65535).
const peerTrackRows = 500

// Announce replaces what peer a.ID of group holds with a.Tracks, live for
// the TTL, and drops announces that expired. A re-announce of the same
// tracks (the usual case: every 30 s) only renews the expiry. a must have
// passed validAnnounce.
func (t *Tracker) Announce(ctx context.Context, group string, a catalog.PeerAnnounce) error {
	now := t.now()
	expires := now.Add(t.ttl).UnixMilli()
	tracks := slices.Compact(slices.Sorted(slices.Values(a.Tracks)))
	sum := sha256.Sum256([]byte(strings.Join(tracks, "\n")))
	digest := hex.EncodeToString(sum[:])
	res, err := t.db.ExecContext(ctx, `UPDATE peers SET addr = ?, expires = ? WHERE grp = ? AND id = ? AND tracks_sha = ?`,
		a.Addr, expires, group, a.ID, digest)
	if err != nil {
		return fmt.Errorf("renew peer %s: %w", a.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		err = catalogTx(ctx, t.db, func(tx *sql.Tx) error {
			// The peer's row first: a concurrent announce of the same peer
			// waits here (PostgreSQL's row lock) until this one commits.
			if _, err := tx.ExecContext(ctx, `INSERT INTO peers (grp, id, addr, expires, tracks_sha) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (grp, id) DO UPDATE SET addr = excluded.addr, expires = excluded.expires, tracks_sha = excluded.tracks_sha`,
				group, a.ID, a.Addr, expires, digest); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM peer_tracks WHERE grp = ? AND peer_id = ?`, group, a.ID); err != nil {
				return err
			}
			for chunk := range slices.Chunk(tracks, peerTrackRows) {
				args := make([]any, 0, 3*len(chunk))
				for _, tr := range chunk {
					args = append(args, group, a.ID, tr)
				}
				q := `INSERT INTO peer_tracks (grp, peer_id, track_id) VALUES ` + strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", len(chunk)), ", ")
				if _, err := tx.ExecContext(ctx, q, args...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("announce peer %s: %w", a.ID, err)
		}
	}
	// Expired announces go (their tracks with them: ON DELETE CASCADE);
	// lookups skip them meanwhile, so a failed sweep loses nothing.
	if _, err := t.db.ExecContext(ctx, `DELETE FROM peers WHERE expires <= ?`, now.UnixMilli()); err != nil {
		return fmt.Errorf("drop expired peers: %w", err)
	}
	return nil
}

// Peers returns up to catalog.MaxPeersListed live peers of group holding
// track, in random order (to spread the load), never the peer self; for
// an asker on another machine (remote), none listed at loopback.
func (t *Tracker) Peers(ctx context.Context, group, track, self string, remote bool) ([]catalog.Peer, error) {
	onLoopback := ""
	if remote {
		// listed at loopback: serving on the origin's loopback alone (see
		// seenFrom), which would take places of the 10 from those it can reach
		onLoopback = ` AND p.addr NOT LIKE '127.%' AND p.addr NOT LIKE '[::1]:%'`
	}
	rows, err := t.db.QueryContext(ctx, `SELECT p.id, p.addr FROM peer_tracks t
		JOIN peers p ON p.grp = t.grp AND p.id = t.peer_id
		WHERE t.grp = ? AND t.track_id = ? AND t.peer_id <> ? AND p.expires > ?`+onLoopback+`
		ORDER BY random() LIMIT ?`, group, track, self, t.now().UnixMilli(), catalog.MaxPeersListed)
	if err != nil {
		return nil, fmt.Errorf("look up peers of %s: %w", track, err)
	}
	defer rows.Close()
	out := []catalog.Peer{}
	for rows.Next() {
		var p catalog.Peer
		if err := rows.Scan(&p.ID, &p.Addr); err != nil {
			return nil, fmt.Errorf("look up peers of %s: %w", track, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("look up peers of %s: %w", track, err)
	}
	return out, nil
}

// TTL is how long an announce stays live.
func (t *Tracker) TTL() time.Duration { return t.ttl }

// errBadAnnounce is wrapped by validAnnounce's errors.
var errBadAnnounce = errors.New("bad announce")

// announceSource is where an announce came from, as validAnnounce judges
// the host it may list the peer at.
type announceSource struct {
	// addr is the client's address without a port, IPv4-mapped forms
	// unmapped: the connection's source, or the client a trusted proxy
	// named (see realClient). Invalid when unknown.
	addr netip.Addr
	// unknown says why addr is unknown and what to do, for the error.
	unknown string
	// local is set when addr is loopback and no proxy stood between: the
	// client runs on the origin's machine.
	local bool
	// own reports whether an address is one of this machine's; asked only
	// for a local client.
	own func(netip.Addr) bool
}

// announceSourceOf is where r came from.
func (s *Server) announceSourceOf(r *http.Request) announceSource {
	src := announceSource{addr: clientAddr(r.RemoteAddr), own: thisMachine}
	proxied := s.fromTrustedProxy(r)
	switch {
	case !src.addr.IsValid():
		src.unknown = fmt.Sprintf("the request's source %q is not an IP address and port", r.RemoteAddr)
	case proxied && s.trusted(src.addr):
		// realClient found no client in X-Forwarded-For: addr is the proxy's
		src.addr = netip.Addr{}
		src.unknown = "it came through a trusted proxy that did not name the client in X-Forwarded-For: have the proxy send it (nginx: proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for)"
	default:
		src.local = !proxied && src.addr.IsLoopback()
	}
	return src
}

// thisMachine reports whether a is loopback or an address of one of this
// machine's network interfaces.
func thisMachine(a netip.Addr) bool {
	a = a.Unmap().WithZone("")
	if a.IsLoopback() {
		return true
	}
	ifs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, ia := range ifs {
		if n, ok := ia.(*net.IPNet); ok {
			if b, ok := netip.AddrFromSlice(n.IP); ok && b.Unmap() == a {
				return true
			}
		}
	}
	return false
}

// validAnnounce checks an announce from outside and sets the host of
// a.Addr to src's: the peer is listed where its announce came from, as
// BitTorrent trackers do with the optional ip of BEP 3, so nobody can
// point a group's listeners at a host:port nobody verified. A host that
// differs from the source is ignored, not refused: a client behind NAT or
// with several addresses announces one the origin does not see, and its
// port is still right. Only a local client (on the origin's machine, not
// through a proxy) keeps the host it announced, when that host is an IP
// address of this machine: its LAN address for the other listeners, or
// loopback for a peer that serves on loopback alone; any other host of a
// local client is listed unspecified (0.0.0.0 or ::), for "this machine,
// at whichever address the asker reaches it" (see seenFrom). The error
// wraps errBadAnnounce; it says the source is unknown when src.addr is
// invalid.
func validAnnounce(a *catalog.PeerAnnounce, src announceSource) error {
	if !validID(a.ID, 64) {
		return fmt.Errorf("%w: id must be 1-64 letters, digits, - or _", errBadAnnounce)
	}
	host, port, err := net.SplitHostPort(a.Addr)
	n, perr := strconv.Atoi(port)
	if err != nil || perr != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%w: addr %q: want host:port of the peer endpoint", errBadAnnounce, a.Addr)
	}
	if !src.addr.IsValid() {
		return fmt.Errorf("%w: the origin cannot tell which host peers reach this one at, since %s", errBadAnnounce, src.unknown)
	}
	listed := src.addr.Unmap()
	if src.local {
		// Kept apart, a peer serving on every address (an unspecified
		// host) and one serving on loopback alone: seenFrom gives the
		// first to other machines at the address they reach the origin
		// at, and the second to none of them, who cannot reach it.
		ip, err := netip.ParseAddr(host)
		switch {
		case err == nil && !ip.IsUnspecified() && src.own(ip):
			listed = ip.Unmap()
		case listed.Is4():
			listed = netip.IPv4Unspecified()
		default:
			listed = netip.IPv6Unspecified()
		}
	}
	a.Addr = net.JoinHostPort(listed.String(), strconv.Itoa(n))
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
	src := s.announceSourceOf(r)
	if err := validAnnounce(&a, src); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := s.tracker.Announce(r.Context(), s.peerGroup(r), a); err != nil {
		s.internal(w, r, err)
		return
	}
	// the reply names the address the announcer itself is given at, so
	// that a peer on the origin's machine hears 127.0.0.1:PORT as before
	listed := a.Addr
	if seen := seenFrom([]catalog.Peer{{Addr: a.Addr}}, src, localAddr(r)); len(seen) == 1 {
		listed = seen[0].Addr
	}
	s.serveJSON(w, r, catalog.PeerAnnounceReply{TTLSeconds: int(s.tracker.TTL() / time.Second), Addr: listed})
}

// handlePeers serves GET /api/v1/peers?track=ID[&self=PEER_ID].
func (s *Server) handlePeers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	track := q.Get("track")
	if !validID(track, 128) {
		writeError(w, http.StatusBadRequest, "missing or malformed track: add ?track=ID")
		return
	}
	asker := s.announceSourceOf(r)
	peers, err := s.tracker.Peers(r.Context(), s.peerGroup(r), track, q.Get("self"), !asker.local)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.serveJSON(w, r, catalog.PeerList{Peers: seenFrom(peers, asker, localAddr(r))})
}

// localAddr is the address r reached the origin at (the connection's local
// end), invalid when unknown.
func localAddr(r *http.Request) netip.Addr {
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		return clientAddr(a.String())
	}
	return netip.Addr{}
}

// seenFrom makes the peers listed on the origin's machine (see
// validAnnounce) reachable by the asker, who reached the origin at here.
// One listed unspecified (serving on 0.0.0.0:PORT, say) is given at here
// to an asker on another machine, and at loopback to one on this machine
// or when here is loopback or unknown. One listed at loopback serves on
// loopback alone: an asker on this machine gets it as it is, one on
// another machine does not get it (given at here, as it was, it sent
// another machine's swarm to an address where nothing of it serves; the
// peer says so to its own user, see cli's announceNotices). Listed at
// loopback as they were announced, the first sort sent another machine's
// swarm to its own loopback.
func seenFrom(peers []catalog.Peer, asker announceSource, here netip.Addr) []catalog.Peer {
	remote := !asker.local && here.IsValid() && !here.IsLoopback() && !here.IsUnspecified()
	out := peers[:0]
	for _, p := range peers {
		host, port, err := net.SplitHostPort(p.Addr)
		ip, perr := netip.ParseAddr(host)
		switch {
		case err != nil || perr != nil:
		case ip.IsUnspecified() && remote:
			p.Addr = net.JoinHostPort(here.String(), port)
		case ip.IsUnspecified() && ip.Is4():
			p.Addr = net.JoinHostPort("127.0.0.1", port)
		case ip.IsUnspecified():
			p.Addr = net.JoinHostPort("::1", port)
		case ip.Unmap().IsLoopback() && !asker.local:
			continue // serving on loopback alone: not from another machine
		}
		out = append(out, p)
	}
	return out
}
