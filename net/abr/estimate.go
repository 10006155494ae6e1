package abr

import "math"

// Half-lives of the two throughput averages, in seconds (dash.js
// ThroughputModel: 3 s fast, 8 s slow). A sample weighs the audio it
// carried (a 2.5 s segment weighs 2.5 s), not its download time as in
// Shaka: audio segments are small, and on a fast link their downloads
// last a few tens of milliseconds, so time-weighted averages would need
// dozens of segments to notice the link got faster.
const (
	FastHalfLife = 3.0
	SlowHalfLife = 8.0
)

// OutlierFactor bounds one sample: a download measured faster than this
// many times the current estimate counts as that multiple, so one outlier
// (a burst from a proxy's cache, one lucky request) lifts the estimate by
// at most a fifth (a 2.5 s sample moves the slow average by 19.5% of the
// difference). A slower sample is never bounded: underestimating costs
// quality, not a stall, and the fast average forgets it within seconds.
const OutlierFactor = 2.0

// ewma is an exponentially weighted moving average whose weights are
// seconds, with the zero-bias correction of dash.js and Shaka so the first
// samples are not pulled toward zero.
type ewma struct {
	HalfLife float64 `json:"half_life_s"`
	Sum      float64 `json:"sum"`    // the uncorrected average
	Weight   float64 `json:"weight"` // total seconds seen
}

func (e *ewma) add(x, w float64) {
	a := math.Pow(0.5, w/e.HalfLife)
	e.Sum = a*e.Sum + (1-a)*x
	e.Weight += w
}

func (e ewma) value() float64 {
	if e.Weight <= 0 {
		return 0
	}
	return e.Sum / (1 - math.Pow(0.5, e.Weight/e.HalfLife))
}

// Estimator is the throughput estimate in kbit/s: the lower of a fast and a
// slow EWMA, so it falls quickly and climbs slowly. Only segments actually
// downloaded count (a cache hit says nothing about the network). The zero
// value is not ready: use NewEstimator.
type Estimator struct {
	Fast ewma `json:"fast"`
	Slow ewma `json:"slow"`
}

// NewEstimator returns an estimator that knows nothing yet.
func NewEstimator() Estimator {
	return Estimator{Fast: ewma{HalfLife: FastHalfLife}, Slow: ewma{HalfLife: SlowHalfLife}}
}

// Add records a download of n bytes that took seconds (shorter than 1 ms
// counts as 1 ms) and carried weight seconds of audio. Samples above
// OutlierFactor times the estimate are clamped to it.
func (e *Estimator) Add(n int, seconds, weight float64) {
	if n <= 0 || weight <= 0 {
		return
	}
	seconds = max(seconds, 1e-3)
	kbps := float64(n) * 8 / 1000 / seconds
	if cur := e.Kbps(); cur > 0 {
		kbps = min(kbps, OutlierFactor*cur)
	}
	e.Fast.add(kbps, weight)
	e.Slow.add(kbps, weight)
}

// Kbps returns the estimate in kbit/s, 0 while nothing is known.
func (e *Estimator) Kbps() float64 {
	f, s := e.Fast.value(), e.Slow.value()
	if f == 0 || s == 0 {
		return max(f, s)
	}
	return min(f, s)
}

// soften keeps the estimate's value but lowers its weight to one fast
// half-life, so that fresh samples dominate soon (after a restart the
// network may not be the one measured).
func (e *Estimator) soften() {
	for _, a := range []*ewma{&e.Fast, &e.Slow} {
		if a.Weight > FastHalfLife {
			v := a.value()
			a.Weight = FastHalfLife
			a.Sum = v * (1 - math.Pow(0.5, a.Weight/a.HalfLife))
		}
	}
}
