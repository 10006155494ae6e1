package player

import (
	"math"
	"path/filepath"
	"testing"

	"segue/catalog"
)

func TestGainDB(t *testing.T) {
	for _, c := range []struct {
		name string
		l    catalog.Loudness
		mode LoudnessMode
		want float64
	}{
		{"quiet track is raised", catalog.Loudness{IntegratedLUFS: -24, TruePeakDBTP: -12}, LoudnessTrack, 10},
		{"loud track is lowered", catalog.Loudness{IntegratedLUFS: -8, TruePeakDBTP: 0.5}, LoudnessTrack, -6},
		{"peak limits the raise", catalog.Loudness{IntegratedLUFS: -24, TruePeakDBTP: -4}, LoudnessTrack, 3},
		{"off", catalog.Loudness{IntegratedLUFS: -24, TruePeakDBTP: -12}, LoudnessOff, 0},
		{"unmeasured", catalog.Loudness{}, LoudnessTrack, 0},
		{"album uses the album", catalog.Loudness{IntegratedLUFS: -20, TruePeakDBTP: -10, AlbumLUFS: -16, AlbumPeakDBTP: -3}, LoudnessAlbum, 2},
		{"album falls back to the track", catalog.Loudness{IntegratedLUFS: -20, TruePeakDBTP: -10}, LoudnessAlbum, 6},
	} {
		if got := GainDB(c.l, c.mode, DefaultTargetLUFS); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: gain %.2f dB, want %.2f", c.name, got, c.want)
		}
	}
}

// TestLoudnessNormalization plays two tracks 10 dB apart and measures what
// comes out with ffmpeg's ebur128: both land within 1 LU of the target.
func TestLoudnessNormalization(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	src := newMemSource()
	const n = 4 * catalog.SampleRate
	var tracks []catalog.Track
	for i, amp := range []string{"0.5", "0.158"} { // 10 dB apart
		w := filepath.Join(dir, "src"+amp+".wav")
		makeWAV(t, w, "aevalsrc='"+amp+"*sin(2*PI*440*t)|"+amp+"*sin(2*PI*440*t)':s=44100:d=5", n)
		tracks = append(tracks, addTrack(t, src, []string{"loud", "quiet"}[i], w, n, catalog.RenditionNormal))
	}
	l0, l1 := src.manifests["loud"].Loudness, src.manifests["quiet"].Loudness
	if d := l0.IntegratedLUFS - l1.IntegratedLUFS; math.Abs(d-10) > 0.5 {
		t.Fatalf("sources are %.1f LU apart, want 10", d)
	}
	out, _ := renderWAV(t, src, Options{}, nil, tracks...)
	if len(out) != 2*n {
		t.Fatalf("%d samples, want %d", len(out), 2*n)
	}
	for i, part := range [][][2]float64{out[:n], out[n:]} {
		w := filepath.Join(dir, "out.wav")
		o, err := CreateWAV(w, WAVFloat32, false)
		if err != nil {
			t.Fatal(err)
		}
		o.Write(part)
		if err := o.Close(); err != nil {
			t.Fatal(err)
		}
		got := measureLoudness(t, w)
		t.Logf("%s: %.1f LUFS in, %.1f LUFS / %.1f dBTP out", tracks[i].ID, []float64{l0.IntegratedLUFS, l1.IntegratedLUFS}[i], got.IntegratedLUFS, got.TruePeakDBTP)
		if math.Abs(got.IntegratedLUFS-DefaultTargetLUFS) > 1 {
			t.Errorf("%s plays at %.1f LUFS, want %.0f ±1", tracks[i].ID, got.IntegratedLUFS, DefaultTargetLUFS)
		}
		if got.TruePeakDBTP > MaxTruePeakDBTP+0.5 {
			t.Errorf("%s peaks at %.1f dBTP", tracks[i].ID, got.TruePeakDBTP)
		}
	}
}
