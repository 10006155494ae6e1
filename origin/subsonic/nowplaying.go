package subsonic

import (
	"slices"
	"sync"
	"time"
)

// maxPlayers bounds the players nowPlaying keeps: a user may name any
// number of apps (c), so past this many the one heard from longest ago
// is forgotten.
const maxPlayers = 200

// nowPlaying is what each player reported it started (scrobble with
// submission=false), in memory only, as Navidrome keeps it: a restart
// forgets it, and an entry ends a minute after its song would have
// ended (a margin for pauses and slow starts; Navidrome's is 5 s).
type nowPlaying struct {
	mu      sync.Mutex
	players map[player]*playing
	lastID  int // the playerId last given
	// now is the clock (time.Now; tests set another)
	now func() time.Time
}

// player is one app (c) of one user, Subsonic's player.
type player struct{ userID, client string }

// playing is a player's song, since at, until until.
type playing struct {
	id         int // playerId: one per player while it plays
	username   string
	client     string
	trackID    string
	at, until  time.Time
	minutesAgo int // since at, in whole minutes (list sets it)
}

func newNowPlaying() *nowPlaying {
	return &nowPlaying{players: map[player]*playing{}, now: time.Now}
}

// start records that user's app client (at most maxChangedBy bytes)
// started trackID, lasting duration.
func (n *nowPlaying) start(u account, client, trackID string, duration time.Duration) {
	n.mu.Lock()
	defer n.mu.Unlock()
	now := n.now()
	n.expire(now)
	k := player{u.id, client}
	p := n.players[k]
	if p == nil {
		if len(n.players) >= maxPlayers {
			n.forgetOldest()
		}
		n.lastID++
		p = &playing{id: n.lastID}
		n.players[k] = p
	}
	p.username, p.client, p.trackID = u.name, client, trackID
	p.at, p.until = now, now.Add(duration+time.Minute)
}

// expire forgets the songs ended by now; n.mu is held.
func (n *nowPlaying) expire(now time.Time) {
	for k, p := range n.players {
		if !now.Before(p.until) {
			delete(n.players, k)
		}
	}
}

// forgetOldest forgets the player heard from longest ago; n.mu is held.
func (n *nowPlaying) forgetOldest() {
	var oldest player
	var at time.Time
	for k, p := range n.players {
		if at.IsZero() || p.at.Before(at) {
			oldest, at = k, p.at
		}
	}
	delete(n.players, oldest)
}

// list returns what is playing now, the latest started first.
func (n *nowPlaying) list() []playing {
	n.mu.Lock()
	defer n.mu.Unlock()
	now := n.now()
	n.expire(now)
	out := make([]playing, 0, len(n.players))
	for _, p := range n.players {
		p.minutesAgo = int(now.Sub(p.at) / time.Minute)
		out = append(out, *p)
	}
	slices.SortFunc(out, func(a, b playing) int {
		if c := b.at.Compare(a.at); c != 0 {
			return c
		}
		return a.id - b.id
	})
	return out
}

// getNowPlaying answers what every user's players are playing (a
// household sees each other's, as on any Subsonic server): the songs
// reported by scrobble with submission=false, until a minute after each
// would have ended, the latest first, each with its user, minutesAgo,
// playerId and playerName (the app's c). A song removed from the catalog
// since is left out.
func (a *API) getNowPlaying(rq *request) *Response {
	out := &NowPlaying{Entries: []NowPlayingEntry{}}
	err := withSongs(a, rq, a.playing.list(), func(p playing) string { return p.trackID }, func(p playing, song Child) {
		out.Entries = append(out.Entries, NowPlayingEntry{Child: song, Username: p.username,
			MinutesAgo: p.minutesAgo, PlayerID: p.id, PlayerName: p.client})
	})
	if err != nil {
		return a.internal(rq, err)
	}
	res := ok()
	res.NowPlaying = out
	return res
}
