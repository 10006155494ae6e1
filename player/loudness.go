package player

import (
	"fmt"
	"math"

	"segue/catalog"
)

// LoudnessMode selects which measurement normalization uses.
type LoudnessMode int

// Loudness modes.
const (
	LoudnessTrack LoudnessMode = iota // each track to the target
	LoudnessAlbum                     // the album to the target, keeping its tracks' relative levels
	LoudnessOff                       // play as mastered
)

// DefaultTargetLUFS is the loudness normalization aims at (the level most
// streaming services use).
const DefaultTargetLUFS = -14.0

// MaxTruePeakDBTP is the ceiling normalization never pushes a track above.
const MaxTruePeakDBTP = -1.0

// String returns the mode's name.
func (m LoudnessMode) String() string {
	return [...]string{"track", "album", "off"}[m]
}

// ParseLoudnessMode reads "track", "album" or "off".
func ParseLoudnessMode(s string) (LoudnessMode, error) {
	switch s {
	case "track", "":
		return LoudnessTrack, nil
	case "album":
		return LoudnessAlbum, nil
	case "off":
		return LoudnessOff, nil
	}
	return 0, fmt.Errorf("loudness mode %q: want track, album or off", s)
}

// GainDB returns the gain in dB that brings a track measured as l to target,
// limited so its true peak stays at or below MaxTruePeakDBTP. Album mode
// falls back to the track's measurement when the album's is unknown. An
// unmeasured track (integrated loudness 0) gets no gain.
func GainDB(l catalog.Loudness, mode LoudnessMode, target float64) float64 {
	if mode == LoudnessOff {
		return 0
	}
	lufs, peak := l.IntegratedLUFS, l.TruePeakDBTP
	if mode == LoudnessAlbum && l.AlbumLUFS != 0 {
		lufs, peak = l.AlbumLUFS, l.AlbumPeakDBTP
	}
	if lufs == 0 || math.IsInf(lufs, -1) || math.IsNaN(lufs) {
		return 0
	}
	g := target - lufs
	if limit := MaxTruePeakDBTP - peak; g > limit {
		g = limit
	}
	return g
}

// dbToLinear converts a gain in dB to an amplitude factor.
func dbToLinear(db float64) float64 { return math.Pow(10, db/20) }

// volumeFactor maps a 0-100 volume to an amplitude factor on a square law,
// which sounds closer to even steps than a linear one; 100 is unity.
func volumeFactor(v int) float64 {
	v = min(max(v, 0), 100)
	f := float64(v) / 100
	return f * f
}
