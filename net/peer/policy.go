package peer

import (
	"slices"
	"strings"
	"sync"
	"time"

	"segue/catalog"
)

// Policy decides which peers to ask for a segment and in what order, from
// what each peer did before: its measured rate, the bytes it still owes,
// connection failures and bad bytes. It does no I/O and reads no clock:
// every call is given the time, so it is tested with a fake clock and
// scripted peers. It is safe for concurrent use.
//
// The rules, in Spotify's spirit (Kreitz & Niemelä, IEEE P2P 2010):
//   - a peer that sent bytes with the wrong sha256 is banned for BanFor;
//   - a peer that failed (refused, reset, timed out, busy) is skipped for
//     CoolFor, longer after each failure in a row (up to 8 times);
//   - read-ahead and prefetch ask peers ranked by expected finish time,
//     (outstanding bytes + this segment) ÷ measured rate, a peer never
//     measured counting at UnknownRate;
//   - the segment the play head waits for (catalog.UrgencyNow) is asked of
//     a peer only when its expected finish is within UrgentWithin, which
//     needs a measured rate; otherwise it goes to the origin.
type Policy struct {
	opts PolicyOptions

	mu    sync.Mutex // guards peers
	peers map[string]*peerState
}

// PolicyOptions tune a Policy. Zero values take the documented defaults.
type PolicyOptions struct {
	// BanFor is how long a peer that sent bad bytes is left out (default 10 min).
	BanFor time.Duration
	// CoolFor is how long a failed peer is skipped after its first failure
	// in a row (default 5 s; doubled per further failure, at most 8x).
	CoolFor time.Duration
	// UnknownRate is the rate assumed for a peer not yet measured, in bytes
	// per second (default 1 MB/s: a LAN or a good uplink).
	UnknownRate float64
	// UrgentWithin is the longest expected finish for which a peer is asked
	// for the segment the play head waits for (default 250 ms, about
	// Spotify's median time to first audio).
	UrgentWithin time.Duration
}

// peerState is what Policy knows of one peer (by address).
type peerState struct {
	rate        float64 // bytes/s, EWMA; 0 = never measured
	outstanding int64   // bytes asked and not yet answered
	fails       int     // failures in a row
	coolUntil   time.Time
	bannedUntil time.Time
	stats       PeerStats
}

// PeerStats counts what one peer did, for listings and tests.
type PeerStats struct {
	Addr        string    `json:"addr"`
	Bytes       int64     `json:"bytes"`        // verified bytes received
	Segments    int64     `json:"segments"`     // verified segments received
	Misses      int64     `json:"misses"`       // answered "not held"
	Failures    int64     `json:"failures"`     // refused, reset, busy, timed out
	BadSegments int64     `json:"bad_segments"` // bytes with the wrong sha256
	RateBPS     float64   `json:"rate_bps"`     // measured bytes/s, 0 when unknown
	BannedUntil time.Time `json:"banned_until,omitzero"`
}

// ewmaWeight is the weight of a new rate sample.
const ewmaWeight = 0.3

// NewPolicy returns a Policy with defaults applied.
func NewPolicy(o PolicyOptions) *Policy {
	if o.BanFor <= 0 {
		o.BanFor = 10 * time.Minute
	}
	if o.CoolFor <= 0 {
		o.CoolFor = 5 * time.Second
	}
	if o.UnknownRate <= 0 {
		o.UnknownRate = 1e6
	}
	if o.UrgentWithin <= 0 {
		o.UrgentWithin = 250 * time.Millisecond
	}
	return &Policy{opts: o, peers: map[string]*peerState{}}
}

func (p *Policy) stateLocked(addr string) *peerState {
	s := p.peers[addr]
	if s == nil {
		s = &peerState{stats: PeerStats{Addr: addr}}
		p.peers[addr] = s
	}
	return s
}

// expected is how long s would take to deliver size more bytes.
func (p *Policy) expected(s *peerState, size int64) time.Duration {
	rate := s.rate
	if rate == 0 {
		rate = p.opts.UnknownRate
	}
	return time.Duration(float64(s.outstanding+size) / rate * float64(time.Second))
}

// Rank returns the candidates worth asking for a segment of size bytes at
// urgency u, best first; banned and cooling peers are left out, and for
// UrgencyNow every peer not measured fast enough. Duplicates count once.
func (p *Policy) Rank(cands []string, size int64, u catalog.Urgency, now time.Time) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	type ranked struct {
		addr string
		eta  time.Duration
	}
	var rs []ranked
	seen := map[string]bool{}
	for _, a := range cands {
		if seen[a] {
			continue
		}
		seen[a] = true
		s := p.stateLocked(a)
		if now.Before(s.bannedUntil) || now.Before(s.coolUntil) {
			continue
		}
		eta := p.expected(s, size)
		if u == catalog.UrgencyNow && (s.rate == 0 || eta > p.opts.UrgentWithin) {
			continue
		}
		rs = append(rs, ranked{a, eta})
	}
	slices.SortStableFunc(rs, func(x, y ranked) int { return int(x.eta - y.eta) })
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.addr
	}
	return out
}

// HedgeAfter is how long to wait for addr before asking the next peer too:
// twice its expected finish, between 200 ms and 2 s.
func (p *Policy) HedgeAfter(addr string, size int64) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return min(max(2*p.expected(p.stateLocked(addr), size), 200*time.Millisecond), 2*time.Second)
}

// Start records that size bytes were asked of addr; call Done when the
// request ends, whatever its outcome.
func (p *Policy) Start(addr string, size int64) {
	p.mu.Lock()
	p.stateLocked(addr).outstanding += size
	p.mu.Unlock()
}

// Done ends what Start began.
func (p *Policy) Done(addr string, size int64) {
	p.mu.Lock()
	s := p.stateLocked(addr)
	s.outstanding = max(s.outstanding-size, 0)
	p.mu.Unlock()
}

// Delivered records n verified bytes from addr that took took: the rate
// estimate moves toward n/took and the failure streak ends.
func (p *Policy) Delivered(addr string, n int64, took time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stateLocked(addr)
	sample := float64(n) / max(took.Seconds(), 1e-4)
	if s.rate == 0 {
		s.rate = sample
	} else {
		s.rate = (1-ewmaWeight)*s.rate + ewmaWeight*sample
	}
	s.fails = 0
	s.stats.Bytes += n
	s.stats.Segments++
}

// Missed records that addr answered it does not hold a segment: not a
// fault (it may hold other tracks), so nothing is skipped for it.
func (p *Policy) Missed(addr string) {
	p.mu.Lock()
	p.stateLocked(addr).stats.Misses++
	p.mu.Unlock()
}

// Failed records a failed request to addr at now: it is skipped for
// CoolFor, doubled per failure in a row up to 8x.
func (p *Policy) Failed(addr string, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stateLocked(addr)
	s.fails++
	s.coolUntil = now.Add(p.opts.CoolFor << min(s.fails-1, 3))
	s.stats.Failures++
}

// Ban records that addr sent bytes with the wrong sha256 at now: it is
// left out until now+BanFor, which Ban returns.
func (p *Policy) Ban(addr string, now time.Time) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stateLocked(addr)
	s.bannedUntil = now.Add(p.opts.BanFor)
	s.stats.BadSegments++
	return s.bannedUntil
}

// Stats returns what each peer did, by address.
func (p *Policy) Stats() []PeerStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]PeerStats, 0, len(p.peers))
	for _, s := range p.peers {
		st := s.stats
		st.RateBPS, st.BannedUntil = s.rate, s.bannedUntil
		out = append(out, st)
	}
	slices.SortFunc(out, func(a, b PeerStats) int { return strings.Compare(a.Addr, b.Addr) })
	return out
}
