package abrtest

import (
	"flag"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"segue/net/abr"
)

// simTrace names a trace whose every decision TestSimulatedTraces logs
// (go test -run Simulated -v -args -sim.trace=oscillation).
var simTrace = flag.String("sim.trace", "", "trace whose per-segment decisions TestSimulatedTraces logs")

// simRun is what simulate saw.
type simRun struct {
	level   []int // per segment
	stalls  int
	stalled time.Duration
	mean    float64 // kbit/s over segments
	log     []string
}

func levelsOf(p Plan) []abr.Level {
	var levels []abr.Level
	for _, k := range p.Kbps {
		levels = append(levels, abr.Level{Name: fmt.Sprint(k), Kbps: k})
	}
	return levels
}

// simulate plays every segment of p on trace in virtual time, the way the
// player fetches (player/stream.go fetchLoop, player/choose.go): one
// download at a time; segment i once the audio of the segments between the
// one being read and i is under the read-ahead (p.Buffer), which is also
// the buffer the rules are given, with what is left of the segment playing
// as Metrics.Playing; before each new segment, a buffered one fetched
// again higher when abr.ReplaceRule says so (given up by the abandon rule
// or when the decoder takes it first); abandon checks every 100 ms on
// levels above the lowest, the bytes received counted in the proxy's
// chunks; estimate samples from completed downloads. The play head starts
// when segment 0 has arrived and waits (a stall) for a segment not there
// yet. It is a model of the player for fast, deterministic checks of the
// rules; make bench-abr plays the real thing. On oscillation it made the
// same choices, segment by segment, as a real run (make bench-abr
// ABR_LOG=DIR) with the rules it was compared on: 288 kbit/s both.
func simulate(tr Trace, p Plan, c *abr.Controller, clock *time.Duration, verbose bool) simRun {
	levels := levelsOf(p)
	n, dur := len(p.Sizes[0]), p.Segment
	// req[j]: when the decoder asks for segment j (the previous one has
	// played out); play[j]: when it starts playing.
	req, play := make([]time.Duration, n), make([]time.Duration, n)
	run := simRun{level: make([]int, n)}
	reading := func(t time.Duration, below int) int {
		r := 0
		for j := 1; j < below && req[j] <= t; j++ {
			r = j
		}
		return r
	}
	window := int((p.Buffer + dur - 1) / dur) // segments between reading and i, plus one
	var t time.Duration
	for i := range n {
		if i > 0 {
			req[i] = play[i-1] + dur
		}
		// (i-1-reading)*dur < Buffer once reading >= i-window.
		if k := i - window; k >= 1 {
			t = max(t, req[k])
		}
		forced, replace := -1, true
		for {
			*clock = t
			r := reading(t, i)
			m := abr.Metrics{Levels: levels, Max: len(levels) - 1, Buffer: time.Duration(max(i-1-r, 0)) * dur, Target: p.Buffer, Segment: dur}
			if r < i && play[r] <= t && t < play[r]+dur { // segment r has arrived and plays
				m.Playing = play[r] + dur - t
			}
			ch := c.Choose(m)
			l := ch.Level
			if forced >= 0 {
				l, forced = forced, -1
			} else if replace {
				var ahead []abr.Buffered
				for j := r + 1; j < i; j++ {
					ahead = append(ahead, abr.Buffered{Level: run.level[j], Starts: time.Duration(j-1-r) * dur})
				}
				if k, ok := c.Replace(m, l, ahead); ok {
					j := r + 1 + k
					var done bool
					t, done = simReplace(tr, p, c, clock, j, l, ahead[k].Starts, t, req[j])
					if done {
						if verbose {
							run.log = append(run.log, fmt.Sprintf("%6.2fs segment %2d: replaced %s with %s", t.Seconds(), j, levels[run.level[j]].Name, levels[l].Name))
						}
						run.level[j] = l
					} else {
						replace = false // one attempt that failed per new segment
						if verbose {
							run.log = append(run.log, fmt.Sprintf("%6.2fs segment %2d: replacement at %s given up", t.Seconds(), j, levels[l].Name))
						}
					}
					continue
				}
			}
			size := float64(p.Sizes[l][i])
			begin := t + p.Base + tr.At(t).Latency
			end := tr.Finish(begin, size)
			if a, at, ok := simAbandon(tr, c, clock, m, l, size, t, begin, end, m.Buffer); ok {
				if verbose {
					run.log = append(run.log, fmt.Sprintf("%6.2fs segment %2d: abandoned %s", at.Seconds(), i, a.Reason))
				}
				forced, t = a.Level, at
				continue
			}
			if i > 0 && end > req[i] {
				*clock = req[i]
				c.Stalled(run.level[i-1])
				run.stalls++
				run.stalled += end - req[i]
			}
			*clock = end
			c.Downloaded(int(size), end-t, dur)
			c.Chose(l)
			run.level[i] = l
			if verbose {
				run.log = append(run.log, fmt.Sprintf("%6.2fs segment %2d: %4.1f s buffered, link %4.0f kbit/s, estimate %4.0f: %s (%s) in %.2f s", t.Seconds(), i, m.Buffer.Seconds(), tr.At(t).Kbps, c.Kbps(), levels[l].Name, ch.Reason, (end-t).Seconds()))
			}
			t = end
			break
		}
		play[i] = max(req[i], t)
	}
	var sum float64
	for _, l := range run.level {
		sum += float64(p.Kbps[l])
	}
	run.mean = sum / float64(n)
	return run
}

// simAbandon checks a download of size bytes at level l requested at t
// (its first byte leaves at begin, its last arrives at end) every 100 ms
// against the abandon rule, the bytes received counted in the proxy's
// chunks as the client reads them, with buffer the audio it must arrive
// within. It returns the rule's choice and when it gave up.
func simAbandon(tr Trace, c *abr.Controller, clock *time.Duration, m abr.Metrics, l int, size float64, t, begin, end, buffer time.Duration) (abr.Choice, time.Duration, bool) {
	for k := t + 100*time.Millisecond; l > 0 && k < end; k += 100 * time.Millisecond {
		*clock = k
		var loaded int
		if k > begin {
			loaded = int(tr.bytesUntil(k)-tr.bytesUntil(begin)) / chunk * chunk
		}
		if a, ok := c.Abandon(m, abr.Inflight{Level: l, Elapsed: k - t, Buffer: buffer, Loaded: loaded, Size: int(size)}); ok {
			return a, k, true
		}
	}
	return abr.Choice{}, 0, false
}

// simReplace fetches segment j again at level l from t, as the player
// does when abr.ReplaceRule says so: given up by the abandon rule (with
// the audio before j starts as the buffer), or when the decoder takes j
// (at taken) before it arrives. It returns when the attempt ended and
// whether the new copy arrived in time.
func simReplace(tr Trace, p Plan, c *abr.Controller, clock *time.Duration, j, l int, starts, t, taken time.Duration) (time.Duration, bool) {
	size := float64(p.Sizes[l][j])
	begin := t + p.Base + tr.At(t).Latency
	end := tr.Finish(begin, size)
	m := abr.Metrics{Levels: levelsOf(p), Max: len(p.Kbps) - 1, Buffer: starts, Target: p.Buffer, Segment: p.Segment}
	if _, at, ok := simAbandon(tr, c, clock, m, l, size, t, begin, min(end, taken), starts); ok {
		return at, false
	}
	if end > taken {
		return taken, false
	}
	*clock = end
	c.Downloaded(int(size), end-t, p.Segment)
	return end, true
}

// cbrPlan is 80 segments (200 s) of 96 MP3 frames (2.508 s) at segue's
// renditions, sized as constant bitrate, with a 20 s read-ahead (the
// player's default).
func cbrPlan() Plan {
	p := Plan{Kbps: []int{96, 160, 320}, Segment: 96 * 1152 * time.Second / 44100, Buffer: 20 * time.Second, Base: 2 * time.Millisecond}
	for _, k := range p.Kbps {
		s := make([]int64, 80)
		for i := range s {
			s[i] = int64(float64(k) * 125 * p.Segment.Seconds())
		}
		p.Sizes = append(p.Sizes, s)
	}
	return p
}

// TestSimulatedTraces plays every shipped trace through the rules in
// virtual time (simulate) and holds them to issue 12's acceptance where
// the oracle has a plan: no stall, and a mean bitrate of at least 90% of
// the oracle's. Measured (this model, with the rules of this commit):
// oscillation 299 of 315 kbit/s (95%; 288, 91%, before segment
// replacement and the segment playing counted), steps 97%, norway-train-1
// 96%, every other trace 100%.
func TestSimulatedTraces(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "..", "..", "testdata", "traces", "*.txt"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no traces: %v", err)
	}
	p := cbrPlan()
	for _, path := range paths {
		tr, err := LoadTrace(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(tr.Name, func(t *testing.T) {
			var clock time.Duration
			c := abr.NewController(func() time.Time { return time.Unix(0, 0).Add(clock) })
			run := simulate(tr, p, c, &clock, tr.Name == *simTrace)
			for _, l := range run.log {
				t.Log(l)
			}
			oracle, ok := Oracle(tr, p)
			t.Logf("%d stalls (%v), mean %.0f kbit/s, oracle %.0f (plan: %v)", run.stalls, run.stalled, run.mean, oracle, ok)
			if !ok {
				return // not sustainable: the oracle stalls too
			}
			if run.stalls > 0 {
				t.Errorf("%d stalls (%v), want none", run.stalls, run.stalled)
			}
			if run.mean < 0.9*oracle {
				t.Errorf("mean %.0f kbit/s is %.1f%% of the oracle's %.0f, want at least 90%%", run.mean, 100*run.mean/oracle, oracle)
			}
		})
	}
}
