package player

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"segue/catalog"
)

func oneTrack(t testing.TB, lavfi string, seconds float64, renditions ...string) (*memSource, catalog.Track) {
	t.Helper()
	needFFmpeg(t)
	w := filepath.Join(t.TempDir(), "src.wav")
	n := int64(seconds * catalog.SampleRate)
	makeWAV(t, w, lavfi, n)
	src := newMemSource()
	return src, addTrack(t, src, "one", w, n, renditions...)
}

// bestLag finds the shift of got against want (within ±r) with the least
// error over the first n samples.
func bestLag(got, want [][2]float64, off, r, n int) int {
	best, bestErr := 0, math.Inf(1)
	for lag := -r; lag <= r; lag++ {
		var e float64
		for i := range n {
			j := off + lag + i
			if j < 0 || j >= len(want) || i >= len(got) {
				e = math.Inf(1)
				break
			}
			e += math.Abs(got[i][0]-want[j][0]) + math.Abs(got[i][1]-want[j][1])
		}
		if e < bestErr {
			best, bestErr = lag, e
		}
	}
	return best
}

func TestSeek(t *testing.T) {
	src, tr := oneTrack(t, testPiece, 6, catalog.RenditionHigh)
	opts := Options{Quality: "high", Loudness: LoudnessOff}
	ref, _ := renderWAV(t, src, opts, nil, tr)
	for _, ms := range []int64{
		1234, // inside a segment
		2483, // the first frame of segment 1: preroll comes from segment 0
		17,   // inside the encoder delay's frame
		5999, // the last millisecond
	} {
		out, _ := renderWAV(t, src, opts, func(p *Player) {
			p.Restore(SavedState{Tracks: []catalog.Track{tr}, Index: 0, PositionMS: ms, Volume: 100})
			p.Resume()
		})
		at := int(ms * catalog.SampleRate / 1000)
		if len(out) != len(ref)-at {
			t.Errorf("seek to %d ms: %d samples, want %d", ms, len(out), len(ref)-at)
			continue
		}
		if lag := bestLag(out, ref, at, 4, min(len(out), 2048)); lag != 0 {
			t.Errorf("seek to %d ms: first sample is %d samples off", ms, lag)
		}
		if d := maxDiff(out, ref[at:]); d > 1e-4 {
			t.Errorf("seek to %d ms: differs from continuous playback by %.6f", ms, d)
		}
	}
}

func TestSeekByWhilePaused(t *testing.T) {
	src, tr := oneTrack(t, testPiece, 3, catalog.RenditionLow)
	p := New(Options{Segments: src, Manifests: src, Output: NewNull()})
	if err := p.Open(); err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.Restore(SavedState{Tracks: []catalog.Track{tr}, Index: 0, PositionMS: 1000, Volume: 40})
	p.SeekBy(500 * time.Millisecond)
	if s := p.Status(); s.Position.Round(time.Millisecond) != 1500*time.Millisecond || s.State != Paused || s.Volume != 40 {
		t.Errorf("after SeekBy: %+v, want paused at 1.5s, volume 40", s)
	}
	// the event stream says where the head went too (an interface that
	// reads a stale position event after the seek's reply must not go back)
	var seek PositionEvent
	for seek.TrackID == "" {
		select {
		case e := <-p.Events():
			if pe, ok := e.(PositionEvent); ok && pe.Seek {
				seek = pe
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no position event after a seek while paused")
		}
	}
	if seek.TrackID != tr.ID || seek.Position.Round(time.Millisecond) != 1500*time.Millisecond || seek.Duration != 3*time.Second {
		t.Errorf("seek event %+v, want track %s at 1.5s of 3s", seek, tr.ID)
	}
	p.SeekBy(-time.Hour)
	if s := p.Status(); s.Position != 0 {
		t.Errorf("SeekBy before the start: position %v, want 0", s.Position)
	}
}

// TestSeekPastTheEndBeforeTheTrackLoads: a seek past the end lands at the
// end whether or not the track's stream is open yet. Two quick seeks
// (segue ctl seek -5 then seek +999:00) found it closed by the first, and
// the status said "999:28 / 0:47".
func TestSeekPastTheEndBeforeTheTrackLoads(t *testing.T) {
	src, tr := oneTrack(t, testPiece, 3, catalog.RenditionLow)
	p := New(Options{Segments: src, Manifests: src, Output: NewNull()})
	if err := p.Open(); err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.Restore(SavedState{Tracks: []catalog.Track{tr}, Index: 0, PositionMS: 1000, Volume: 100}) // paused: nothing loads
	for _, seek := range []func(){
		func() { p.SeekBy(999 * time.Minute) },
		func() { p.Seek(time.Hour) },
	} {
		seek()
		if s := p.Status(); s.Position != 3*time.Second {
			t.Errorf("seek past the end of a 3 s track: position %v, want 3s", s.Position)
		}
	}
}

func TestSourceFailsMidTrackThenRecovers(t *testing.T) {
	src, tr := oneTrack(t, testPiece, 8, catalog.RenditionHigh)
	opts := Options{Quality: "high", Loudness: LoudnessOff, ReadAhead: 2 * time.Second}
	ref, _ := renderWAV(t, src, opts, nil, tr)

	ok, failed := 0, 0
	src.fail = func(string) error { // called under src.mu
		if ok < 2 {
			ok++
			return nil
		}
		if failed < 5 {
			failed++
			return errOffline
		}
		return nil
	}
	out, events := renderWAV(t, src, opts, nil, tr)
	if d := maxDiff(out, ref); len(out) != len(ref) || d > 1e-6 {
		t.Fatalf("after the outage: %d samples (want %d), max diff %.6f", len(out), len(ref), d)
	}
	var retries int
	var buffering, resumed bool
	for _, e := range events {
		switch e := e.(type) {
		case ErrorEvent:
			if e.Fatal || !errors.Is(e.Err, errOffline) {
				t.Errorf("unexpected error event %v (fatal %v)", e.Err, e.Fatal)
			}
			retries++
		case StateEvent:
			if e.State == Buffering {
				buffering = true
			}
			if buffering && e.State == Playing {
				resumed = true
			}
		}
	}
	if retries != 5 || !buffering || !resumed {
		t.Errorf("retries %d (want 5), buffering %v, resumed %v", retries, buffering, resumed)
	}
}

func TestUnplayableTrackIsSkipped(t *testing.T) {
	src, tr := oneTrack(t, testPiece, 2, catalog.RenditionLow)
	missing := catalog.Track{ID: "gone"}
	out, events := renderWAV(t, src, Options{}, nil, missing, tr)
	m, _ := src.Manifest(t.Context(), tr.ID)
	if int64(len(out)) != m.TotalSamples {
		t.Errorf("%d samples, want the playable track's %d", len(out), m.TotalSamples)
	}
	var fatal int
	for _, e := range events {
		if e, ok := e.(ErrorEvent); ok && e.Fatal && e.TrackID == "gone" {
			fatal++
		}
	}
	if fatal != 1 {
		t.Errorf("%d fatal errors for the missing track, want 1", fatal)
	}
}

func TestEvents(t *testing.T) {
	src, tr := oneTrack(t, testPiece, 3, catalog.RenditionLow, catalog.RenditionHigh)
	_, events := renderWAV(t, src, Options{Quality: "low"}, nil, tr)
	var segs, rend int
	var last PositionEvent
	for _, e := range events {
		switch e := e.(type) {
		case SegmentEvent:
			segs++
			if e.From != catalog.SourceCache || e.Rendition != "low" {
				t.Errorf("segment event %+v", e)
			}
		case RenditionEvent:
			rend++
		case PositionEvent:
			last = e
		}
	}
	if segs != 2 || rend != 1 || last.Position != last.Duration || last.Duration == 0 {
		t.Errorf("segments %d (want 2), rendition events %d (want 1), last position %v of %v", segs, rend, last.Position, last.Duration)
	}
}

// decoderThreads counts this process's MP3 decoder threads (segue-mp3).
func decoderThreads(t testing.TB) int {
	t.Helper()
	comms, err := filepath.Glob("/proc/self/task/*/comm")
	must(t, err)
	n := 0
	for _, f := range comms {
		if b, err := os.ReadFile(f); err == nil && strings.TrimSpace(string(b)) == "segue-mp3" {
			n++
		}
	}
	return n
}

// TestSeekReleasesDecoders: each seek starts a new decoder, and the one it
// replaced ends with its C thread and memory before the new one plays
// (the render loop closes it), not when the garbage collector gets to it
// (the collector is off here): after each of four seeks one decoder thread
// runs.
func TestSeekReleasesDecoders(t *testing.T) {
	src, tr := oneTrack(t, testPiece, 6, catalog.RenditionHigh)
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	before := decoderThreads(t)
	p := New(Options{Segments: src, Manifests: src, Output: NewNull(), Loudness: LoudnessOff})
	must(t, p.Open())
	defer p.Close()
	p.Play(tr)
	for _, to := range []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 4 * time.Second} {
		p.Seek(to)
		deadline := time.After(10 * time.Second)
		for heard := false; !heard; {
			select {
			case e := <-p.Events():
				if e, ok := e.(PositionEvent); ok && !e.Seek && e.Position > to { // played from there
					heard = true
				}
			case <-deadline:
				t.Fatalf("nothing played past %v within 10 s of the seek", to)
			}
		}
		if n := decoderThreads(t); n > before+1 {
			t.Fatalf("%d decoder threads playing after the seek to %v, want %d", n, to, before+1)
		}
	}
}

// TestRestoreOutOfRange: a resume file's play head before the start or
// past the end of its track (a queue.json edited by hand, a track
// re-ingested shorter) plays from the start or the end, as a seek there
// does, where a negative one panicked the interface at play.
func TestRestoreOutOfRange(t *testing.T) {
	src, tr := oneTrack(t, testPiece, 3, catalog.RenditionLow)
	opts := Options{Quality: "low", Loudness: LoudnessOff}
	ref, _ := renderWAV(t, src, opts, nil, tr)
	for _, c := range []struct {
		ms   int64
		want int // samples played
	}{
		{-30000, len(ref)},
		{-1, len(ref)},
		{tr.DurationMS + 60000, 0},
		{math.MaxInt64 / 1000, 0},
	} {
		var restored int64
		out, _ := renderWAV(t, src, opts, func(p *Player) {
			p.Restore(SavedState{Tracks: []catalog.Track{tr}, Index: 0, PositionMS: c.ms, Volume: 100})
			restored = p.Snapshot().PositionMS
			p.Resume()
		})
		if want := min(max(c.ms, 0), tr.DurationMS); restored != want {
			t.Errorf("restored at %d ms: the play head is at %d ms, want %d", c.ms, restored, want)
		}
		if len(out) != c.want {
			t.Errorf("restored at %d ms: %d samples played, want %d", c.ms, len(out), c.want)
		}
	}
}
