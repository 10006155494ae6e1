package abr

import (
	"fmt"
	"math"
	"time"
)

// Level is one rendition as the rules see it: its name and bitrate.
type Level struct {
	Name string
	Kbps int
}

// Metrics is what the rules read: a snapshot taken when a segment is about
// to be fetched.
type Metrics struct {
	// Levels are the renditions, lowest bitrate first (at least one).
	Levels []Level
	// Max is the highest level allowed (max_quality); Levels' last index
	// when there is no cap.
	Max int
	// Last is the level of the previous segment, -1 before the first.
	Last int
	// Throughput is the estimate in kbit/s, 0 while unknown.
	Throughput float64
	// Buffer is the audio fetched ahead of the play head; Target is the
	// read-ahead limit the buffer fills up to.
	Buffer, Target time.Duration
	// Segment is the duration of one segment.
	Segment time.Duration
}

// Choice is a rule's answer: a level index and why.
type Choice struct {
	Level  int
	Reason string
}

// Figures the rules use; the sources are named where they come from.
const (
	// Safety is the share of the estimate a download may plan to use
	// (dash.js uses 0.9, ExoPlayer 0.7; our estimate already takes the
	// lower of two averages and counts request latency, so 0.9).
	Safety = 0.9
	// MinBufferToSwitchUp is the buffer below which the level never rises
	// (ExoPlayer's minDurationForQualityIncreaseMs, 10 s of its 50 s
	// maximum buffer), scaled to a quarter of a shorter target: 5 s of
	// segue's default 20 s.
	MinBufferToSwitchUp = 10 * time.Second
	// UpMargin is the hysteresis of an up-switch: the estimate must carry
	// the higher level with this much to spare beyond Safety, so a rate
	// just at a boundary does not flip between two levels.
	UpMargin = 1.15
	// ThroughputBelow and BolaAbove are dash.js's DYNAMIC thresholds: the
	// throughput rule decides below 6 s of buffer, BOLA above 12 s, and
	// between them the strategy in use stays.
	ThroughputBelow = 6 * time.Second
	BolaAbove       = 12 * time.Second
	// BolaBottom and BolaTop place BOLA's levels on the buffer: the lowest
	// gives way at 6 s (where the throughput rule takes over anyway) and
	// the highest is chosen from 10 s (MinBufferToSwitchUp) on. A full
	// buffer on a link slower than the level then plays out at that level
	// for as long as it lasts, which is what a clairvoyant player would do
	// (on a 30 s dip to 120 kbit/s, 20 s buffered at 320k last 32 s).
	BolaBottom = 6 * time.Second
	BolaTop    = 10 * time.Second
	// StartupBudget is how long the first download may take when the
	// estimate is known (a restart): the level is the highest that fits.
	StartupBudget = time.Second
)

func (m Metrics) top() int { return min(max(m.Max, 0), len(m.Levels)-1) }

// segKbit is the size of one segment of level l in kbit.
func (m Metrics) segKbit(l int) float64 {
	return float64(m.Levels[l].Kbps) * m.Segment.Seconds()
}

// highestFitting is the highest level (at most top) whose segment downloads
// within seconds at rate kbps; level 0 when none does.
func (m Metrics) highestFitting(kbps, seconds float64) int {
	for l := m.top(); l > 0; l-- {
		if m.segKbit(l) <= kbps*seconds {
			return l
		}
	}
	return 0
}

// ThroughputRule picks the highest level whose bitrate fits in Safety times
// the estimate; the lowest while nothing is known; for the first segment,
// the highest that downloads within StartupBudget.
func ThroughputRule(m Metrics) Choice {
	if m.Throughput <= 0 {
		return Choice{0, "no estimate yet: lowest"}
	}
	if m.Last < 0 {
		l := m.highestFitting(m.Throughput*Safety, StartupBudget.Seconds())
		return Choice{l, fmt.Sprintf("start: %s downloads within %v at %.0f kbit/s", m.Levels[l].Name, StartupBudget, m.Throughput)}
	}
	l := 0
	for i := m.top(); i > 0; i-- {
		need := float64(m.Levels[i].Kbps)
		if i > m.Last {
			need *= UpMargin
		}
		if need <= Safety*m.Throughput {
			l = i
			break
		}
	}
	return Choice{l, fmt.Sprintf("throughput %.0f kbit/s x %.1f carries %s", m.Throughput, Safety, m.Levels[l].Name)}
}

// BolaRule is BOLA-BASIC (Spiteri, Urgaonkar, Sitaraman, "BOLA:
// Near-Optimal Bitrate Adaptation for Online Videos", INFOCOM 2016): it
// maximizes (V*(u_m + gamma) - Q) / S_m over levels m, with utility
// u_m = ln(S_m/S_0), Q the buffer in seconds and S_m the bitrate. V and
// gamma are set so that the lowest level gives way at BolaBottom and the
// highest is reached at BolaTop (both at most a segment before Target).
// Unlike dash.js's BOLA-O, a rise is not limited to what the throughput
// rule allows: with a full buffer, a level a little above the link drains
// it slowly (320k on a 300 kbit/s link loses 1 s of buffer a minute), and
// BOLA steps down as it drains; SwitchHistoryRule stops a level that keeps
// being left from coming back.
func BolaRule(m Metrics) Choice {
	top := m.top()
	if top == 0 {
		return Choice{0, "bola: one level"}
	}
	hi := min(BolaTop, m.Target-m.Segment).Seconds()
	lo := min(BolaBottom.Seconds(), hi-1)
	s := func(l int) float64 { return float64(m.Levels[l].Kbps) }
	u := func(l int) float64 { return math.Log(s(l) / s(0)) }
	// The buffer level at which levels l and l+1 score alike is V*a(l) + W
	// with W = V*gamma.
	a := func(l int) float64 { return (s(l+1)*u(l) - s(l)*u(l+1)) / (s(l+1) - s(l)) }
	var v float64
	if top == 1 {
		v = 1 // one threshold: put it midway
		lo = (lo + hi) / 2
	} else {
		v = (hi - lo) / (a(top-1) - a(0))
	}
	w := lo - v*a(0)
	q := m.Buffer.Seconds()
	best, bestScore := 0, math.Inf(-1)
	for l := 0; l <= top; l++ {
		if score := (v*u(l) + w - q) / s(l); score > bestScore {
			best, bestScore = l, score
		}
	}
	return Choice{best, fmt.Sprintf("bola: %.1f s buffered -> %s", q, m.Levels[best].Name)}
}

// InsufficientBufferRule caps the level so that the next download takes at
// most half the buffer at the estimate (dash.js InsufficientBufferRule):
// with an empty buffer, the lowest. It does not apply before the first
// segment (ThroughputRule's startup budget does).
func InsufficientBufferRule(m Metrics) Choice {
	if m.Last < 0 {
		return Choice{m.top(), "start"}
	}
	if m.Throughput <= 0 || m.Buffer <= 0 {
		return Choice{0, "buffer empty: lowest"}
	}
	l := m.highestFitting(m.Throughput, m.Buffer.Seconds()/2)
	return Choice{l, fmt.Sprintf("%.1f s buffered: at most %s", m.Buffer.Seconds(), m.Levels[l].Name)}
}

// minBufferToSwitchUp is MinBufferToSwitchUp for a given target.
func minBufferToSwitchUp(target time.Duration) time.Duration {
	return min(MinBufferToSwitchUp, target/4)
}
