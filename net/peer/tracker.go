package peer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"

	"segue/catalog"
)

// TrackerClient is the origin's tracker as the peer layer uses it;
// *originclient.Client satisfies it.
type TrackerClient interface {
	AnnouncePeer(ctx context.Context, a catalog.PeerAnnounce) (catalog.PeerAnnounceReply, error)
	Peers(ctx context.Context, trackID, self string) ([]catalog.Peer, error)
}

// NewID returns a random peer ID for one process's announces.
func NewID() string {
	var b [8]byte
	rand.Read(b[:])
	return "p" + hex.EncodeToString(b[:])
}

// DefaultLookupTTL is how long a tracker's answer for one track is reused.
const DefaultLookupTTL = 10 * time.Second

// LookupWait bounds one lookup at the tracker. A lookup is one indexed
// query at the origin; one slower than this is an origin overloaded or out
// of reach (a home's internet link down while its LAN is up), and the
// segment waiting on it has the LAN's peers and the origin still to try.
const LookupWait = time.Second

// Tracker finds peers through the origin's tracker (a Discovery). Answers
// are reused for TTL per track, so a track's segments cost one lookup, and
// while the tracker does not answer, for up to StaleLookup.
type Tracker struct {
	client TrackerClient
	self   string
	ttl    time.Duration
	now    func() time.Time
	origin string // the origin's URL, for the zone of link-local peers (ZonesToward)

	mu      sync.Mutex // guards answers
	answers map[string]lookup
}

type lookup struct {
	addrs []string
	at    time.Time // when it was last taken for an answer
	got   time.Time // when the tracker gave it
}

// StaleLookup is how long a tracker's answer for a track stands in for the
// tracker while the tracker does not answer (the origin restarting, or
// away): the peers it named may still be there, each one asked is verified
// byte by byte, and one gone costs a refused connection and a cooling.
const StaleLookup = 5 * time.Minute

// NewTracker returns a Discovery over client that leaves the peer self
// out; ttl <= 0 takes DefaultLookupTTL, now nil takes time.Now.
func NewTracker(client TrackerClient, self string, ttl time.Duration, now func() time.Time) *Tracker {
	if ttl <= 0 {
		ttl = DefaultLookupTTL
	}
	if now == nil {
		now = time.Now
	}
	return &Tracker{client: client, self: self, ttl: ttl, now: now, answers: map[string]lookup{}}
}

// ZonesToward makes t dial a link-local peer (fe80::/10) on this machine's
// network interface toward the origin at originURL (see zoneToward), not on
// the interface of the origin's machine that its tracker names, and
// returns t. Call it before the first Peers.
func (t *Tracker) ZonesToward(originURL string) *Tracker {
	t.origin = originURL
	return t
}

// Peers returns the addresses of live peers holding trackID.
func (t *Tracker) Peers(ctx context.Context, trackID string) ([]string, error) {
	now := t.now()
	t.mu.Lock()
	l, ok := t.answers[trackID]
	t.mu.Unlock()
	if ok && now.Sub(l.at) < t.ttl {
		return l.addrs, nil
	}
	lctx, cancel := context.WithTimeout(ctx, LookupWait)
	peers, err := t.client.Peers(lctx, trackID, t.self)
	cancel()
	if err != nil {
		if ok && now.Sub(l.got) < StaleLookup {
			// The tracker is away: its last answer stands in, asked again
			// after TTL. Without it a tracker restart left a listener with
			// no peers 10 s in, while the peers that held the track played on.
			t.mu.Lock()
			t.answers[trackID] = lookup{l.addrs, now, l.got}
			t.mu.Unlock()
			return l.addrs, nil
		}
		return nil, err
	}
	addrs := make([]string, len(peers))
	zone, zoned := "", false
	for i, p := range peers {
		addrs[i] = p.Addr
		if linkLocal(p.Addr) && t.origin != "" {
			if !zoned {
				zone, zoned = zoneToward(ctx, t.origin), true
			}
			addrs[i] = withZone(p.Addr, zone)
		}
	}
	t.mu.Lock()
	t.answers[trackID] = lookup{addrs, now, now}
	t.mu.Unlock()
	return addrs, nil
}

// DefaultAnnounceEvery is how often a peer re-announces: a third of the
// tracker's TTL (origin.DefaultPeerTTL, 90 s), so one lost announce does
// not drop it.
const DefaultAnnounceEvery = 30 * time.Second

// AnnouncerOptions configure an Announcer.
type AnnouncerOptions struct {
	Client TrackerClient
	ID     string // this process's peer ID
	Addr   string // host:port of this process's peer endpoint
	// Holdings returns the track IDs held in full, each segment in some
	// rendition (Swarm.FullTracks).
	Holdings func() []string
	// Every is the re-announce interval (default DefaultAnnounceEvery).
	Every  time.Duration
	Logger *slog.Logger // default slog.Default()
}

// Announcer tells the tracker what this peer holds, at Run's start, every
// Every, and soon after Kick.
type Announcer struct {
	opts AnnouncerOptions
	kick chan struct{}
}

// NewAnnouncer returns an Announcer; Run starts it.
func NewAnnouncer(o AnnouncerOptions) *Announcer {
	if o.Every <= 0 {
		o.Every = DefaultAnnounceEvery
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Announcer{opts: o, kick: make(chan struct{}, 1)}
}

// Kick asks for an announce now (a track was completed); it never blocks.
func (a *Announcer) Kick() {
	select {
	case a.kick <- struct{}{}:
	default:
	}
}

// Announce sends one announce now.
func (a *Announcer) Announce(ctx context.Context) error {
	tracks := a.opts.Holdings()
	if tracks == nil {
		tracks = []string{}
	}
	if len(tracks) > catalog.MaxAnnouncedTracks {
		tracks = tracks[:catalog.MaxAnnouncedTracks]
	}
	_, err := a.opts.Client.AnnouncePeer(ctx, catalog.PeerAnnounce{ID: a.opts.ID, Addr: a.opts.Addr, Tracks: tracks})
	return err
}

// Run announces until ctx ends. Failures are logged and retried at the
// next interval: the tracker is optional.
func (a *Announcer) Run(ctx context.Context) {
	t := time.NewTicker(a.opts.Every)
	defer t.Stop()
	for {
		actx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if err := a.Announce(actx); err != nil && ctx.Err() == nil {
			a.opts.Logger.Warn("peer announce failed; retrying later", "err", err)
		}
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-a.kick:
		}
	}
}
