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

// DefaultMaxBoostDB is how far normalization raises a track at most, in dB.
// 10 dB brings a master made to broadcast level (EBU R128: -23 LUFS) up to
// the -14 LUFS target with 1 dB to spare; a track quieter than that is quiet
// on purpose or mostly noise floor, and raising it further turns encoder
// noise into hiss.
const DefaultMaxBoostDB = 10.0

// NoBoost as GainDB's maxBoost (Options.MaxBoostDB) means normalization
// only ever lowers.
const NoBoost = -1.0

// GainDB returns the gain in dB that brings a track measured as l to target
// (LUFS): never more than maxBoost dB up (a negative maxBoost allows none),
// never up at all when the loudness could not be measured (see
// catalog.Loudness.Measured: near silence, a clip shorter than one gating
// block), and limited so the true peak stays at or below MaxTruePeakDBTP.
// Album mode uses the album's measurement when it has one and the track's
// otherwise.
func GainDB(l catalog.Loudness, mode LoudnessMode, target, maxBoost float64) float64 {
	if mode == LoudnessOff || l == (catalog.Loudness{}) {
		return 0 // off, or a manifest with no loudness at all: as mastered
	}
	g, peak := 0.0, l.TruePeakDBTP
	album := catalog.Loudness{IntegratedLUFS: l.AlbumLUFS, TruePeakDBTP: l.AlbumPeakDBTP}
	switch {
	case mode == LoudnessAlbum && album.Measured():
		g, peak = target-album.IntegratedLUFS, album.TruePeakDBTP
	case l.Measured():
		g = target - l.IntegratedLUFS
	}
	return min(g, max(maxBoost, 0), MaxTruePeakDBTP-peak)
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
