package player

import (
	"path/filepath"
	"testing"
	"time"

	"segue/catalog"
	"segue/net/abr"
)

// A restart with a known fast link, low cached from an earlier play (issue
// 12: a new user saw `segue play --json --quality auto` take segment 1
// from the cache at low between two high segments). The cache was not at
// fault: low was the choice, because the rules counted the segment after
// the first with nothing buffered, the first (2.5 s of audio) having just
// begun. With what is left of it counted (abr.Metrics.Playing), every
// segment is high and none comes from the low copy in the cache. Played
// in real time: what is left of the segment playing depends on the play
// head moving at the pace of the audio.
func TestRestartOnAFastLinkStaysHigh(t *testing.T) {
	src, tr := oneTrack(t, testPiece, 8)
	x := &localIndex{cached: map[string]bool{}, pinned: map[string]bool{}}
	x.keep(src, tr.ID, catalog.RenditionLow, false)
	var downloads int
	offlineSource(src, x, true, &downloads)
	c := abr.NewController(nil)
	for range 4 {
		c.Downloaded(250_000, time.Second, 2500*time.Millisecond) // 2 Mbit/s
	}
	out, err := CreateWAV(filepath.Join(t.TempDir(), "out.wav"), WAVFloat32, true)
	if err != nil {
		t.Fatal(err)
	}
	p := New(Options{Segments: src, Manifests: src, Output: out, ABR: c, Cached: x, Loudness: LoudnessOff, Quality: QualityAuto, RetryBackoff: time.Millisecond})
	if err := p.Open(); err != nil {
		t.Fatal(err)
	}
	p.Play(tr)
	events := waitEnd(t, p)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	out.Close()
	var got []string
	for _, e := range events {
		if e, ok := e.(SegmentEvent); ok {
			got = append(got, e.Rendition)
		}
	}
	n := len(src.manifests[tr.ID].Renditions[0].Segments)
	if len(got) != n {
		t.Fatalf("%d segments fetched (%v), want %d", len(got), got, n)
	}
	for i, r := range got {
		if r != catalog.RenditionHigh {
			t.Errorf("segment %d in %s, want high (renditions %v)", i, r, got)
		}
	}
}
