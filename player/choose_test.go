package player

import (
	"errors"
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
	events := playPaced(t, Options{Segments: src, Manifests: src, ABR: fastLink(), Cached: x, Loudness: LoudnessOff, Quality: QualityAuto, RetryBackoff: time.Millisecond}, tr)
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

// At auto on a known fast link, a track pinned in normal but for its last
// segment: that one is downloaded (in high), and the pinned segments
// buffered when it is chosen are not fetched again in high
// (abr.ReplaceRule takes only segments that came over the network).
func TestPinnedIsNotReplaced(t *testing.T) {
	src, tr := oneTrack(t, testPiece, 8)
	x := &localIndex{cached: map[string]bool{}, pinned: map[string]bool{}}
	x.keep(src, tr.ID, catalog.RenditionNormal, true)
	segs := src.manifests[tr.ID].Rendition(catalog.RenditionNormal).Segments
	last := segs[len(segs)-1].Hash
	delete(x.cached, last)
	delete(x.pinned, last)
	var downloads int
	offlineSource(src, x, true, &downloads)
	playPaced(t, Options{Segments: src, Manifests: src, ABR: fastLink(), Cached: x, Loudness: LoudnessOff, Quality: QualityAuto, RetryBackoff: time.Millisecond}, tr)
	if downloads != 1 {
		t.Errorf("pinned normal but the last of %d segments, auto on a 2 Mbit/s link: %d downloads, want 1", len(segs), downloads)
	}
}

// Data saver (max_quality normal) at auto on a fast link, high cached for
// the last segment only: that one plays in high from the cache, and the
// segments downloaded in normal before it are not fetched again in high
// (a replacement is at most max_quality).
func TestReplacementKeepsMaxQuality(t *testing.T) {
	src, tr := oneTrack(t, testPiece, 8)
	x := &localIndex{cached: map[string]bool{}, pinned: map[string]bool{}}
	segs := src.manifests[tr.ID].Rendition(catalog.RenditionHigh).Segments
	x.cached[segs[len(segs)-1].Hash] = true
	var downloads int
	offlineSource(src, x, true, &downloads)
	events := playPaced(t, Options{Segments: src, Manifests: src, ABR: fastLink(), Cached: x, Loudness: LoudnessOff, Quality: QualityAuto, MaxQuality: catalog.RenditionNormal, RetryBackoff: time.Millisecond}, tr)
	var got []string
	for _, e := range events {
		if e, ok := e.(SegmentEvent); ok {
			got = append(got, e.Rendition)
		}
	}
	if downloads != len(segs)-1 {
		t.Errorf("max_quality normal, the last of %d segments cached in high: %d downloads (segments fetched: %v), want %d", len(segs), downloads, got, len(segs)-1)
	}
}

// fastLink is an ABR controller that has measured 2 Mbit/s.
func fastLink() *abr.Controller {
	c := abr.NewController(nil)
	for range 4 {
		c.Downloaded(250_000, time.Second, 2500*time.Millisecond)
	}
	return c
}

// playPaced plays tracks to a WAV output paced in real time (what is
// buffered ahead of the play head then depends on the pace of the audio,
// as it does on a speaker) and returns the events up to the end.
func playPaced(t *testing.T, opts Options, tracks ...catalog.Track) []Event {
	t.Helper()
	out, err := CreateWAV(filepath.Join(t.TempDir(), "out.wav"), WAVFloat32, true)
	if err != nil {
		t.Fatal(err)
	}
	opts.Output = out
	p := New(opts)
	if err := p.Open(); err != nil {
		t.Fatal(err)
	}
	p.Play(tracks...)
	events := waitEnd(t, p)
	if err := errors.Join(p.Close(), out.Close()); err != nil {
		t.Fatal(err)
	}
	return events
}

// A full read-ahead window waits for refillBatch of room only while the
// estimate is unknown (segments from the cache) or at least ampleLink times
// the top rendition. Batches on every link (3209c8a) cost make bench-abr's
// oscillation trace (1 Mbit/s and 120 kbit/s by turns) 95% -> 87% of the
// oracle's bitrate and outage-30s 9.8 -> 12.3 s of stall, which make test's
// 45 s traces did not catch.
func TestBatchesOnlyOnAnAmpleLink(t *testing.T) {
	levels := []abr.Level{{Name: catalog.RenditionLow, Kbps: 96}, {Name: catalog.RenditionNormal, Kbps: 160}, {Name: catalog.RenditionHigh, Kbps: 320}}
	for _, c := range []struct {
		name string
		kbps int // one download measured at this rate; 0: none
		want bool
	}{
		{"nothing downloaded (the cache)", 0, true},
		{"just above 8x the top rendition", 8*320 + 10, true},
		{"a loopback origin", 400_000, true},
		{"just below 8x", 8*320 - 10, false},
		{"oscillation's fast spell, 1 Mbit/s", 1000, false},
		{"oscillation's slow spell, 120 kbit/s", 120, false},
	} {
		ctrl := abr.NewController(nil)
		if c.kbps > 0 {
			ctrl.Downloaded(c.kbps*1000/8, time.Second, 2508*time.Millisecond) // kbps*1000/8 bytes in 1 s
		}
		ts := &trackStream{p: &Player{opts: Options{ABR: ctrl}}, lad: ladder{levels: levels}}
		if got := ts.batched(); got != c.want {
			t.Errorf("%s (estimate %.0f kbit/s): batched %v, want %v", c.name, ctrl.Kbps(), got, c.want)
		}
	}
}
