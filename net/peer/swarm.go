package peer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"segue/catalog"
	"segue/net/fetch"
)

// Errors of the swarm; match them with errors.Is.
var (
	// ErrNoPeer means no peer could deliver the segment in time; the fetch
	// chain goes on to the origin.
	ErrNoPeer = errors.New("no peer delivered the segment")
	// errPeerMiss: the peer answered 404, it does not hold the segment.
	errPeerMiss = errors.New("the peer does not hold the segment")
	// errPeerBusy: the peer answered 503 (all upload slots taken, or its
	// own player needs the bandwidth).
	errPeerBusy = errors.New("the peer is busy")
	// errBadBytes: the peer sent bytes whose sha256 is not the segment's.
	errBadBytes = errors.New("the peer sent bytes with the wrong sha256")
)

// Discovery yields addresses (host:port) of peer endpoints that may hold a
// track: the origin's tracker, or the LAN.
type Discovery interface {
	Peers(ctx context.Context, trackID string) ([]string, error)
}

// SwarmOptions configure NewSwarm. Zero values take the documented defaults.
type SwarmOptions struct {
	// Discovery lists where peers are found; their answers are merged.
	Discovery []Discovery
	// Policy ranks and bans peers (default NewPolicy with its defaults).
	Policy *Policy
	// Gauge is the local player's buffer: read-ahead is asked of peers for
	// at most the buffered audio less a second (between 1 s and 5 s), after
	// which the origin is asked (nil: 5 s).
	Gauge *Gauge
	// HTTP is the client for peer requests (default: keep-alive, 2 s dial).
	// Whichever it is, the swarm follows no redirect with it: a peer
	// serves its bytes itself, and one that redirects fails.
	HTTP *http.Client
	// OnBan is called once per ban, e.g. to count it in the cache's stats.
	OnBan func(addr string)
	// Logger receives bans and failures (default slog.Default()).
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Remember is how many tracks learned from the player (Learn) keep
	// their segments known, the most recent ones: the queue and its
	// read-ahead, with room to spare (default DefaultRemember). A segment
	// of an older track has its manifest learned again when the player
	// reads it.
	Remember int
	// TimeScale is how much faster than real time audio is played, for
	// time-compressed simulations (make bench-swarm); the time peers are
	// given before the origin is asked is divided by it (default 1).
	TimeScale float64
}

// Swarm is the peer tier of the fetch chain: for a segment it asks the
// peers discovery names for its track, in the order Policy ranks them,
// hedging a slow request to the next peer, checking every answer's sha256
// and banning a peer that sends wrong bytes. It learns which track a
// segment belongs to from the manifests the player reads (Learn), and
// which tracks it may announce from those and the cached ones (Hold).
//
// What it keeps is bounded: the segments of the last Remember tracks
// learned, and the manifests of those and of the tracks held in full
// (bounded by the cache); FullTracks forgets a track that is neither.
type Swarm struct {
	opts SwarmOptions

	mu     sync.Mutex                   // guards tracks, recent, segs and full
	tracks map[string]*catalog.Manifest // learned or held manifests by track ID
	recent []string                     // track IDs learned, least recent first, at most opts.Remember
	segs   map[string]segInfo           // segments of the recent tracks, by hash
	full   map[string]time.Time         // track ID -> when last found held in full
}

// DefaultRemember is SwarmOptions.Remember's default.
const DefaultRemember = 64

// fullRecheck is how long a track found held in full is announced without
// checking its segments again (eviction may drop one meanwhile; a peer
// asked for it then answers 404, which costs the asker one request).
const fullRecheck = 5 * time.Minute

type segInfo struct {
	track string
	size  int64
}

// NewSwarm returns a Swarm; it starts nothing.
func NewSwarm(o SwarmOptions) *Swarm {
	if o.Policy == nil {
		o.Policy = NewPolicy(PolicyOptions{})
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
			MaxIdleConnsPerHost: 4, IdleConnTimeout: time.Minute, ResponseHeaderTimeout: 5 * time.Second,
		}}
	}
	// A peer is any address a tracker or the LAN names: following its
	// redirect made GET requests for a stranger to any address (a router's
	// page on the LAN), and a loop of them spent the segment's time.
	hc := *o.HTTP
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	o.HTTP = &hc
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.TimeScale <= 0 {
		o.TimeScale = 1
	}
	if o.Remember <= 0 {
		o.Remember = DefaultRemember
	}
	return &Swarm{opts: o, tracks: map[string]*catalog.Manifest{}, segs: map[string]segInfo{}, full: map[string]time.Time{}}
}

// Policy is the swarm's ranking and ban list.
func (s *Swarm) Policy() *Policy { return s.opts.Policy }

// Learn remembers m's segments, so their track's peers can be found, as
// the most recent of the last Remember tracks learned; the least recent
// track's segments are forgotten past that. The track may be announced
// (see FullTracks).
func (s *Swarm) Learn(m *catalog.Manifest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := slices.Index(s.recent, m.TrackID); i >= 0 {
		s.recent = slices.Delete(s.recent, i, i+1)
		s.forgetSegs(m.TrackID) // the manifest learned before, which may differ
	}
	s.tracks[m.TrackID] = m
	s.recent = append(s.recent, m.TrackID)
	for _, r := range m.Renditions {
		for _, seg := range r.Segments {
			s.segs[seg.Hash] = segInfo{track: m.TrackID, size: seg.Size}
		}
	}
	for len(s.recent) > s.opts.Remember {
		s.forgetSegs(s.recent[0])
		s.recent = slices.Delete(s.recent, 0, 1)
	}
}

// Hold remembers m only as a track that may be announced (a manifest in
// the cache), not its segments: FullTracks forgets it unless it is held
// in full.
func (s *Swarm) Hold(m *catalog.Manifest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tracks[m.TrackID] = m
}

// Knows reports whether the swarm keeps track id, learned or held: one
// FullTracks forgot (not held in full, not among the recent) it does not.
func (s *Swarm) Knows(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tracks[id] != nil
}

// forgetSegs forgets the segments of the track's learned manifest, those
// no later-learned track shares; s.mu is held.
func (s *Swarm) forgetSegs(track string) {
	m := s.tracks[track]
	if m == nil {
		return
	}
	for _, r := range m.Renditions {
		for _, seg := range r.Segments {
			if s.segs[seg.Hash].track == track {
				delete(s.segs, seg.Hash)
			}
		}
	}
}

// FullTracks returns the learned or held tracks of which has reports every
// stretch held (holdsWhole): what a peer announces. A track found
// full is not checked again for fullRecheck, so that announcing every 30 s
// costs next to nothing once the cache holds many tracks. A track found
// not full is forgotten unless it is among the recent ones Learn keeps.
func (s *Swarm) FullTracks(has func(hash string) bool) []string {
	now := s.opts.Now()
	var out []string
	s.mu.Lock()
	check := make([]*catalog.Manifest, 0, len(s.tracks))
	for id, m := range s.tracks {
		if at, ok := s.full[id]; ok && now.Sub(at) < fullRecheck {
			out = append(out, id)
		} else {
			check = append(check, m)
		}
	}
	s.mu.Unlock()
	for _, m := range check {
		held := holdsWhole(m, has)
		s.mu.Lock()
		if held {
			s.full[m.TrackID] = now
			out = append(out, m.TrackID)
		} else {
			delete(s.full, m.TrackID)
			if !slices.Contains(s.recent, m.TrackID) && s.tracks[m.TrackID] == m {
				delete(s.tracks, m.TrackID)
			}
		}
		s.mu.Unlock()
	}
	return out
}

// holdsWhole reports whether has holds every segment position of m in
// at least one rendition. The origin's renditions are cut at the same
// frames (FramesPerSegment), so position i is the same audio in each, and
// a play at auto quality, which starts at the lowest rendition and climbs
// (net/abr), leaves a mix that plays whole: an asker wanting another
// rendition's segment there gets a 404 (Policy.Missed) and the next peer or
// the origin. Renditions of different lengths are not mixed: one of them
// must be held whole.
func holdsWhole(m *catalog.Manifest, has func(string) bool) bool {
	n := -1
	for _, r := range m.Renditions {
		if n >= 0 && len(r.Segments) != n {
			return slices.ContainsFunc(m.Renditions, func(r catalog.Rendition) bool {
				return len(r.Segments) > 0 && !slices.ContainsFunc(r.Segments, func(seg catalog.Segment) bool { return !has(seg.Hash) })
			})
		}
		n = len(r.Segments)
	}
	for i := range max(n, 0) {
		if !slices.ContainsFunc(m.Renditions, func(r catalog.Rendition) bool { return has(r.Segments[i].Hash) }) {
			return false
		}
	}
	return n > 0
}

// Chunk asks peers for a read-ahead segment (fetch.Remote).
func (s *Swarm) Chunk(ctx context.Context, hash string) ([]byte, error) {
	return s.ChunkAt(ctx, hash, catalog.UrgencySoon)
}

// ChunkAt returns the verified bytes of segment hash from the best peer,
// or an error wrapping ErrNoPeer at once when no peer qualifies (see
// Policy for which peers qualify at urgency u).
func (s *Swarm) ChunkAt(ctx context.Context, hash string, u catalog.Urgency) ([]byte, error) {
	return s.ChunkHedged(ctx, hash, u, nil)
}

// ChunkHedged is ChunkAt calling hedge (when not nil) once the peers have
// taken longer than hedgeAfter allows, so that the fetch chain asks the
// origin beside them (fetch.HedgedRemote); the peers go on until the budget
// or ctx ends. Peers asked before the hedge and still asked when ctx is
// cancelled after it (the origin answered first) are counted failed: the
// first had taken twice its expected time, and a peer that stopped answering
// (its process stopped, its host gone) is then skipped for the next
// segments instead of holding each of them up to the hedge again. So are
// peers asked longer ago than their Policy.HedgeAfter when ctx is cancelled
// with the cause fetch.ErrAnsweredElsewhere (the chain asked the origin by
// its own hedge, once the play head waited).
func (s *Swarm) ChunkHedged(ctx context.Context, hash string, u catalog.Urgency, hedge func()) ([]byte, error) {
	s.mu.Lock()
	info := s.segs[hash]
	s.mu.Unlock()
	if info.track == "" {
		return nil, fmt.Errorf("%w: segment %.12s belongs to no known track", ErrNoPeer, hash)
	}
	// All at once: one discovery that hangs (a tracker out of reach) must
	// not hold back the others' peers (the LAN's).
	found := make([][]string, len(s.opts.Discovery))
	var wg sync.WaitGroup
	for i, d := range s.opts.Discovery {
		wg.Go(func() {
			addrs, err := d.Peers(ctx, info.track)
			if err != nil {
				s.opts.Logger.Debug("peer discovery failed", "track", info.track, "err", err)
			}
			found[i] = addrs
		})
	}
	wg.Wait()
	var cands []string
	for _, addrs := range found {
		cands = append(cands, addrs...)
	}
	order := s.opts.Policy.Rank(cands, info.size, u, s.opts.Now())
	if len(order) == 0 {
		return nil, fmt.Errorf("%w: no peer to ask for segment %.12s of track %s", ErrNoPeer, hash, info.track)
	}
	ctx, cancel := context.WithTimeout(ctx, s.budget(u))
	defer cancel()
	var after time.Duration = -1 // never
	if hedge != nil {
		after = s.hedgeAfter(u, order[0], info.size)
	}
	return s.race(ctx, order, hash, info.size, after, hedge)
}

// ampleAhead is the buffered audio from which read-ahead can afford to
// wait for peers for the whole budget: the budget's most (5 s) plus
// DefaultLowWater (5 s, two segments), what is still buffered when the
// origin is asked after it. From there the swarm does not hedge read-ahead
// to the origin, which keeps the origin's share of the bytes down (the
// player refills its 20 s window once 7 s of it were played, so it mostly
// fetches with 13 s or more buffered).
const ampleAhead = 5*time.Second + DefaultLowWater

// hedgeAfter is how long peers may take for a segment of size bytes, first
// asked of first, before the origin is asked too (negative: not before the
// budget). The rule of a hedged request (Dean & Barroso, "The Tail at
// Scale", CACM 2013: send the second request once the first has taken
// longer than expected for its kind): Policy.HedgeAfter, twice first's
// expected finish from its measured rate (200 ms to 2 s), for the segment
// the play head waits for and for read-ahead with less than ampleAhead
// buffered; never for prefetch, which has 10 s of budget and a whole track
// to play before it is needed. The budget alone (the buffer less 1 s) held
// a segment from the origin for as long as a stopped peer kept its
// connection open, and the buffer it is computed from is read as it was
// when the request started.
func (s *Swarm) hedgeAfter(u catalog.Urgency, first string, size int64) time.Duration {
	switch {
	case u == catalog.UrgencyPrefetch:
		return -1
	case u == catalog.UrgencySoon && s.opts.Gauge.Ahead() >= ampleAhead:
		return -1
	}
	return s.opts.Policy.HedgeAfter(first, size)
}

// budget is how long peers may take before the origin is asked.
func (s *Swarm) budget(u catalog.Urgency) time.Duration {
	var audio time.Duration
	switch u {
	case catalog.UrgencyNow:
		return 4 * s.opts.Policy.opts.UrgentWithin // only peers measured this fast are asked
	case catalog.UrgencyPrefetch:
		audio = 10 * time.Second
	default:
		audio = min(max(s.opts.Gauge.Ahead()-time.Second, time.Second), 5*time.Second)
	}
	return time.Duration(float64(audio) / s.opts.TimeScale)
}

type answer struct {
	addr string
	data []byte
	err  error
	took time.Duration
}

// race asks order[0], then the next peer each time the one before fails
// or is slower than Policy.HedgeAfter; the first verified answer wins and
// the others are cancelled. After after (when not negative) it calls
// hedge, so that the origin is asked too (ChunkHedged).
func (s *Swarm) race(ctx context.Context, order []string, hash string, size int64, after time.Duration, hedge func()) ([]byte, error) {
	p := s.opts.Policy
	answers := make(chan answer, len(order))
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(ctx)
	defer wg.Wait() // after cancel (deferred below, so run first)
	defer cancel()
	inflight := map[string]time.Time{} // when each was asked
	next := 0
	launch := func() time.Duration {
		addr := order[next]
		next++
		inflight[addr] = time.Now()
		p.Start(addr, size)
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			data, err := s.get(ctx, addr, hash, size)
			p.Done(addr, size)
			answers <- answer{addr, data, err, time.Since(t0)}
		}()
		return p.HedgeAfter(addr, size)
	}
	nextPeer := time.NewTimer(launch())
	defer nextPeer.Stop()
	var origin <-chan time.Time // the hedge to the origin
	if after >= 0 {
		t := time.NewTimer(after)
		defer t.Stop()
		origin = t.C
	}
	late := map[string]bool{} // peers in flight when the origin was asked too
	var errs []error
	for len(inflight) > 0 {
		select {
		case <-origin:
			origin = nil
			for addr := range inflight {
				late[addr] = true
			}
			hedge()
		case a := <-answers:
			delete(inflight, a.addr)
			if a.err == nil {
				if sum := sha256.Sum256(a.data); hex.EncodeToString(sum[:]) == hash {
					p.Delivered(a.addr, int64(len(a.data)), a.took)
					return a.data, nil
				}
				a.err = errBadBytes
			}
			errs = append(errs, fmt.Errorf("peer %s: %w", a.addr, a.err))
			s.judge(a.addr, hash, a.err)
			if next < len(order) {
				nextPeer.Reset(launch())
			}
		case <-nextPeer.C:
			if next < len(order) {
				nextPeer.Reset(launch())
			}
		case <-ctx.Done():
			// Too slow for the time the player has, or than the origin
			// asked beside them (by this hedge, or by the fetch chain's
			// own once the play head waited: then the peers asked longer
			// ago than their HedgeAfter); else the asker gave up (a
			// skip): no fault of the peers.
			timedOut := errors.Is(ctx.Err(), context.DeadlineExceeded)
			elsewhere := errors.Is(context.Cause(ctx), fetch.ErrAnsweredElsewhere)
			for addr, asked := range inflight {
				if timedOut || late[addr] || elsewhere && time.Since(asked) > p.HedgeAfter(addr, size) {
					p.Failed(addr, s.opts.Now())
				}
			}
			errs = append(errs, ctx.Err())
			return nil, fmt.Errorf("%w: segment %.12s: %w", ErrNoPeer, hash, errors.Join(errs...))
		}
	}
	return nil, fmt.Errorf("%w: segment %.12s: %w", ErrNoPeer, hash, errors.Join(errs...))
}

// judge tells the policy how a failed request went.
func (s *Swarm) judge(addr, hash string, err error) {
	p, now := s.opts.Policy, s.opts.Now()
	switch {
	case errors.Is(err, errBadBytes):
		until := p.Ban(addr, now)
		s.opts.Logger.Warn("peer banned: it sent bytes with the wrong sha256", "peer", addr, "hash", hash, "until", until)
		if s.opts.OnBan != nil {
			s.opts.OnBan(addr)
		}
	case errors.Is(err, errPeerMiss):
		p.Missed(addr)
	case errors.Is(err, context.Canceled):
		// our own cancellation: another peer won
	default:
		p.Failed(addr, now)
		s.opts.Logger.Debug("peer request failed", "peer", addr, "hash", hash, "err", err)
	}
}

// maxSegmentBytes bounds what is read from a peer when the size is unknown.
const maxSegmentBytes = 64 << 20

// get downloads hash from the peer endpoint at addr (unverified).
func (s *Swarm) get(ctx context.Context, addr, hash string, size int64) ([]byte, error) {
	// A URL escapes a link-local host's zone (%eth0 as %25eth0, RFC 6874):
	// "http://"+addr did not parse with one, and such a peer was never asked.
	u := url.URL{Scheme: "http", Host: addr, Path: "/chunks/" + hash}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.opts.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return nil, errPeerMiss
	case http.StatusServiceUnavailable, http.StatusTooManyRequests:
		return nil, errPeerBusy
	default:
		return nil, fmt.Errorf("peer answered %s", resp.Status)
	}
	limit := int64(maxSegmentBytes)
	if size > 0 {
		limit = size
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, errBadBytes // longer than the segment: cannot be it
	}
	return data, nil
}

// ManifestSource yields a track's manifest (the player's manifest source).
type ManifestSource interface {
	Manifest(ctx context.Context, trackID string) (*catalog.Manifest, error)
}

// Learning wraps a ManifestSource so that every manifest read is learned
// by the swarm: the player's manifests tell it which track a segment
// belongs to.
type Learning struct {
	ManifestSource
	Swarm *Swarm
}

// Manifest returns the manifest and learns it.
func (l Learning) Manifest(ctx context.Context, trackID string) (*catalog.Manifest, error) {
	m, err := l.ManifestSource.Manifest(ctx, trackID)
	if err == nil {
		l.Swarm.Learn(m)
	}
	return m, err
}
