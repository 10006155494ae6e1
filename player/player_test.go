package player

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"segue/catalog"
)

const testPiece = "aevalsrc='0.4*sin(2*PI*440*t)+0.2*sin(2*PI*1234.5*t)|0.3*sin(2*PI*660*t)+0.1*sin(2*PI*97*t)':s=44100:c=stereo:d=12"

// gaplessAlbum cuts one continuous piece into three tracks at points that
// are not frame-aligned and returns the source, the tracks and the piece.
func gaplessAlbum(t testing.TB) (*memSource, []catalog.Track, [][2]float64) {
	t.Helper()
	needFFmpeg(t)
	dir := t.TempDir()
	const n = 8 * 44100
	cuts := []int64{0, 100037, 230501, n}
	piece := filepath.Join(dir, "piece.wav")
	makeWAV(t, piece, testPiece, n)
	src := newMemSource()
	var tracks []catalog.Track
	for i := 0; i < 3; i++ {
		w := filepath.Join(dir, fmt.Sprintf("part%d.wav", i))
		ffmpeg(t, "-i", piece, "-af", fmt.Sprintf("atrim=start_sample=%d:end_sample=%d,asetpts=N/SR/TB", cuts[i], cuts[i+1]), "-c:a", "pcm_f32le", w)
		tracks = append(tracks, addTrack(t, src, fmt.Sprintf("t%d", i), w, cuts[i+1]-cuts[i], catalog.RenditionHigh))
	}
	return src, tracks, readWAV(t, piece)
}

func maxDiff(a, b [][2]float64) float64 {
	var m float64
	for i := range min(len(a), len(b)) {
		m = max(m, math.Abs(a[i][0]-b[i][0]), math.Abs(a[i][1]-b[i][1]))
	}
	return m
}

func TestGaplessAlbum(t *testing.T) {
	src, tracks, piece := gaplessAlbum(t)
	out, events := renderWAV(t, src, Options{Quality: "high", Loudness: LoudnessOff}, nil, tracks...)

	var want int64
	for _, tr := range tracks {
		m, _ := src.Manifest(t.Context(), tr.ID)
		want += m.TotalSamples
	}
	if int64(len(out)) != want {
		t.Fatalf("wav has %d samples, want the sum of total_samples %d", len(out), want)
	}
	// Away from the joins the difference is the codec's own error; at the
	// joins a gap, an overlap or a click would be far larger.
	bounds := []int{100037, 230501}
	near := func(i int) bool {
		for _, b := range bounds {
			if i > b-2048 && i < b+2048 {
				return true
			}
		}
		return false
	}
	var interior, joins float64
	for i := range out {
		d := max(math.Abs(out[i][0]-piece[i][0]), math.Abs(out[i][1]-piece[i][1]))
		if near(i) {
			joins = max(joins, d)
		} else {
			interior = max(interior, d)
		}
	}
	t.Logf("max |diff| vs the piece: interior %.5f, at the joins %.5f", interior, joins)
	if interior > 0.02 {
		t.Errorf("interior error %.4f: the album is not aligned with the piece", interior)
	}
	// Each track was encoded on its own, so the codec's edge error (its
	// lowpass ringing, ~10 samples) shows at the joins; one dropped or
	// repeated sample would exceed 0.05 here, and a gap would be ~0.5.
	if joins > 0.05 {
		t.Errorf("error at the joins %.4f vs %.4f elsewhere: a discontinuity between tracks", joins, interior)
	}
	// And the player adds nothing of its own: its output is exactly each
	// track decoded whole and trimmed, back to back.
	var whole [][2]float64
	for _, tr := range tracks {
		m, _ := src.Manifest(t.Context(), tr.ID)
		whole = append(whole, decodeWhole(t, src.files[tr.ID+"-high"], m.TotalSamples)...)
	}
	if d := maxDiff(out, whole); d > 1e-6 {
		t.Errorf("output differs from the tracks decoded whole by %.6f", d)
	}
	// (Whether the next track's first segment arrived before it started is
	// not asserted: SegmentEvent and TrackEvent come from different
	// goroutines, so their order on a loaded machine is not the player's.)
	var started int
	for _, e := range events {
		if _, ok := e.(TrackEvent); ok {
			started++
		}
	}
	if started != 3 {
		t.Errorf("%d track events, want 3", started)
	}
}

// gatedSource holds back one segment (gate) until another (want) has been
// asked for, or a deadline passes (then late is set).
type gatedSource struct {
	*memSource
	gate, want string
	asked      chan struct{}
	once       sync.Once
	late       atomic.Bool
}

func (g *gatedSource) Segment(ctx context.Context, hash string, u Urgency) ([]byte, Source, error) {
	if hash == g.want {
		g.once.Do(func() { close(g.asked) })
	}
	if hash == g.gate {
		select {
		case <-g.asked:
		case <-ctx.Done():
		case <-time.After(20 * time.Second):
			g.late.Store(true)
		}
	}
	return g.memSource.Segment(ctx, hash, u)
}

// TestPrefetchNextTrack: the next track's first segment is fetched while
// the current one still plays. The current track's last segment is held
// back until that request comes, so without a prefetch playback could not
// reach the next track before the deadline.
func TestPrefetchNextTrack(t *testing.T) {
	needFFmpeg(t)
	src := newMemSource()
	var tracks []catalog.Track
	for i, hz := range []int{440, 660} { // two tracks of 6 s: three segments each
		w := filepath.Join(t.TempDir(), "src.wav")
		makeWAV(t, w, fmt.Sprintf("sine=f=%d:r=44100:d=6", hz), 6*catalog.SampleRate)
		tracks = append(tracks, addTrack(t, src, fmt.Sprintf("t%d", i), w, 6*catalog.SampleRate, catalog.RenditionHigh))
	}
	segs := func(tr catalog.Track) []catalog.Segment {
		m, _ := src.Manifest(t.Context(), tr.ID)
		return m.Renditions[0].Segments
	}
	first := segs(tracks[0])
	if len(first) < 2 {
		t.Fatalf("the first track has %d segment(s): the test needs one to play while the last is held back", len(first))
	}
	g := &gatedSource{memSource: src, gate: first[len(first)-1].Hash, want: segs(tracks[1])[0].Hash, asked: make(chan struct{})}
	out, err := CreateWAV(filepath.Join(t.TempDir(), "out.wav"), WAVFloat32, false)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	p := New(Options{Quality: "high", Loudness: LoudnessOff, Segments: g, Manifests: src, Output: out, PrefetchBefore: 5 * time.Second})
	if err := p.Open(); err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.Play(tracks...)
	waitEnd(t, p)
	if g.late.Load() {
		t.Fatal("the second track's first segment was not asked for until the first track's last segment came: no prefetch")
	}
}
