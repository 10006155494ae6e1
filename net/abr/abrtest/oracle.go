package abrtest

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// Plan describes what the oracle plans for: segment sizes per level
// (lowest bitrate first, Sizes[level][segment] in bytes) with their
// bitrates, the segment duration, the read-ahead limit and the latency
// each request pays on top of the trace's.
type Plan struct {
	Kbps    []int
	Sizes   [][]int64
	Segment time.Duration
	Buffer  time.Duration
	Base    time.Duration
}

// grid is the oracle's time resolution: finish times are rounded up to it.
const grid = 20 * time.Millisecond

// Oracle returns the highest mean bitrate (kbit/s over segments) a
// clairvoyant player could reach on trace without a stall, fetching one
// segment at a time as segue does: segment 0 is the lowest level (as
// segue's when nothing is known, so the oracle cannot buy quality with a
// longer startup) and playback starts when it has arrived; segment i must
// arrive before its play time; a download starts
// when the previous one has finished and no earlier than Buffer before
// its play time. ok is false when no plan avoids a stall.
//
// It is a dynamic program over (segment, finish time on a 20 ms grid),
// keeping for each finish time the best sum of bitrates and dropping the
// plans a sooner finish with at least the same sum dominates.
func Oracle(trace Trace, p Plan) (kbps float64, ok bool) {
	n := len(p.Sizes[0])
	best := math.Inf(-1)
	{
		start := p.Base + trace.At(0).Latency
		t0 := ceilGrid(trace.Finish(start, float64(p.Sizes[0][0])))
		type state struct {
			at  time.Duration
			sum float64
		}
		front := []state{{t0, float64(p.Kbps[0])}}
		for i := 1; i < n && len(front) > 0; i++ {
			due := t0 + time.Duration(i)*p.Segment
			sums := map[time.Duration]float64{}
			for _, s := range front {
				begin := max(s.at, due-p.Buffer)
				lat := p.Base + trace.At(begin).Latency
				for l := range p.Kbps {
					end := ceilGrid(trace.Finish(begin+lat, float64(p.Sizes[l][i])))
					if end > due {
						continue
					}
					if v, seen := sums[end]; !seen || s.sum+float64(p.Kbps[l]) > v {
						sums[end] = s.sum + float64(p.Kbps[l])
					}
				}
			}
			front = front[:0]
			for at, sum := range sums {
				front = append(front, state{at, sum})
			}
			// Keep the Pareto front: sooner and better.
			slices.SortFunc(front, func(a, b state) int { return cmp.Compare(a.at, b.at) })
			kept := front[:0]
			top := math.Inf(-1)
			for _, s := range front {
				if s.sum > top {
					kept = append(kept, s)
					top = s.sum
				}
			}
			front = kept
		}
		for _, s := range front {
			best = max(best, s.sum/float64(n))
		}
	}
	if math.IsInf(best, -1) {
		return 0, false
	}
	return best, true
}

func ceilGrid(d time.Duration) time.Duration { return (d + grid - 1) / grid * grid }
