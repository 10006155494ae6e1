package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"segue/cache"
	"segue/catalog"
	"segue/config"
	"segue/net/fetch"
	"segue/net/peer"
	"segue/player"
)

// peerFlags are the global peer flags, applied over [peer] by load.
type peerFlags struct {
	enabled, lan bool
	listen       string
}

func addPeerFlags(pf *pflag.FlagSet, f *peerFlags) {
	pf.BoolVar(&f.enabled, "peer", false, "share the cache with peers and ask them before the origin (config [peer] enabled)")
	pf.StringVar(&f.listen, "peer-listen", "", "peer endpoint `HOST:PORT` (default: a free port on a private LAN address; config [peer] listen)")
	pf.BoolVar(&f.lan, "peer-lan", false, "also find peers on the LAN with multicast DNS (config [peer] lan)")
}

// apply overlays the flags the user set on cfg.
func (f *peerFlags) apply(flags *pflag.FlagSet, cfg *config.PeerConfig) {
	if flags.Changed("peer") {
		cfg.Enabled = f.enabled
	}
	if flags.Changed("peer-listen") {
		cfg.Listen = f.listen
	}
	if flags.Changed("peer-lan") {
		cfg.LAN = f.lan
	}
}

// peerNode is this process's part in the swarm: the peer endpoint serving
// the cache, the swarm as a fetch tier, the tracker announcer and (with
// [peer] lan) mDNS. Close stops everything it started and waits for it.
type peerNode struct {
	swarm *peer.Swarm
	gauge *peer.Gauge
	ann   *peer.Announcer
	lan   *peer.LAN
	id    string
	addr  string

	cancel context.CancelFunc
	wg     sync.WaitGroup // the endpoint and the announcer
}

// startPeer starts the peer side over cache c with tracker as the origin's
// tracker client (nil: none, LAN only) and origin its URL; flag names where
// the user set the listen address, for the advice when it cannot be had.
func (a *app) startPeer(c *cache.Cache, tracker peer.TrackerClient, origin string, log *slog.Logger, flag string) (*peerNode, error) {
	listen := a.cfg.Peer.Listen
	if listen == "" {
		listen = peer.DefaultListen()
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("peer endpoint: listen on %s: %w (%s)", listen, err, config.ListenAdvice(err, flag))
	}
	id := peer.NewID()
	n := &peerNode{gauge: peer.NewGauge(0), id: id, addr: config.ListenedAddr(listen, ln.Addr())}
	srv, err := peer.NewServer(peer.ServerOptions{Store: c, Gauge: n.gauge, Logger: log, UploadRate: int64(a.cfg.Peer.UploadRate)})
	if err != nil {
		ln.Close()
		return nil, err
	}
	var disc []peer.Discovery
	if tracker != nil {
		disc = append(disc, peer.NewTracker(tracker, id, 0, nil).ZonesToward(origin))
	}
	if a.cfg.Peer.LAN {
		if n.lan, err = peer.StartLAN(peer.LANOptions{ID: id, Addr: n.addr, Logger: log}); err != nil {
			ln.Close()
			return nil, err
		}
		disc = append(disc, n.lan)
	}
	n.swarm = peer.NewSwarm(peer.SwarmOptions{Discovery: disc, Gauge: n.gauge, Logger: log,
		OnBan: func(string) { c.AddPeerBans(1) }})
	learner := &cachedLearner{c: c, s: n.swarm, log: log}
	learner.learn()
	ctx, cancel := context.WithCancel(context.Background())
	n.cancel = cancel
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		if err := srv.Serve(ctx, ln); err != nil {
			log.Warn("peer endpoint stopped", "err", err)
		}
	}()
	if tracker != nil {
		n.ann = peer.NewAnnouncer(peer.AnnouncerOptions{Client: tracker, ID: id, Addr: n.addr, Logger: log,
			Holdings: func() []string { learner.learn(); return n.swarm.FullTracks(c.Has) }})
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			n.ann.Run(ctx)
		}()
	}
	log.Info("peer endpoint serving the cache", "addr", n.addr, "id", id, "lan", a.cfg.Peer.LAN)
	return n, nil
}

// cachedLearner gives the swarm the manifests stored in the cache (Hold:
// not their segments, which the player's own manifests bring), so the
// tracks held are announced: those of earlier runs, and those another
// segue on the same cache stored since this one started (segue play or
// offline add beside a segue peer serve left running), which it learned
// only at the start before. learn reads a new manifest at once; one the
// swarm no longer keeps (FullTracks forgets a track not held in full: one
// still downloading, or whose segments the cache dropped) is read again
// relearnAfter later, so a cache holding many such costs no reading of
// them all every 30 s. Not safe for concurrent use: the announcer alone
// calls it once the peer runs.
type cachedLearner struct {
	c      *cache.Cache
	s      *peer.Swarm
	log    *slog.Logger
	seen   map[string]seenManifest // by manifest key
	warned bool                    // the cache's manifests could not be listed
}

// seenManifest is a cached manifest learn read: its track and when.
type seenManifest struct {
	track string
	at    time.Time
}

// relearnAfter is how long learn leaves a manifest it read before, whose
// track the swarm no longer keeps, unread: 5 minutes, ten announces
// (peer.DefaultAnnounceEvery), so a track that completes while no segue
// on this cache plays it is announced within about that.
const relearnAfter = 5 * time.Minute

// learn holds the manifests stored in the cache that the swarm does not
// keep yet.
func (l *cachedLearner) learn() {
	keys, err := l.c.DocKeys("/manifest")
	if err != nil {
		if !l.warned {
			l.log.Warn("peer: cannot list cached manifests", "err", err)
			l.warned = true
		}
		return
	}
	now := time.Now()
	listed := make(map[string]seenManifest, len(keys))
	for _, k := range keys {
		if was, ok := l.seen[k]; ok && (l.s.Knows(was.track) || now.Sub(was.at) < relearnAfter) {
			listed[k] = was
			continue
		}
		d, err := l.c.GetDoc(k)
		if err != nil {
			continue
		}
		var m catalog.Manifest
		if json.Unmarshal(d.Body, &m) == nil && m.Validate() == nil {
			l.s.Hold(&m)
			listed[k] = seenManifest{m.TrackID, now}
		}
	}
	l.seen = listed // keys dropped from the cache are forgotten
}

// tier is the swarm as the fetch chain's peer tier: one attempt, since it
// fails over between peers itself.
func (n *peerNode) tier() fetch.Tier {
	return fetch.Tier{Source: catalog.SourcePeer, Remote: n.swarm, Attempts: 1}
}

// observe follows the local player: its buffer feeds the gauge (uploads
// pause while it is low), a finished track is announced at once.
func (n *peerNode) observe(ev player.Event) {
	switch e := ev.(type) {
	case player.BufferEvent:
		n.gauge.Set(e.Ahead)
	case player.TrackEvent:
		if n.ann != nil {
			n.ann.Kick()
		}
	case player.EndEvent:
		n.gauge.Idle()
		if n.ann != nil {
			n.ann.Kick()
		}
	}
}

// Close stops the endpoint, the announcer and mDNS, and waits for them.
func (n *peerNode) Close() error {
	n.cancel()
	n.wg.Wait()
	if n.lan != nil {
		return n.lan.Close()
	}
	return nil
}

// withPeers returns the fetch chain's remote tiers with the peer tier
// first when peers are enabled, the manifest source the player should use
// (one that teaches the swarm) and the node (nil when disabled). say, when
// not nil, is told when the origin's tracker stops and starts taking this
// peer's announces (see announceNotices).
func (a *app) withPeers(c *cache.Cache, r *resolver, log *slog.Logger, say func(string)) ([]fetch.Tier, player.ManifestSource, *peerNode, error) {
	if !a.cfg.Peer.Enabled || r.sub != nil { // peers trade segments by hash, which a Subsonic server has none of
		return r.tiers(), r, nil, nil
	}
	var tracker peer.TrackerClient = r.def
	if say != nil {
		tracker = &announceNotices{TrackerClient: r.def, say: say}
	}
	n, err := a.startPeer(c, tracker, r.def.BaseURL(), log, "--peer-listen or [peer] listen")
	if err != nil {
		return nil, nil, nil, err
	}
	return append([]fetch.Tier{n.tier()}, r.tiers()...), peer.Learning{ManifestSource: r, Swarm: n.swarm}, n, nil
}
