package player

import (
	"path/filepath"
	"testing"
	"time"

	"segue/catalog"
)

// A switch to a higher fixed quality while the read-ahead window is full
// is heard from the next segment on (a listener pressing b in the
// interface heard low for the 18 s buffered before it, on a loopback
// origin). Played in real time, as on a speaker: a 10 s window of low
// segments, then high; the first high segment must start within two
// segments (5 s) of the switch, every one after it is high, and the track
// plays whole, no segment missing or repeated. Before upgradeAhead the
// first high one started 10.0 s after the switch.
func TestSwitchUpIsHeardFromTheNextSegment(t *testing.T) {
	src, tr := oneTrack(t, "aevalsrc='0.4*sin(2*PI*440*t)|0.3*sin(2*PI*660*t)':s=44100:c=stereo", 25)
	src.network = func(string) bool { return true } // downloaded, not cached
	path := filepath.Join(t.TempDir(), "out.wav")
	out, err := CreateWAV(path, WAVFloat32, true)
	if err != nil {
		t.Fatal(err)
	}
	p := New(Options{Segments: src, Manifests: src, Output: out, Loudness: LoudnessOff, Quality: catalog.RenditionLow, ReadAhead: 10 * time.Second, RetryBackoff: time.Millisecond})
	if err := p.Open(); err != nil {
		t.Fatal(err)
	}
	p.Play(tr)
	var (
		switchedAt = time.Duration(-1) // the play head at the switch
		position   time.Duration
		plays      []RenditionEvent
		replaced   int
	)
	deadline := time.After(time.Minute)
	for done := false; !done; {
		select {
		case e := <-p.Events():
			switch e := e.(type) {
			case PositionEvent:
				position = e.Position
			case BufferEvent:
				// the window full (a segment is 2.5 s) a few seconds in
				if switchedAt < 0 && e.Ahead >= 7*time.Second && position >= 2*time.Second {
					switchedAt = position
					p.SetQuality(catalog.RenditionHigh)
				}
			case RenditionEvent:
				plays = append(plays, e)
			case SegmentEvent:
				if e.Replaces == catalog.RenditionLow {
					replaced++
				}
			case EndEvent:
				done = true
			}
		case <-deadline:
			t.Fatalf("did not end within a minute; renditions played %v", plays)
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	if switchedAt < 0 {
		t.Fatal("the read-ahead window never filled: no switch made")
	}
	segment := samplesToDuration(testFramesPerSegment * catalog.SamplesPerFrame)
	var heard time.Duration = -1
	for i, e := range plays {
		if e.Rendition == catalog.RenditionHigh {
			heard = time.Duration(e.Index) * segment
			for _, later := range plays[i:] {
				if later.Rendition != catalog.RenditionHigh {
					t.Errorf("segment %d played in %s after the switch to high (renditions played %v)", later.Index, later.Rendition, plays)
				}
			}
			break
		}
	}
	t.Logf("switched to high at %v: high heard from %v (%d segments fetched again)", switchedAt, heard, replaced)
	if heard < 0 || heard-switchedAt > 2*segment {
		t.Errorf("switched to high at %v with the window full: high heard from %v, want within %v (renditions played %v, %d segments fetched again)", switchedAt, heard, 2*segment, plays, replaced)
	}
	if got := int64(len(readWAV(t, path))); got != tr.DurationMS*catalog.SampleRate/1000 {
		t.Errorf("played %d samples, want the track's %d", got, tr.DurationMS*catalog.SampleRate/1000)
	}
}
