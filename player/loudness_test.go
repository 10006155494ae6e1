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
		// ffmpeg reports -70 LUFS (the gate) for near silence: +56 dB before
		// the cap, which turned encoder noise into hiss.
		{"near silence (-70 LUFS) is not raised", catalog.Loudness{IntegratedLUFS: -70, TruePeakDBTP: -60, Unmeasured: "nothing above the gate"}, LoudnessTrack, 0},
		{"-70 LUFS from an older manifest is not raised", catalog.Loudness{IntegratedLUFS: -70, TruePeakDBTP: -60}, LoudnessTrack, 0},
		{"0.2 s clip is not raised", catalog.Loudness{IntegratedLUFS: -70, TruePeakDBTP: -18.1, Unmeasured: "too short"}, LoudnessTrack, 0},
		{"unmeasured clip keeps peak protection", catalog.Loudness{IntegratedLUFS: -70, TruePeakDBTP: 1, Unmeasured: "too short"}, LoudnessTrack, -2},
		{"quiet track stops at the cap", catalog.Loudness{IntegratedLUFS: -40, TruePeakDBTP: -30}, LoudnessTrack, DefaultMaxBoostDB},
		{"quiet album stops at the cap", catalog.Loudness{IntegratedLUFS: -40, TruePeakDBTP: -30, AlbumLUFS: -38, AlbumPeakDBTP: -25}, LoudnessAlbum, DefaultMaxBoostDB},
		{"unmeasured album falls back to the track", catalog.Loudness{IntegratedLUFS: -20, TruePeakDBTP: -10, AlbumLUFS: -70, AlbumPeakDBTP: -10}, LoudnessAlbum, 6},
		{"unmeasured track on a measured album takes the album's gain", catalog.Loudness{IntegratedLUFS: -70, TruePeakDBTP: -50, Unmeasured: "nothing above the gate", AlbumLUFS: -16, AlbumPeakDBTP: -3}, LoudnessAlbum, 2},
	} {
		if got := GainDB(c.l, c.mode, DefaultTargetLUFS, DefaultMaxBoostDB); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: gain %.2f dB, want %.2f", c.name, got, c.want)
		}
	}
	quiet := catalog.Loudness{IntegratedLUFS: -30, TruePeakDBTP: -20}
	for _, c := range []struct {
		maxBoost, want float64
	}{{3, 3}, {0, 0}, {NoBoost, 0}, {30, 16}} {
		if got := GainDB(quiet, LoudnessTrack, DefaultTargetLUFS, c.maxBoost); got != c.want {
			t.Errorf("-30 LUFS track, cap %g dB: gain %.2f dB, want %.2f", c.maxBoost, got, c.want)
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

// TestLoudnessNeverBoostsNoise plays near silence (ebur128 reports -70 LUFS:
// nothing above the gate), a 0.2 s clip (shorter than one gating block) and
// a -34 LUFS track: the first two come out at their own level, the third is
// raised by the 10 dB cap, not the 20 dB the target asks for.
func TestLoudnessNeverBoostsNoise(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	src := newMemSource()
	cases := []struct {
		id, lavfi string
		n         int64
		wantDB    float64
	}{
		{"near-silence", "aevalsrc='0.0003*sin(2*PI*440*t)':s=44100:d=4", 3 * catalog.SampleRate, 0},
		{"clip", "aevalsrc='0.1*sin(2*PI*440*t)':s=44100:d=1", catalog.SampleRate / 5, 0},
		{"quiet", "aevalsrc='0.02*sin(2*PI*440*t)':s=44100:d=4", 3 * catalog.SampleRate, DefaultMaxBoostDB},
	}
	var tracks []catalog.Track
	var ins [][][2]float64
	for _, c := range cases {
		w := filepath.Join(dir, c.id+".wav")
		makeWAV(t, w, c.lavfi, c.n)
		tracks = append(tracks, addTrack(t, src, c.id, w, c.n, catalog.RenditionHigh))
		ins = append(ins, readWAV(t, w))
		t.Logf("%s: %+v", c.id, src.manifests[c.id].Loudness)
	}
	if l := src.manifests["quiet"].Loudness.IntegratedLUFS; l > -30 {
		t.Fatalf("quiet source measures %.1f LUFS; the test needs one the cap stops", l)
	}
	out, _ := renderWAV(t, src, Options{}, nil, tracks...)
	at := int64(0)
	for i, c := range cases {
		got := 20 * math.Log10(rms(out[at:at+c.n])/rms(ins[i]))
		at += c.n
		if math.Abs(got-c.wantDB) > 1 {
			t.Errorf("%s plays %+.1f dB from its source, want %+.0f ±1", c.id, got, c.wantDB)
		}
	}
}

func rms(pcm [][2]float64) float64 {
	var s float64
	for _, f := range pcm {
		s += f[0]*f[0] + f[1]*f[1]
	}
	return math.Sqrt(s / float64(2*len(pcm)))
}
