package player

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
)

// childLateSegment plays the track stored in dir through the real ALSA
// output (default buffer), its second segment refused for the first
// second (the fetcher retries it), prints "stall MS" for each StallEvent
// (MS: its position) and, 3 s in, "stalls N" from the player's statistics;
// it exits when stdin closes.
func childLateSegment(dir string) error {
	start := time.Now()
	p, out, m, err := alsaChildPlayerWith(dir, 0, func(src *memSource, m *catalog.Manifest) {
		second := m.Renditions[0].Segments[1].Hash
		src.fail = func(hash string) error {
			if hash == second && time.Since(start) < time.Second {
				return errors.New("late")
			}
			return nil
		}
	})
	if err != nil {
		return err
	}
	p.Play(catalog.Track{ID: m.TrackID})
	for e := range p.Events() {
		switch e := e.(type) {
		case StallEvent:
			fmt.Println("stall", e.Position.Milliseconds())
		case PositionEvent:
			if e.Position >= 3*time.Second {
				fmt.Println("stalls", p.Stats().Stalls)
				io.Copy(io.Discard, os.Stdin)
				p.Close()
				return out.Close()
			}
		}
	}
	return nil
}

// TestALSALateSegmentIsNoStall: a segment that comes a second late while
// the ALSA output still holds seconds of audio (the first segment, about
// 5 s) is no stall: the listener hears none. The player reported one when
// the render loop waited (play --json's summary said "stalls": 1 for a
// play without a gap, its buffering event at 4.97 s while the sound was at
// 0), and the interface said buffering.
func TestALSALateSegmentIsNoStall(t *testing.T) {
	src, tr := oneTrack(t, fmt.Sprintf("aevalsrc='0.5*sin(2*PI*%d*t)':s=44100:c=stereo:d=12", toneHz), 11, catalog.RenditionHigh)
	if n := len(src.manifests[tr.ID].Renditions[0].Segments); n < 2 {
		t.Fatalf("the track has %d segments, want 2 or more", n)
	}
	dir := t.TempDir()
	writeTrackDir(t, src, tr, dir)
	env := testkit.HeadlessALSA(t, dir, "")
	c := startChild(t, "late", dir, env)
	defer c.stop()
	var stalls []string
	for c.lines.Scan() {
		l := c.lines.Text()
		if strings.HasPrefix(l, "stall ") {
			stalls = append(stalls, l)
			continue
		}
		if l != "stalls 0" || len(stalls) > 0 {
			t.Errorf("the child said %q after %q, want stalls 0 and no stall event", l, stalls)
		}
		return
	}
	t.Fatalf("the child ended without its statistics\n%s", c.stderr.String())
}
