package reco

import (
	"cmp"
	"math"
	"slices"
)

// Rules of a radio (issue 16). Zero values take the defaults named.
type Rules struct {
	// Limit is how many tracks to return (default 20).
	Limit int
	// ArtistRun and ArtistMax: at most ArtistMax tracks of one artist in
	// any ArtistRun consecutive tracks (defaults 10 and 2).
	ArtistRun, ArtistMax int
}

// Scored is a recommended track.
type Scored struct {
	ID    string
	Score float64
}

// Scores returns every candidate's score for a listener whose recent
// tracks are seeds (oldest first; the most recent weighs most), the
// learned similarity blended with the cold start by how much each seed
// was played. Seeds unknown to the model are ignored.
func (m *Model) Scores(seeds []string) map[int]float64 {
	scores := map[int]float64{}
	w := 1.0
	for k := len(seeds) - 1; k >= 0; k, w = k-1, w*0.7 {
		s, ok := m.index[seeds[k]]
		if !ok {
			continue
		}
		n := float64(m.liked[s])
		learned := n / (n + m.o.Blend)
		for _, nb := range m.nbrs[s] {
			scores[int(nb.Track)] += w * learned * float64(nb.Score)
		}
		m.coldStart(s, w*(1-learned), scores)
	}
	return scores
}

// coldStart adds w times the content similarity of every track to s: tags
// (the next track of the album most, then the album, the artist, the
// year) and, when measured, nearness of standardized audio features.
func (m *Model) coldStart(s int, w float64, scores map[int]float64) {
	if w <= 0 {
		return
	}
	seed := m.tracks[s]
	for i, t := range m.tracks {
		if i == s {
			continue
		}
		tag := 0.0
		if t.Album == seed.Album && t.Album != "" {
			tag += 0.4
			if t.Disc == seed.Disc && t.No == seed.No+1 {
				tag += 0.6
			}
		}
		if t.Artist == seed.Artist && t.Artist != "" {
			tag += 0.2
		}
		if seed.Year > 0 && t.Year > 0 {
			tag += 0.1 * max(0, 1-math.Abs(float64(t.Year-seed.Year))/10)
		}
		audio := 0.0
		if a, b := m.feats[s], m.feats[i]; a != nil && b != nil {
			d := 0.0
			for k := range a {
				d += (a[k] - b[k]) * (a[k] - b[k])
			}
			audio = 1 / (1 + math.Sqrt(d/float64(len(a))))
		}
		if v := 0.5*tag + 0.5*audio; v > 0 {
			scores[i] += w * v
		}
	}
}

// Radio returns tracks to play after seeds (oldest first), best first:
// never a seed nor a track in recent (what the listener played lately),
// never two recordings with one fingerprint, at most r.ArtistMax tracks of
// an artist in any r.ArtistRun (tracks of no known artist, "", count for
// none); when the scores run out, the most played
// tracks fill the rest.
func (m *Model) Radio(seeds, recent []string, r Rules) []Scored {
	if r.Limit <= 0 {
		r.Limit = 20
	}
	if r.ArtistRun <= 0 {
		r.ArtistRun = 10
	}
	if r.ArtistMax <= 0 {
		r.ArtistMax = 2
	}
	scores := m.Scores(seeds)
	ranked := make([]int, 0, len(scores))
	for i := range scores {
		ranked = append(ranked, i)
	}
	slices.SortFunc(ranked, func(a, b int) int {
		return cmp.Or(cmp.Compare(scores[b], scores[a]), cmp.Compare(m.tracks[a].ID, m.tracks[b].ID))
	})
	ranked = append(ranked, m.popular...)

	banned := map[int]bool{}
	prints := map[string]bool{}
	for _, id := range append(slices.Clone(seeds), recent...) {
		if i, ok := m.index[id]; ok {
			banned[i] = true
			if fp := m.tracks[i].Fingerprint; fp != "" {
				prints[fp] = true
			}
		}
	}
	var out []Scored
	var artists []string
	for _, i := range ranked {
		if len(out) == r.Limit {
			break
		}
		t := m.tracks[i]
		if banned[i] || (t.Fingerprint != "" && prints[t.Fingerprint]) {
			continue
		}
		window := artists[max(0, len(artists)-(r.ArtistRun-1)):]
		same := 0
		for _, a := range window {
			if a == t.Artist && a != "" { // tracks of no known artist are no one artist's
				same++
			}
		}
		if same >= r.ArtistMax {
			continue // the artist has had its share of this run
		}
		banned[i] = true
		if t.Fingerprint != "" {
			prints[t.Fingerprint] = true
		}
		artists = append(artists, t.Artist)
		out = append(out, Scored{ID: t.ID, Score: scores[i]})
	}
	return out
}
