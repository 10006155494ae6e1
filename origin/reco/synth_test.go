package reco

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"segue/catalog"
)

// world is a seeded synthetic catalog and listening history (issue 16's
// evaluation): artists in taste clusters, Zipf popularity, listeners who
// like two clusters, sessions that follow album order 61% of the time
// (Spotify's measured share of next tracks that follow the album), skips
// (15% of plays in a listener's taste, 60% outside it).
type world struct {
	tracks []Track
	plays  []catalog.PlayEvent
}

// worldSize scales a world.
type worldSize struct {
	clusters, artistsPerCluster, albums, tracksPerAlbum int
	listeners, sessions, sessionLen                     int
}

const albumOrderShare = 0.61

func synthWorld(seed uint64, z worldSize) world {
	rng := rand.New(rand.NewPCG(seed, 16))
	var w world
	byCluster := make([][]int, z.clusters) // track indexes, most popular first
	centre := make([][]float64, z.clusters)
	for c := range centre {
		centre[c] = []float64{80 + rng.Float64()*80, 1000 + rng.Float64()*3000, rng.Float64() * 0.4, 2000 + rng.Float64()*6000, -30 + rng.Float64()*20}
	}
	for c := range z.clusters {
		for a := range z.artistsPerCluster {
			artist := fmt.Sprintf("ar%02d-%02d", c, a)
			for al := range z.albums {
				for n := range z.tracksPerAlbum {
					f := slices.Clone(centre[c])
					for k := range f {
						f[k] *= 1 + rng.NormFloat64()*0.08
					}
					byCluster[c] = append(byCluster[c], len(w.tracks))
					w.tracks = append(w.tracks, Track{ID: fmt.Sprintf("t%02d-%02d-%d-%02d", c, a, al, n), Artist: artist,
						Album: fmt.Sprintf("al%02d-%02d-%d", c, a, al), Year: 1990 + rng.IntN(30), Disc: 1, No: n + 1, Features: f})
				}
			}
		}
		rng.Shuffle(len(byCluster[c]), func(i, j int) { byCluster[c][i], byCluster[c][j] = byCluster[c][j], byCluster[c][i] })
	}
	all := make([]int, len(w.tracks))
	for i := range all {
		all[i] = i
	}
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	zipf := func(n int) int { // rank 0..n-1 with P(k) ∝ 1/(k+1)
		return int(math.Min(float64(n-1), math.Floor(math.Pow(float64(n+1), rng.Float64())-1)))
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for l := range z.listeners {
		taste := []int{rng.IntN(z.clusters), rng.IntN(z.clusters)}
		inTaste := func(t int) bool { return slices.Contains(taste, t/(len(w.tracks)/z.clusters)) }
		at := start.Add(time.Duration(rng.IntN(1000)) * time.Minute)
		for s := range z.sessions {
			cur := -1
			for range 3 + rng.IntN(z.sessionLen) {
				switch {
				case cur >= 0 && rng.Float64() < albumOrderShare && w.tracks[cur].No < z.tracksPerAlbum:
					cur++
				case rng.Float64() < 0.85:
					c := byCluster[taste[rng.IntN(2)]]
					cur = c[zipf(len(c))]
				default:
					cur = all[zipf(len(all))]
				}
				skip := rng.Float64() < 0.15
				if !inTaste(cur) {
					skip = rng.Float64() < 0.6
				}
				ev := catalog.PlayEvent{ID: fmt.Sprintf("e%d", len(w.plays)), Listener: fmt.Sprintf("l%03d", l),
					TrackID: w.tracks[cur].ID, PlayedMS: 200_000, Completed: true, At: at, Session: fmt.Sprintf("l%03d-s%03d", l, s)}
				if skip {
					ev.Completed, ev.PlayedMS = false, int64(2000+rng.IntN(25_000))
					ev.PositionMS = ev.PlayedMS
				}
				w.plays = append(w.plays, ev)
				at = at.Add(time.Duration(ev.PlayedMS) * time.Millisecond)
			}
			at = at.Add(time.Duration(6+rng.IntN(48)) * time.Hour)
		}
	}
	return w
}
