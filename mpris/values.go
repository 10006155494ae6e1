package mpris

import (
	"math"
	"time"
)

// This file turns what a D-Bus client sends into what the player takes,
// as the MPRIS2 spec's Player interface says
// (https://specifications.freedesktop.org/mpris-spec/2.2/Player_Interface.html).
// Each is pure, so the spec's edge cases are table-tested without a bus.

// volumeLevel is the player's volume (0-100) for an MPRIS Volume. The spec:
// "When setting, if a negative value is passed, the volume should be set
// to 0.0." Above 1.0 is 1.0, segue's loudest (the spec lets a player go
// past 1.0; segue's volume stops at 100). NaN and the infinities are no
// level at all (finite false): converted to an int they were Go's
// out-of-range result, which the clamp made 0, silence.
func volumeLevel(vol float64) (level int, finite bool) {
	if math.IsNaN(vol) || math.IsInf(vol, 0) {
		return 0, false
	}
	return int(math.Round(min(max(vol, 0), 1) * 100)), true
}

// rateSet says what setting Rate to rate does. The spec: "A value of 0.0
// should not be set by the client. If it is, the media player should act
// as though Pause was called" (pause); segue plays at 1.0 only
// (MinimumRate = MaximumRate = 1.0), and for other values "It is left to
// media player implementations to decide how to deal with values they
// cannot use; they may either ignore them or pan to the nearest value":
// 1.0 is both, so they change nothing. NaN and the infinities are no rate
// (finite false), refused as Volume refuses them.
func rateSet(rate float64) (pause, finite bool) {
	if math.IsNaN(rate) || math.IsInf(rate, 0) {
		return false, false
	}
	return rate == 0, true
}

// seekTarget is where Seek(offsetUS) from pos in a track of length length
// (0: not known) goes. The spec: "If this would mean seeking back further
// than the start of the track, the position is set to 0. If the value
// passed in would mean seeking beyond the end of the track, acts like a
// call to Next" (next). The sum is taken in µs, saturating: an offset near
// the int64 limits wrapped round as a time.Duration (Seek by the largest
// int64 went back 1 µs).
func seekTarget(pos, length time.Duration, offsetUS int64) (to time.Duration, next bool) {
	at := pos.Microseconds()
	switch {
	case offsetUS > 0 && at > math.MaxInt64-offsetUS:
		at = math.MaxInt64
	case offsetUS < 0 && at < math.MinInt64-offsetUS:
		at = 0
	default:
		at += offsetUS
	}
	if length > 0 && at > length.Microseconds() {
		return 0, true
	}
	return durationUS(max(at, 0)), false
}

// positionAt is where SetPosition(posUS) goes in a track of length length
// (0: not known, then the player stops at the end), ok false when it goes
// nowhere. The spec: "If the Position argument is less than 0, do
// nothing. If the Position argument is greater than the track length, do
// nothing." Compared in µs: as a time.Duration the largest int64 wrapped
// to -1 µs and went to 0:00.
func positionAt(length time.Duration, posUS int64) (to time.Duration, ok bool) {
	if posUS < 0 || length > 0 && posUS > length.Microseconds() {
		return 0, false
	}
	return durationUS(posUS), true
}

// durationUS is us µs as a time.Duration, the largest one past it.
func durationUS(us int64) time.Duration {
	if us > math.MaxInt64/int64(time.Microsecond) {
		return math.MaxInt64
	}
	return time.Duration(us) * time.Microsecond
}
