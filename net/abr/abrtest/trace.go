// Package abrtest is the test harness of adaptive bitrate: bandwidth
// traces, a throttling HTTP proxy on loopback that replays one between the
// client and the origin, and the clairvoyant oracle a run is compared
// with. Tests and make bench-abr use it; segue itself never imports it.
//
// Traces live in testdata/traces/ at the root of the repository (see the
// README there for sources, licences and scaling).
package abrtest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Step is one line of a trace: from At on, the link carries Kbps kbit/s
// and every request waits Latency before its first byte.
type Step struct {
	At      time.Duration
	Kbps    float64
	Latency time.Duration
}

// Trace is a bandwidth trace: steps in time order, replayed in a loop of
// length Duration.
type Trace struct {
	Name     string
	Steps    []Step
	Duration time.Duration
	cum      []float64 // bytes carried from 0 to Steps[i].At
}

// ErrBadTrace is wrapped by ParseTrace for every malformed input.
var ErrBadTrace = errors.New("bad trace")

// ParseTrace reads Pensieve's format: one `time_s<TAB>Mbit/s` line per
// step (any whitespace), an optional third column of added latency in ms,
// '#' comments and blank lines ignored. Times start at 0 and increase; the
// last step lasts as long as the one before it (1 s when it is the only
// one); a trace that never carries a byte is refused.
func ParseTrace(name string, r io.Reader) (Trace, error) {
	t := Trace{Name: name}
	sc := bufio.NewScanner(r)
	line := 0
	bad := func(format string, a ...any) (Trace, error) {
		return Trace{}, fmt.Errorf("%w %s line %d: %s", ErrBadTrace, name, line, fmt.Sprintf(format, a...))
	}
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		f := strings.Fields(s)
		if len(f) < 2 || len(f) > 3 {
			return bad("want time_s, Mbit/s and an optional latency in ms, got %q", s)
		}
		var v [3]float64
		for i, x := range f {
			n, err := strconv.ParseFloat(x, 64)
			if err != nil || n < 0 || math.IsInf(n, 0) || math.IsNaN(n) || n > 1e6 {
				return bad("%q is not a number between 0 and 1e6", x)
			}
			v[i] = n
		}
		at := time.Duration(v[0] * float64(time.Second))
		if len(t.Steps) == 0 && at != 0 {
			return bad("the first step must be at time 0, not %v", at)
		}
		if len(t.Steps) > 0 && at <= t.Steps[len(t.Steps)-1].At {
			return bad("time %v does not increase", at)
		}
		t.Steps = append(t.Steps, Step{At: at, Kbps: v[1] * 1000, Latency: time.Duration(v[2] * float64(time.Millisecond))})
	}
	if err := sc.Err(); err != nil {
		return Trace{}, fmt.Errorf("read trace %s: %w", name, err)
	}
	if len(t.Steps) == 0 {
		return bad("no steps")
	}
	last := time.Second
	if n := len(t.Steps); n > 1 {
		last = t.Steps[n-1].At - t.Steps[n-2].At
	}
	t.Duration = t.Steps[len(t.Steps)-1].At + last
	t.cum = make([]float64, len(t.Steps)+1)
	for i, s := range t.Steps {
		end := t.Duration
		if i+1 < len(t.Steps) {
			end = t.Steps[i+1].At
		}
		t.cum[i+1] = t.cum[i] + s.Kbps*125*(end-s.At).Seconds()
	}
	if t.cum[len(t.Steps)] < 1 {
		return bad("the link never carries a byte")
	}
	return t, nil
}

// LoadTrace reads a trace file; its name is the file's base name.
func LoadTrace(path string) (Trace, error) {
	f, err := os.Open(path)
	if err != nil {
		return Trace{}, fmt.Errorf("load trace: %w", err)
	}
	defer f.Close()
	name := path[strings.LastIndex(path, "/")+1:]
	return ParseTrace(strings.TrimSuffix(name, ".txt"), f)
}

// step returns the index of the step in force at loop time at.
func (t Trace) step(at time.Duration) int {
	return sort.Search(len(t.Steps), func(i int) bool { return t.Steps[i].At > at }) - 1
}

// At returns the step in force at time at (the trace loops).
func (t Trace) At(at time.Duration) Step {
	return t.Steps[t.step(at%t.Duration)]
}

// bytesUntil is the bytes the link carries from 0 to at.
func (t Trace) bytesUntil(at time.Duration) float64 {
	loops := float64(at / t.Duration)
	in := at % t.Duration
	i := t.step(in)
	return loops*t.cum[len(t.Steps)] + t.cum[i] + t.Steps[i].Kbps*125*(in-t.Steps[i].At).Seconds()
}

// Finish returns when n bytes sent from start have crossed the link.
func (t Trace) Finish(start time.Duration, n float64) time.Duration {
	target := t.bytesUntil(start) + n
	period := t.cum[len(t.Steps)]
	loops := math.Floor(target / period)
	rest := target - loops*period
	// The step in which the loop's cumulative bytes reach rest.
	i := sort.Search(len(t.Steps), func(i int) bool { return t.cum[i+1] >= rest })
	i = min(i, len(t.Steps)-1)
	s := t.Steps[i]
	var in time.Duration
	if s.Kbps > 0 {
		in = s.At + time.Duration((rest-t.cum[i])/(s.Kbps*125)*float64(time.Second))
	} else {
		in = s.At
	}
	end := time.Duration(loops)*t.Duration + in
	return max(end, start)
}

// MinSustained is the lowest mean rate in kbit/s over any window of the
// given length (looping): a trace whose MinSustained over the buffer is at
// least the lowest rendition can play without a stall.
func (t Trace) MinSustained(window time.Duration) float64 {
	lo := math.Inf(1)
	for at := time.Duration(0); at < t.Duration; at += 100 * time.Millisecond {
		lo = min(lo, (t.bytesUntil(at+window)-t.bytesUntil(at))/125/window.Seconds())
	}
	return lo
}
