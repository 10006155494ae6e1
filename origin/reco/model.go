// Package reco is the origin's recommender: item-item similarity learned
// from plays within sessions, a cold start from audio features and tags,
// and radio (ranked candidates under listening rules). It owns no storage
// and speaks no HTTP: the origin hands it the catalog's tracks and the
// play events and asks it questions.
package reco

import (
	"cmp"
	"math"
	"slices"
	"sort"

	"segue/catalog"
)

// Track is what the recommender knows of a catalog track. Artist and
// Album are "" when not known (a file without those tags): no likeness,
// and no artist's share of a radio.
type Track struct {
	ID, Artist, Album string
	Year, Disc, No    int
	// Fingerprint names the track's recording (the origin gives the first
	// track ID whose Chromaprint fingerprint matches); tracks with equal
	// non-empty values are one recording, played once in a radio.
	Fingerprint string
	// Features are audio features (tempo, spectral centroid, ...), the same
	// length for every track or empty when not measured.
	Features []float64
}

// Options tune Build. Zero values take the defaults named.
type Options struct {
	// Window is how many plays apart in a session two tracks still count
	// as co-occurring (default 5); a pair d apart adds 1/d.
	Window int
	// Neighbours kept per track (default 50, from issue 16).
	Neighbours int
	// Shrink is added to the cosine's denominator so that pairs seen
	// rarely score less (default 5).
	Shrink float64
	// SkipPenalty is what a pair adds when either play was a skip
	// (default -0.5: skips count against).
	SkipPenalty float64
	// Blend is the seed's play count at which learned similarity and the
	// cold start weigh the same (default 5).
	Blend float64
}

func (o *Options) defaults() {
	if o.Window <= 0 {
		o.Window = 5
	}
	if o.Neighbours <= 0 {
		o.Neighbours = 50
	}
	if o.Shrink <= 0 {
		o.Shrink = 5
	}
	if o.SkipPenalty == 0 {
		o.SkipPenalty = -0.5
	}
	if o.Blend <= 0 {
		o.Blend = 5
	}
}

// Neighbour is a similar track and its similarity.
type Neighbour struct {
	Track int32 // index into the model's tracks
	Score float32
}

// Model is a built recommender; it is read-only, so any number of requests
// may use one while the next is built.
type Model struct {
	o       Options
	tracks  []Track
	index   map[string]int
	nbrs    [][]Neighbour // by track index, best first
	liked   []int         // plays that were not skips, by track index
	popular []int         // track indexes, most liked first
	feats   [][]float64   // standardized features; nil rows when unmeasured
}

// liked tells a play worth learning from from a skip: played to the end,
// or for at least 30 s (the threshold that counts a stream as a play in
// music royalty reporting).
func liked(ev catalog.PlayEvent) bool { return ev.Completed || ev.PlayedMS >= 30_000 }

// Build learns a model from plays over tracks; plays of tracks not in
// tracks are ignored. plays may be in any order: they are grouped by
// listener and session and ordered by time.
func Build(tracks []Track, plays []catalog.PlayEvent, o Options) *Model {
	o.defaults()
	m := &Model{o: o, tracks: tracks, index: make(map[string]int, len(tracks)), liked: make([]int, len(tracks))}
	for i, t := range tracks {
		m.index[t.ID] = i
	}
	type step struct {
		track int
		liked bool
	}
	sessions := map[[2]string][]catalog.PlayEvent{}
	for _, ev := range plays {
		if _, ok := m.index[ev.TrackID]; ok {
			k := [2]string{ev.Listener, ev.Session}
			sessions[k] = append(sessions[k], ev)
		}
	}
	co := map[[2]int32]float64{}
	for _, evs := range sessions {
		slices.SortStableFunc(evs, func(a, b catalog.PlayEvent) int { return a.At.Compare(b.At) })
		seq := make([]step, len(evs))
		for i, ev := range evs {
			seq[i] = step{m.index[ev.TrackID], liked(ev)}
			if seq[i].liked {
				m.liked[seq[i].track]++
			}
		}
		for i := range seq {
			for d := 1; d <= o.Window && i+d < len(seq); d++ {
				a, b := seq[i], seq[i+d]
				if a.track == b.track {
					continue
				}
				w := 1 / float64(d)
				if !a.liked || !b.liked {
					w = o.SkipPenalty / float64(d)
				}
				co[pair(a.track, b.track)] += w
			}
		}
	}
	m.nbrs = make([][]Neighbour, len(tracks))
	for p, c := range co {
		if c <= 0 {
			continue
		}
		na, nb := float64(m.liked[p[0]]), float64(m.liked[p[1]])
		sim := float32(c / (math.Sqrt(max(na, 1)*max(nb, 1)) + o.Shrink))
		m.nbrs[p[0]] = append(m.nbrs[p[0]], Neighbour{p[1], sim})
		m.nbrs[p[1]] = append(m.nbrs[p[1]], Neighbour{p[0], sim})
	}
	for i, ns := range m.nbrs {
		slices.SortFunc(ns, func(a, b Neighbour) int {
			return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Track, b.Track))
		})
		m.nbrs[i] = ns[:min(len(ns), o.Neighbours)]
	}
	m.popular = make([]int, len(tracks))
	for i := range m.popular {
		m.popular[i] = i
	}
	sort.SliceStable(m.popular, func(a, b int) bool { return m.liked[m.popular[a]] > m.liked[m.popular[b]] })
	m.feats = standardize(tracks)
	return m
}

func pair(a, b int) [2]int32 {
	if a > b {
		a, b = b, a
	}
	return [2]int32{int32(a), int32(b)}
}

// standardize returns each track's features as z-scores over the tracks
// that have them (so tempo in BPM and flatness in 0-1 weigh alike).
func standardize(tracks []Track) [][]float64 {
	dims := 0
	for _, t := range tracks {
		dims = max(dims, len(t.Features))
	}
	mean, sd := make([]float64, dims), make([]float64, dims)
	n := 0.0
	for _, t := range tracks {
		if len(t.Features) == dims && dims > 0 {
			n++
			for d, v := range t.Features {
				mean[d] += v
			}
		}
	}
	if n == 0 {
		return make([][]float64, len(tracks))
	}
	for d := range mean {
		mean[d] /= n
	}
	for _, t := range tracks {
		if len(t.Features) == dims {
			for d, v := range t.Features {
				sd[d] += (v - mean[d]) * (v - mean[d])
			}
		}
	}
	for d := range sd {
		sd[d] = math.Sqrt(sd[d] / n)
	}
	out := make([][]float64, len(tracks))
	for i, t := range tracks {
		if len(t.Features) != dims {
			continue
		}
		out[i] = make([]float64, dims)
		for d, v := range t.Features {
			if sd[d] > 0 {
				out[i][d] = (v - mean[d]) / sd[d]
			}
		}
	}
	return out
}

// Neighbours returns up to n tracks most similar to id from plays, best
// first, with their similarity (nil for a track never played in a session).
func (m *Model) Neighbours(id string, n int) []Neighbour {
	i, ok := m.index[id]
	if !ok {
		return nil
	}
	return m.nbrs[i][:min(n, len(m.nbrs[i]))]
}

// TrackID returns the ID of the model's track i.
func (m *Model) TrackID(i int32) string { return m.tracks[i].ID }

// Plays returns how many liked plays of id the model learned from.
func (m *Model) Plays(id string) int {
	if i, ok := m.index[id]; ok {
		return m.liked[i]
	}
	return 0
}
