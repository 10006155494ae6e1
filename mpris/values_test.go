package mpris

import (
	"math"
	"testing"
	"time"
)

// TestVolumeLevel: the MPRIS2 spec's Volume, set: below 0.0 is 0.0, above
// 1.0 is segue's loudest, NaN and the infinities are refused. 1e300, +Inf
// and NaN were converted to Go's out-of-range int and clamped to 0.
func TestVolumeLevel(t *testing.T) {
	for _, c := range []struct {
		vol    float64
		level  int
		finite bool
	}{
		{0.4, 40, true}, {0, 0, true}, {1, 100, true}, {0.555, 56, true}, {0.004, 0, true}, {0.005, 1, true},
		{-0.5, 0, true}, {-1e300, 0, true}, {1.5, 100, true}, {1e300, 100, true}, {math.MaxFloat64, 100, true},
		{math.Copysign(0, -1), 0, true}, {math.SmallestNonzeroFloat64, 0, true},
		{math.NaN(), 0, false}, {math.Inf(1), 0, false}, {math.Inf(-1), 0, false},
	} {
		if level, finite := volumeLevel(c.vol); level != c.level || finite != c.finite {
			t.Errorf("volumeLevel(%v) = %d, %v; want %d, %v", c.vol, level, finite, c.level, c.finite)
		}
	}
}

// TestRateSet: Rate 0.0 pauses, as the spec says; segue plays at 1.0 only,
// so any other rate changes nothing; NaN and the infinities are refused.
func TestRateSet(t *testing.T) {
	for _, c := range []struct {
		rate          float64
		pause, finite bool
	}{
		{1, false, true}, {0, true, true}, {math.Copysign(0, -1), true, true}, {2, false, true}, {0.5, false, true},
		{-1, false, true}, {math.NaN(), false, false}, {math.Inf(1), false, false}, {math.Inf(-1), false, false},
	} {
		if pause, finite := rateSet(c.rate); pause != c.pause || finite != c.finite {
			t.Errorf("rateSet(%v) = %v, %v; want %v, %v", c.rate, pause, finite, c.pause, c.finite)
		}
	}
}

// TestSeekTarget: Seek past the start is 0, past the end is Next, with
// offsets up to the int64 limits (which wrapped round as a time.Duration).
func TestSeekTarget(t *testing.T) {
	const s = time.Second
	for _, c := range []struct {
		name        string
		pos, length time.Duration
		offsetUS    int64
		to          time.Duration
		next        bool
	}{
		{"forward", 10 * s, 60 * s, 5e6, 15 * s, false},
		{"back", 10 * s, 60 * s, -5e6, 5 * s, false},
		{"zero", 10 * s, 60 * s, 0, 10 * s, false},
		{"to the start", 10 * s, 60 * s, -10e6, 0, false},
		{"past the start", 10 * s, 60 * s, -3600e6, 0, false},
		{"to the end", 10 * s, 60 * s, 50e6, 60 * s, false},
		{"1 µs past the end", 10 * s, 60 * s, 50e6 + 1, 0, true},
		{"past the end", 10 * s, 60 * s, 3600e6, 0, true},
		{"max int64", 10 * s, 60 * s, math.MaxInt64, 0, true},
		{"min int64", 10 * s, 60 * s, math.MinInt64, 0, false},
		{"max int64 from 0", 0, 60 * s, math.MaxInt64, 0, true},
		{"min int64 from 0", 0, 60 * s, math.MinInt64, 0, false},
		{"unknown length", 10 * s, 0, 5e6, 15 * s, false},
		{"unknown length, max int64", 10 * s, 0, math.MaxInt64, math.MaxInt64, false},
	} {
		if to, next := seekTarget(c.pos, c.length, c.offsetUS); to != c.to || next != c.next {
			t.Errorf("%s: seekTarget(%v, %v, %d) = %v, %v; want %v, %v", c.name, c.pos, c.length, c.offsetUS, to, next, c.to, c.next)
		}
	}
}

// TestPositionAt: SetPosition below 0 or past the track's length does
// nothing, as the spec says; the largest int64 went to 0:00 (it wrapped to
// -1 µs as a time.Duration).
func TestPositionAt(t *testing.T) {
	const s = time.Second
	for _, c := range []struct {
		name   string
		length time.Duration
		posUS  int64
		to     time.Duration
		ok     bool
	}{
		{"inside", 60 * s, 30e6, 30 * s, true},
		{"start", 60 * s, 0, 0, true},
		{"end", 60 * s, 60e6, 60 * s, true},
		{"1 µs past the end", 60 * s, 60e6 + 1, 0, false},
		{"negative", 60 * s, -1, 0, false},
		{"min int64", 60 * s, math.MinInt64, 0, false},
		{"max int64", 60 * s, math.MaxInt64, 0, false},
		{"unknown length", 0, 30e6, 30 * s, true},
		{"unknown length, max int64", 0, math.MaxInt64, math.MaxInt64, true},
	} {
		if to, ok := positionAt(c.length, c.posUS); to != c.to || ok != c.ok {
			t.Errorf("%s: positionAt(%v, %d) = %v, %v; want %v, %v", c.name, c.length, c.posUS, to, ok, c.to, c.ok)
		}
	}
}

func TestInstanceName(t *testing.T) {
	for in, want := range map[string]string{
		"":      "org.mpris.MediaPlayer2.segue",
		"b":     "org.mpris.MediaPlayer2.segue.b",
		"b.2":   "org.mpris.MediaPlayer2.segue.b_2",
		"2nd":   "org.mpris.MediaPlayer2.segue._2nd",
		"-x_y":  "org.mpris.MediaPlayer2.segue.-x_y",
		"..a..": "org.mpris.MediaPlayer2.segue.__a__",
	} {
		if got := InstanceName(in); got != want {
			t.Errorf("InstanceName(%q) = %q, want %q", in, got, want)
		}
	}
}
