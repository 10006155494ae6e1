package origin

import (
	"math"
	"net/netip"
	"sync"
	"time"
)

// Failed authentication per client address: a burst of authBurst refused
// tokens, then one more every authRefill; past that the address gets 429
// with Retry-After until its bucket refills. 10 guesses a minute against
// 2^256 share tokens or 2^192 bearer secrets changes nothing for an
// attacker's odds and nothing for a person who mistyped.
const (
	authBurst  = 10
	authRefill = 6 * time.Second
	// maxAuthAddrs bounds the table: past it, full buckets (addresses
	// that stopped failing) are dropped, then the whole table if need be.
	maxAuthAddrs = 10000
)

// authLimiter counts refused credentials per authKey (token buckets).
type authLimiter struct {
	now func() time.Time

	mu      sync.Mutex // guards buckets
	buckets map[authKey]*authBucket
}

// authKey is what refused credentials count against: the client's
// address and, for a sign-in that names a user (Subsonic's u, lower case),
// that user. So a device with a stale password locks out its own user at
// its address, not every user behind the same address (a household's
// NAT), while guesses at one user's password stay limited.
type authKey struct {
	addr netip.Addr
	user string
}

type authBucket struct {
	tokens float64
	at     time.Time
}

func newAuthLimiter(now func() time.Time) *authLimiter {
	return &authLimiter{now: now, buckets: map[authKey]*authBucket{}}
}

// level refills b up to now and returns it.
func (l *authLimiter) level(b *authBucket, now time.Time) float64 {
	b.tokens = math.Min(authBurst, b.tokens+now.Sub(b.at).Seconds()/authRefill.Seconds())
	b.at = now
	return b.tokens
}

// blocked returns how long k must wait before its next attempt, or 0.
func (l *authLimiter) blocked(k authKey) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[k]
	if !ok {
		return 0
	}
	if t := l.level(b, l.now()); t < 1 {
		return time.Duration((1 - t) * float64(authRefill))
	}
	return 0
}

// failed records one refused credential of k.
func (l *authLimiter) failed(k authKey) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[k]
	if !ok {
		if len(l.buckets) >= maxAuthAddrs {
			l.prune(now)
		}
		b = &authBucket{tokens: authBurst, at: now}
		l.buckets[k] = b
	}
	l.level(b, now)
	b.tokens = math.Max(0, b.tokens-1)
}

func (l *authLimiter) prune(now time.Time) {
	for a, b := range l.buckets {
		if l.level(b, now) >= authBurst {
			delete(l.buckets, a)
		}
	}
	if len(l.buckets) >= maxAuthAddrs {
		clear(l.buckets)
	}
}

// clientAddr is the address of r's peer (without the port).
func clientAddr(remote string) netip.Addr {
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}
