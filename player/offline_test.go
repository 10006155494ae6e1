package player

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"segue/catalog"
)

// localIndex is a SegmentIndex over sets of hashes.
type localIndex struct {
	mu     sync.Mutex // guards both sets
	cached map[string]bool
	pinned map[string]bool
}

func (x *localIndex) Has(h string) bool { x.mu.Lock(); defer x.mu.Unlock(); return x.cached[h] }
func (x *localIndex) Pinned(h string) (bool, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.pinned[h], nil
}

// keep marks every segment of the named rendition of the track cached
// (and pinned when pin is set).
func (x *localIndex) keep(src *memSource, trackID, rendition string, pin bool) {
	m := src.manifests[trackID]
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, s := range m.Rendition(rendition).Segments {
		x.cached[s.Hash] = true
		x.pinned[s.Hash] = pin
	}
}

// offlineSource answers from the index's segments as the cache would and
// counts every other request, which fails as an unreachable origin does
// unless online is set (then it is a download from the origin).
func offlineSource(src *memSource, x *localIndex, online bool, downloads *int) {
	src.network = func(h string) bool { return !x.Has(h) }
	src.fail = func(h string) error { // called under src.mu
		if x.Has(h) {
			return nil
		}
		*downloads++
		if online {
			return nil
		}
		return fmt.Errorf("fetch chunk: %w: dial tcp: connection refused", catalog.ErrUnreachable)
	}
}

// The origin is unreachable: a track pinned in normal plays at auto from
// the cache, whatever the estimate would choose (issue 11's first fault:
// the player asked for high and retried forever); a track with nothing
// cached fails "not available offline" and playback goes on to the next.
func TestOriginDownPlaysWhatIsCached(t *testing.T) {
	src, pinned := oneTrack(t, testPiece, 8)
	dir := t.TempDir()
	makeWAV(t, dir+"/other.wav", testPiece, 44100)
	other := addTrack(t, src, "other", dir+"/other.wav", 44100)
	x := &localIndex{cached: map[string]bool{}, pinned: map[string]bool{}}
	x.keep(src, pinned.ID, catalog.RenditionNormal, true)
	var downloads int
	offlineSource(src, x, false, &downloads)

	for _, q := range []Quality{QualityAuto, catalog.RenditionHigh} {
		out, events := renderWAV(t, src, Options{Quality: q, Loudness: LoudnessOff, Cached: x}, nil, other, pinned)
		var failed []error
		renditions := map[string]int{}
		for _, e := range events {
			switch e := e.(type) {
			case ErrorEvent:
				if e.Fatal {
					failed = append(failed, e.Err)
				}
			case SegmentEvent:
				renditions[e.Rendition]++
			}
		}
		if len(failed) != 1 || !errors.Is(failed[0], ErrNotOffline) {
			t.Errorf("quality %s: fatal errors %v, want one not available offline (the unpinned track)", q, failed)
		}
		if want := src.manifests[pinned.ID].TotalSamples; int64(len(out)) != want {
			t.Errorf("quality %s: played %d samples, want the pinned track's %d", q, len(out), want)
		}
		if renditions[catalog.RenditionNormal] != len(src.manifests[pinned.ID].Renditions[0].Segments) || len(renditions) != 1 {
			t.Errorf("quality %s: segments by rendition %v, want all normal", q, renditions)
		}
	}
}

// Online, a pinned item is not downloaded again in another rendition, even
// at a fixed higher quality; a segment cached (not pinned) in a lower
// rendition than the choice is.
func TestPinnedIsNotDownloadedAgain(t *testing.T) {
	src, tr := oneTrack(t, testPiece, 8)
	x := &localIndex{cached: map[string]bool{}, pinned: map[string]bool{}}
	x.keep(src, tr.ID, catalog.RenditionNormal, true)
	var downloads int
	offlineSource(src, x, true, &downloads)
	renderWAV(t, src, Options{Quality: catalog.RenditionHigh, Loudness: LoudnessOff, Cached: x}, nil, tr)
	if downloads != 0 {
		t.Errorf("pinned normal, quality high: %d downloads, want 0", downloads)
	}
	x.keep(src, tr.ID, catalog.RenditionNormal, false)
	renderWAV(t, src, Options{Quality: catalog.RenditionHigh, Loudness: LoudnessOff, Cached: x}, nil, tr)
	if n := len(src.manifests[tr.ID].Renditions[0].Segments); downloads != n {
		t.Errorf("cached (unpinned) normal, quality high: %d downloads, want all %d segments in high", downloads, n)
	}
}

// SetQuality while playing: later segments follow the new preference.
func TestSetQualityWhilePlaying(t *testing.T) {
	src, tr := oneTrack(t, testPiece, 8)
	_, events := renderWAV(t, src, Options{Quality: catalog.RenditionLow, Loudness: LoudnessOff, ReadAhead: 2 * time.Second}, func(p *Player) {
		calls := 0
		src.fail = func(string) error { // called under src.mu, once per segment
			if calls++; calls == 2 {
				p.SetQuality(catalog.RenditionHigh)
			}
			return nil
		}
		p.Play(tr)
	}, tr)
	var got []string
	for _, e := range events {
		if e, ok := e.(SegmentEvent); ok {
			got = append(got, e.Rendition)
		}
	}
	if len(got) < 3 || got[0] != catalog.RenditionLow || got[2] != catalog.RenditionHigh || got[len(got)-1] != catalog.RenditionHigh {
		t.Errorf("segments in %v: want low, then high from the one chosen after SetQuality", got)
	}
}

// A segment whose every try brings corrupt bytes (the fetch chain gives up
// with catalog.ErrCorruptSegment naming the source) fails its track with
// that reason, once, and playback goes on with the next track.
func TestCorruptSegmentFailsTheTrack(t *testing.T) {
	src, bad := oneTrack(t, testPiece, 4, catalog.RenditionLow)
	dir := t.TempDir()
	makeWAV(t, dir+"/good.wav", testPiece, 44100)
	good := addTrack(t, src, "good", dir+"/good.wav", 44100, catalog.RenditionLow)
	corrupt := src.manifests[bad.ID].Renditions[0].Segments[1].Hash
	src.fail = func(h string) error {
		if h == corrupt {
			return fmt.Errorf("fetch segment: %w: origin http://x, 3 tries", catalog.ErrCorruptSegment)
		}
		return nil
	}
	out, events := renderWAV(t, src, Options{Quality: QualityAuto, Loudness: LoudnessOff}, nil, bad, good)
	var fatal []error
	for _, e := range events {
		if e, ok := e.(ErrorEvent); ok {
			if !e.Fatal {
				t.Errorf("a retry after corrupt bytes: %v", e.Err)
			}
			fatal = append(fatal, e.Err)
		}
	}
	if len(fatal) != 1 || !errors.Is(fatal[0], catalog.ErrCorruptSegment) {
		t.Errorf("errors %v, want one fatal naming the corrupt segment", fatal)
	}
	if int64(len(out)) < 44100 {
		t.Errorf("%d samples: the next track did not play", len(out))
	}
}

// With the origin down, every uncached track of the queue failed in under
// a second and the queue ended; Resume (space, segue ctl play) then began
// again at the first track, so the listener lost their place (found by
// new-user passes at stops 32 and 33). Resume now starts at the first
// track that failed for want of the origin; one that plays to its end is
// forgotten.
func TestResumeAfterAnOutageStartsWhereItMissed(t *testing.T) {
	src, pinned := oneTrack(t, testPiece, 8)
	dir := t.TempDir()
	makeWAV(t, dir+"/other.wav", testPiece, 44100)
	b := addTrack(t, src, "b", dir+"/other.wav", 44100)
	c := addTrack(t, src, "c", dir+"/other.wav", 44100)
	x := &localIndex{cached: map[string]bool{}, pinned: map[string]bool{}}
	x.keep(src, pinned.ID, catalog.RenditionNormal, true)
	var downloads int
	offlineSource(src, x, false, &downloads)
	out, err := CreateWAV(filepath.Join(dir, "out.wav"), WAVFloat32, false)
	if err != nil {
		t.Fatal(err)
	}
	p := New(Options{Segments: src, Manifests: src, Output: out, Cached: x, Quality: QualityAuto, Loudness: LoudnessOff, RetryBackoff: time.Millisecond})
	if err := p.Open(); err != nil {
		t.Fatal(err)
	}
	defer p.Close()

	p.Play(pinned, b, c)
	var failed []string
	for _, e := range waitEnd(t, p) {
		if e, ok := e.(ErrorEvent); ok && e.Fatal && errors.Is(e.Err, ErrNotOffline) {
			failed = append(failed, e.TrackID)
		}
	}
	if !slices.Equal(failed, []string{b.ID, c.ID}) {
		t.Fatalf("origin down: tracks failed not available offline %v, want %v", failed, []string{b.ID, c.ID})
	}
	src.mu.Lock()
	offlineSource(src, x, true, &downloads) // the origin is back
	src.mu.Unlock()
	started := func() TrackEvent {
		for e := range p.Events() {
			if e, ok := e.(TrackEvent); ok {
				return e
			}
		}
		return TrackEvent{}
	}
	p.Resume()
	if e := started(); e.Index != 1 || e.Track.ID != b.ID {
		t.Errorf("Resume after the outage started %s at %d, want %s at 1, the first track missed", e.Track.ID, e.Index, b.ID)
	}
	waitEnd(t, p) // b and c play
	p.Resume()    // nothing was missed since that start
	if e := started(); e.Index != 0 {
		t.Errorf("Resume after a queue that played to its end started at %d, want 0", e.Index)
	}
}
