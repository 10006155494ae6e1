package catalog

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func validManifest() Manifest {
	seg := func(c byte, frames int) Segment {
		return Segment{Hash: strings.Repeat(string(c), 64), Size: 100, Frames: frames}
	}
	return Manifest{
		TrackID: "t1", SampleRate: SampleRate, Channels: Channels, SamplesPerFrame: SamplesPerFrame,
		FramesPerSegment: 96, StartSkip: StartSkip, TotalSamples: 96*1152 + 10*1152 - StartSkip - 300,
		Renditions: []Rendition{
			{Name: RenditionLow, Codec: "mp3", Bitrate: 96, Segments: []Segment{seg('a', 96), seg('b', 10)}},
			{Name: RenditionHigh, Codec: "mp3", Bitrate: 320, Segments: []Segment{seg('c', 96), seg('d', 10)}},
		},
	}
}

func TestValidate(t *testing.T) {
	m := validManifest()
	if err := m.Validate(); err != nil {
		t.Fatalf("valid manifest: %v", err)
	}
	breaks := map[string]func(*Manifest){
		"sample rate":       func(m *Manifest) { m.SampleRate = 48000 },
		"no renditions":     func(m *Manifest) { m.Renditions = nil },
		"segment count":     func(m *Manifest) { m.Renditions[1].Segments = m.Renditions[1].Segments[:1] },
		"frames differ":     func(m *Manifest) { m.Renditions[1].Segments[1].Frames = 11 },
		"bad hash":          func(m *Manifest) { m.Renditions[0].Segments[0].Hash = "../../etc/passwd" },
		"upper-case hash":   func(m *Manifest) { m.Renditions[0].Segments[0].Hash = strings.Repeat("A", 64) },
		"too many samples":  func(m *Manifest) { m.TotalSamples += 1000 },
		"negative skip":     func(m *Manifest) { m.StartSkip = -1 },
		"zero-size segment": func(m *Manifest) { m.Renditions[0].Segments[1].Size = 0 },
	}
	for name, brk := range breaks {
		m := validManifest()
		brk(&m)
		if err := m.Validate(); !errors.Is(err, ErrBadManifest) {
			t.Errorf("%s: Validate = %v, want ErrBadManifest", name, err)
		}
	}
	if m.Rendition(RenditionHigh) == nil || m.Rendition("lossless") != nil || m.SegmentStartFrame(1) != 96 {
		t.Fatal("Rendition / SegmentStartFrame")
	}
}

func TestNewIDIsStableAndFolded(t *testing.T) {
	a := NewID(PrefixTrack, "Beyoncé/Lemonade/01.flac")
	if a != NewID(PrefixTrack, " beyoncé/lemonade/01.flac ") || a == NewID(PrefixTrack, "Beyoncé/Lemonade/02.flac") {
		t.Fatal("IDs must be stable under case and spacing and differ for different input")
	}
	if NewID(PrefixTrack, "ab", "c") == NewID(PrefixTrack, "a", "bc") {
		t.Fatal("parts must not run together")
	}
}

// FuzzManifest: Validate never panics on any JSON a server might send.
func FuzzManifest(f *testing.F) {
	b, _ := json.Marshal(validManifest())
	f.Add(b)
	f.Add([]byte(`{"renditions":[{"segments":[]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var m Manifest
		if json.Unmarshal(b, &m) == nil {
			m.Validate()
		}
	})
}
