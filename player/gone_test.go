package player

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"segue/catalog"
)

// A track taken out of the origin after its manifest was fetched (queued,
// prefetched, or playing): the origin answers 404 for its segments. The
// player retried them forever, stalled, saying "retrying" every few
// seconds, and the tracks after it never played. Now the track fails,
// saying the origin no longer has it, and the next one plays.
func TestSegmentGoneFromTheOriginSkipsTheTrack(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	src := newMemSource()
	n := int64(6 * catalog.SampleRate)
	makeWAV(t, filepath.Join(dir, "a.wav"), testPiece, n)
	a := addTrack(t, src, "gone", filepath.Join(dir, "a.wav"), n, catalog.RenditionLow)
	makeWAV(t, filepath.Join(dir, "b.wav"), "sine=frequency=330:sample_rate=44100", n)
	b := addTrack(t, src, "kept", filepath.Join(dir, "b.wav"), n, catalog.RenditionLow)
	gone := src.manifests[a.ID].Renditions[0].Segments[1].Hash
	src.mu.Lock()
	delete(src.segs, gone)
	src.mu.Unlock()

	p := chainPlayer(t, src, Options{Loudness: LoudnessOff})
	p.Play(a, b)
	evs := waitEndWithin(t, p, 20*time.Second)
	var failed error
	var played []string
	for _, e := range evs {
		switch e := e.(type) {
		case ErrorEvent:
			if e.Fatal && e.TrackID == a.ID {
				failed = e.Err
			}
		case TrackEvent:
			played = append(played, e.Track.ID)
		}
	}
	if !errors.Is(failed, catalog.ErrSegmentGone) || !strings.Contains(failed.Error(), "the origin no longer has segment 1") {
		t.Errorf("the track whose segment is gone failed with %v; want catalog.ErrSegmentGone saying the origin no longer has segment 1", failed)
	}
	if strings.Join(played, ",") != "gone,kept" {
		t.Errorf("tracks played %v; want gone then kept", played)
	}
}
