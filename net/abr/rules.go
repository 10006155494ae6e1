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
	// Buffer is the audio of the segments fetched after the one playing
	// (the play head has what is left of that one too: up to a Segment
	// more); Target is the read-ahead limit the buffer fills up to.
	Buffer, Target time.Duration
	// Playing is what is left to play of the segment playing, 0 when
	// none is (before the first arrives, or while the play head waits).
	Playing time.Duration
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
	// ThroughputBelow and BolaAbove are dash.js's DYNAMIC thresholds (the
	// throughput rule decides below half of stableBufferTime, 6 s, BOLA
	// above stableBufferTime, 12 s; between them the strategy in use
	// stays), less one 2.5 s segment: dash.js measures the buffer with the
	// segment playing, Metrics.Buffer without it, and a download is mostly
	// chosen as a segment starts playing (the read-ahead window opens
	// then). Counted at 6 s of Metrics.Buffer, the throughput rule took
	// over with up to 7.5 s of audio ahead and held the buffer there on a
	// dip with the lowest level instead of spending it.
	ThroughputBelow = 3500 * time.Millisecond
	BolaAbove       = 9500 * time.Millisecond
	// BolaBottom and BolaTop place BOLA's levels on the buffer: the lowest
	// gives way where the throughput rule takes over (ThroughputBelow) and
	// the highest is chosen one segment above that, from 6 s. A full
	// buffer on a link slower than the level then plays out at that level
	// for as long as it lasts, which is what a clairvoyant player would do
	// (on a 30 s dip to 120 kbit/s, 20 s buffered at 320k last 32 s); the
	// middle level spends what is left down to ThroughputBelow, and when
	// the link comes back the buffer refills at the highest level from
	// 6 s. Measured on issue 12's oscillation trace (30 s at 1 Mbit/s,
	// 30 s at 120 kbit/s): with the throughput rule below 6 s, BOLA from
	// 6 to 10 s and half the buffer for a download, the last 10 s of each
	// dip and the first 7 s after it came at 96k or 160k, 85% of the
	// oracle; with these figures 91% (make bench-abr).
	BolaBottom = ThroughputBelow
	BolaTop    = 6 * time.Second
	// InsufficientBufferSafety is the share of the buffer the next
	// download may take at the estimate: dash.js 5's InsufficientBufferRule
	// (its throughputSafetyFactor, default 0.7: bitrate <= 0.7 x throughput
	// x buffer / segment duration). dash.js 4 used 0.5, which on a dip
	// between two levels (120 kbit/s between 96k and 160k) kept the lowest
	// level with 5 s buffered where 160k loads in 3.3 s.
	InsufficientBufferSafety = 0.7
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
// most InsufficientBufferSafety of the audio left before it must play, at
// the estimate (dash.js InsufficientBufferRule, whose buffer level counts
// from the play head): the buffer and what is left of the segment
// playing; with none, the lowest. Counting the buffer alone, the segment
// after the first was always the lowest (0 s buffered while the first,
// 2.5 s of audio, had just begun): a restart with a known fast link played
// high, low, high. It does not apply before the first segment
// (ThroughputRule's startup budget does).
func InsufficientBufferRule(m Metrics) Choice {
	if m.Last < 0 {
		return Choice{m.top(), "start"}
	}
	left := m.Buffer + m.Playing
	if m.Throughput <= 0 || left <= 0 {
		return Choice{0, "buffer empty: lowest"}
	}
	l := m.highestFitting(m.Throughput, InsufficientBufferSafety*left.Seconds())
	return Choice{l, fmt.Sprintf("%.1f s to play: at most %s", left.Seconds(), m.Levels[l].Name)}
}

// minBufferToSwitchUp is MinBufferToSwitchUp for a given target.
func minBufferToSwitchUp(target time.Duration) time.Duration {
	return min(MinBufferToSwitchUp, target/4)
}
