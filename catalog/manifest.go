package catalog

import (
	"errors"
	"fmt"
	"regexp"
)

// Audio constants shared by ingest and playback (see docs/architecture.md, audio format).
const (
	SampleRate      = 44100
	Channels        = 2
	SamplesPerFrame = 1152 // MPEG-1 Layer III
	// StartSkip is encoder delay (576) plus decoder delay (529) for an MP3
	// written without a Xing/Info frame.
	StartSkip = 1105
)

// Codecs a rendition may have. The origin's renditions are MP3; a Subsonic
// server may send a file as it is. Only MP3 segments are runs of frames
// (seekable by frame); the others are runs of bytes of one stream, decoded
// from its start.
const (
	CodecMP3    = "mp3"
	CodecFLAC   = "flac"
	CodecVorbis = "vorbis" // Ogg Vorbis
	CodecWAV    = "wav"
)

// Rendition names, lowest bitrate first.
const (
	RenditionLow    = "low"
	RenditionNormal = "normal"
	RenditionHigh   = "high"
)

// Bitrates maps each lossy rendition to its CBR bitrate in kbit/s.
var Bitrates = map[string]int{RenditionLow: 96, RenditionNormal: 160, RenditionHigh: 320}

// RenditionNames lists the renditions in ascending bitrate.
var RenditionNames = []string{RenditionLow, RenditionNormal, RenditionHigh}

// Manifest describes how to play one track: its renditions cut into segments
// at the same MP3 frame indices, and how to trim the decoded stream to the
// exact source samples.
//
// Segment i of every rendition holds frames [i*FramesPerSegment, ...) of the
// encoded stream, so a player may switch rendition at any segment boundary.
// The decoded stream (one decoder across segments) is trimmed by dropping the
// first StartSkip samples and keeping TotalSamples samples after them.
type Manifest struct {
	TrackID          string      `json:"track_id"`
	SampleRate       int         `json:"sample_rate"`
	Channels         int         `json:"channels"`
	SamplesPerFrame  int         `json:"samples_per_frame"`
	FramesPerSegment int         `json:"frames_per_segment"`
	StartSkip        int         `json:"start_skip"`
	TotalSamples     int64       `json:"total_samples"`
	Loudness         Loudness    `json:"loudness"`
	Renditions       []Rendition `json:"renditions"`
}

// GateLUFS is the absolute gate of ITU-R BS.1770-4 (EBU R128): blocks
// quieter than it are left out of integrated loudness, so a track with none
// above it has no measurable loudness (ffmpeg's ebur128 then reports exactly
// -70 LUFS).
const GateLUFS = -70.0

// GateBlockSeconds is the length of one gating block of BS.1770-4: audio
// shorter than that holds no block, so its loudness cannot be measured.
const GateBlockSeconds = 0.4

// Loudness is measured at ingest with ffmpeg's ebur128 filter.
type Loudness struct {
	IntegratedLUFS float64 `json:"integrated_lufs"`
	TruePeakDBTP   float64 `json:"true_peak_dbtp"`
	// Unmeasured says why integrated loudness could not be measured
	// (nothing above the gate, shorter than one gating block); empty when
	// it was. A player must not raise such a track: its "loudness" is a
	// floor, not a level.
	Unmeasured string `json:"unmeasured,omitempty"`
	// AlbumLUFS is the integrated loudness of the whole album the track is
	// on (for album-mode normalization); 0 when unknown.
	AlbumLUFS float64 `json:"album_lufs,omitempty"`
	// AlbumPeakDBTP is the highest true peak of the album's tracks.
	AlbumPeakDBTP float64 `json:"album_peak_dbtp,omitempty"`
}

// Rendition is one encoding of the track.
type Rendition struct {
	Name     string    `json:"name"`
	Codec    string    `json:"codec"` // CodecMP3 (the origin's), or another Codec* (a Subsonic server's file as it is)
	Bitrate  int       `json:"bitrate_kbps"`
	Segments []Segment `json:"segments"`
}

// Segment is a run of whole MP3 frames stored under the sha256 of its bytes.
type Segment struct {
	Hash   string `json:"hash"`
	Size   int64  `json:"size"`
	Frames int    `json:"frames"`
}

// ErrBadManifest is wrapped by Validate for every inconsistency it finds.
var ErrBadManifest = errors.New("bad manifest")

var hashRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ValidHash reports whether s is a lowercase hex sha256, the only form a
// segment key may take.
func ValidHash(s string) bool { return hashRE.MatchString(s) }

// Validate checks what a player relies on: known constants, at least one
// rendition, identical frame counts per segment across renditions, valid
// hashes, and a TotalSamples that fits in the frames.
func (m *Manifest) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrBadManifest, fmt.Sprintf(format, a...))
	}
	if m.SampleRate != SampleRate || m.Channels != Channels || m.SamplesPerFrame != SamplesPerFrame {
		return bad("unsupported format %d Hz, %d channels, %d samples/frame", m.SampleRate, m.Channels, m.SamplesPerFrame)
	}
	if m.FramesPerSegment <= 0 || m.StartSkip < 0 || m.TotalSamples < 0 {
		return bad("frames_per_segment %d, start_skip %d, total_samples %d", m.FramesPerSegment, m.StartSkip, m.TotalSamples)
	}
	if len(m.Renditions) == 0 {
		return bad("no renditions")
	}
	ref := m.Renditions[0].Segments
	for _, r := range m.Renditions {
		if len(r.Segments) != len(ref) {
			return bad("rendition %q has %d segments, %q has %d", r.Name, len(r.Segments), m.Renditions[0].Name, len(ref))
		}
		for i, s := range r.Segments {
			if !ValidHash(s.Hash) {
				return bad("rendition %q segment %d: hash %q is not a sha256", r.Name, i, s.Hash)
			}
			if s.Size <= 0 || s.Frames != ref[i].Frames || s.Frames <= 0 {
				return bad("rendition %q segment %d: size %d, frames %d (want %d)", r.Name, i, s.Size, s.Frames, ref[i].Frames)
			}
		}
	}
	var frames int64
	for _, s := range ref {
		frames += int64(s.Frames)
	}
	if int64(m.StartSkip)+m.TotalSamples > frames*int64(m.SamplesPerFrame) {
		return bad("start_skip+total_samples %d exceeds %d decoded samples", int64(m.StartSkip)+m.TotalSamples, frames*int64(m.SamplesPerFrame))
	}
	return nil
}

// Rendition returns the rendition called name, or nil.
func (m *Manifest) Rendition(name string) *Rendition {
	for i := range m.Renditions {
		if m.Renditions[i].Name == name {
			return &m.Renditions[i]
		}
	}
	return nil
}

// SegmentStartFrame returns the index of the first MP3 frame of segment i.
func (m *Manifest) SegmentStartFrame(i int) int64 {
	var f int64
	for _, s := range m.Renditions[0].Segments[:i] {
		f += int64(s.Frames)
	}
	return f
}

// Measured reports whether IntegratedLUFS is a real measurement. Besides an
// Unmeasured reason it rejects what manifests written before that field
// carry for the same cases: 0 (not measured at all) and values at or below
// GateLUFS.
func (l Loudness) Measured() bool {
	return l.Unmeasured == "" && l.IntegratedLUFS != 0 && l.IntegratedLUFS > GateLUFS
}
