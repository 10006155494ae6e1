package reco

import (
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sort"

	"segue/catalog"
)

// ranker ranks tracks to follow a listener's recent plays (oldest first),
// never one of them.
type ranker func(recent []string, k int) []string

// metrics are an offline evaluation's results.
type metrics struct {
	cases        int
	hitRate, mrr float64 // @k
	coverage     float64 // share of the catalog in any list
	diversity    float64 // share of pairs in a list by different artists
}

// split holds out each listener's last holdout plays: train is everything
// before them; each held-out play the listener did not skip is a case,
// whose context is the listener's plays just before it.
type evalCase struct {
	recent []string
	target string
}

func split(plays []catalog.PlayEvent, holdout, context int) (train []catalog.PlayEvent, cases []evalCase) {
	byListener := map[string][]catalog.PlayEvent{}
	var order []string
	for _, ev := range plays {
		if _, ok := byListener[ev.Listener]; !ok {
			order = append(order, ev.Listener)
		}
		byListener[ev.Listener] = append(byListener[ev.Listener], ev)
	}
	for _, l := range order {
		evs := byListener[l]
		sort.SliceStable(evs, func(a, b int) bool { return evs[a].At.Before(evs[b].At) })
		cut := max(0, len(evs)-holdout)
		train = append(train, evs[:cut]...)
		for i := cut; i < len(evs); i++ {
			if !liked(evs[i]) || i == 0 {
				continue
			}
			var recent []string
			for _, ev := range evs[max(0, i-context):i] {
				recent = append(recent, ev.TrackID)
			}
			cases = append(cases, evalCase{recent: recent, target: evs[i].TrackID})
		}
	}
	return train, cases
}

func evaluate(tracks []Track, cases []evalCase, rank ranker, k int) metrics {
	artist := map[string]string{}
	for _, t := range tracks {
		artist[t.ID] = t.Artist
	}
	seen := map[string]bool{}
	var m metrics
	var pairs, differ float64
	for _, c := range cases {
		list := rank(c.recent, k)
		if r := slices.Index(list, c.target); r >= 0 {
			m.hitRate++
			m.mrr += 1 / float64(r+1)
		}
		for i, a := range list {
			seen[a] = true
			for _, b := range list[i+1:] {
				pairs++
				if artist[a] != artist[b] {
					differ++
				}
			}
		}
	}
	m.cases = len(cases)
	m.hitRate /= float64(len(cases))
	m.mrr /= float64(len(cases))
	m.coverage = float64(len(seen)) / float64(len(tracks))
	m.diversity = differ / max(pairs, 1)
	return m
}

// The rankers compared: the model (its scores, with the listener's recent
// plays excluded as radio does), the most played tracks, and random ones.
func modelRanker(m *Model) ranker {
	return func(recent []string, k int) []string {
		var ids []string
		for _, s := range m.Radio(recent, nil, Rules{Limit: k, ArtistRun: k + 1, ArtistMax: k}) {
			ids = append(ids, s.ID)
		}
		return ids
	}
}

func popularityRanker(m *Model) ranker {
	return func(recent []string, k int) []string {
		var ids []string
		for _, i := range m.popular {
			if id := m.tracks[i].ID; !slices.Contains(recent, id) {
				if ids = append(ids, id); len(ids) == k {
					break
				}
			}
		}
		return ids
	}
}

func randomRanker(tracks []Track, seed uint64) ranker {
	rng := rand.New(rand.NewPCG(seed, 1))
	return func(recent []string, k int) []string {
		var ids []string
		for len(ids) < k {
			if id := tracks[rng.IntN(len(tracks))].ID; !slices.Contains(recent, id) && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		return ids
	}
}

// evalTable builds a model on w's training plays and prints the table of
// the model against the baselines; it returns the model's and the
// popularity baseline's metrics.
func evalTable(out io.Writer, w world, holdout int) (model, popular metrics) {
	train, cases := split(w.plays, holdout, 5)
	m := Build(w.tracks, train, Options{})
	rows := []struct {
		name string
		r    ranker
	}{{"item-item + cold start", modelRanker(m)}, {"popularity", popularityRanker(m)}, {"random", randomRanker(w.tracks, 7)}}
	fmt.Fprintf(out, "%d tracks, %d plays (%d for training), %d held-out cases (last %d plays of each listener, skips not counted)\n",
		len(w.tracks), len(w.plays), len(train), len(cases), holdout)
	fmt.Fprintf(out, "%-24s %9s %8s %9s %10s\n", "ranker", "HR@10", "MRR@10", "coverage", "diversity")
	var res []metrics
	for _, r := range rows {
		mt := evaluate(w.tracks, cases, r.r, 10)
		res = append(res, mt)
		fmt.Fprintf(out, "%-24s %9.3f %8.3f %9.3f %10.3f\n", r.name, mt.hitRate, mt.mrr, mt.coverage, mt.diversity)
	}
	return res[0], res[1]
}
