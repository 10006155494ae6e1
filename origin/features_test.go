package origin

import (
	"fmt"
	"log/slog"
	"math"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestFeaturesAtIngest: tempo within ±2 BPM on click tracks at 90, 120 and
// 150 BPM (issue 16); the 120 click as FLAC and as MP3 (same audio, other
// files) is one recording, a 440 Hz tone is its own; a second ingest
// measures nothing again.
func TestFeaturesAtIngest(t *testing.T) {
	needFFmpeg(t)
	for _, tool := range []string{"bpm", "fpcalc"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed (make deps installs bpm-tools and libchromaprint-tools): %v", tool, err)
		}
	}
	lib, data := t.TempDir(), t.TempDir()
	const (
		melody1 = "aevalsrc='0.3*sin(2*PI*(330+110*floor(mod(t\\,4)))*t)':s=44100:d=30"
		melody2 = "aevalsrc='0.3*sin(2*PI*(262+131*floor(mod(t*1.5\\,3)))*t)':s=44100:d=30"
	)
	click := func(bpm int) string {
		return fmt.Sprintf("aevalsrc='if(lt(mod(t\\,60/%d)\\,0.02)\\,sin(2*PI*1000*t)\\,0)':s=44100:d=30", bpm)
	}
	for _, f := range []struct{ name, src string }{
		{"click90.flac", click(90)}, {"click120.flac", click(120)}, {"click150.flac", click(150)},
		{"melody.flac", melody1}, {"melody-copy.mp3", melody1}, {"other-melody.flac", melody2},
	} {
		if out, err := execFFmpeg("-f", "lavfi", "-i", f.src, "-ac", "2", "-metadata", "title="+f.name, filepath.Join(lib, f.name)); err != nil {
			t.Fatalf("make %s: %v\n%s", f.name, err, out)
		}
	}
	ingest(t, lib, data)
	db := openTestCatalog(t, data)
	type row struct {
		tempo, centroid, rms, crest float64
		recording                   string
	}
	got := map[string]row{}
	rows, err := db.Query(`SELECT t.path, f.tempo, f.centroid, f.rms_db, f.crest_db, f.recording FROM track_features f JOIN tracks t ON t.id = f.track_id`)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for rows.Next() {
		var path string
		var r row
		rows.Scan(&path, &r.tempo, &r.centroid, &r.rms, &r.crest, &r.recording)
		got[path] = r
	}
	rows.Close()
	idRows, _ := db.Query(`SELECT path, id FROM tracks`)
	for idRows.Next() {
		var p, id string
		idRows.Scan(&p, &id)
		ids[p] = id
	}
	idRows.Close()
	if len(got) != 6 {
		t.Fatalf("features of %d tracks, want 6: %v", len(got), got)
	}
	for path, want := range map[string]float64{"click90.flac": 90, "click120.flac": 120, "click150.flac": 150} {
		if d := math.Abs(got[path].tempo - want); d > 2 {
			t.Errorf("%s: tempo %.2f BPM, want %.0f ± 2", path, got[path].tempo, want)
		}
	}
	a, b := got["melody.flac"].recording, got["melody-copy.mp3"].recording
	if a != b || a != min(ids["melody.flac"], ids["melody-copy.mp3"]) {
		t.Errorf("one melody as FLAC and MP3: recordings %q and %q, want both the smaller track ID", a, b)
	}
	for _, p := range []string{"other-melody.flac", "click90.flac", "click120.flac", "click150.flac"} {
		if got[p].recording != ids[p] {
			t.Errorf("%s: recording %q, want its own ID %q", p, got[p].recording, ids[p])
		}
	}
	// A sine's crest factor (peak over RMS) is 3.01 dB; clicks are mostly
	// silence (16.99 dB measured for 20 ms in every 500).
	if m, c := got["melody.flac"], got["click120.flac"]; math.Abs(m.crest-3.01) > 0.5 || math.Abs(c.crest-16.99) > 0.5 || m.centroid <= 0 {
		t.Errorf("melody crest %.2f dB centroid %.3f, click crest %.2f dB; want 3.01 and 16.99", m.crest, m.centroid, c.crest)
	}
	if n, _, err := updateFeatures(t.Context(), db, lib, 1, slog.New(slog.DiscardHandler), nil); err != nil || n != 0 {
		t.Fatalf("second pass measured %d tracks (err %v), want 0", n, err)
	}
}

func TestSameRecording(t *testing.T) {
	a := make([]uint32, 100)
	for i := range a {
		a[i] = uint32(i) * 2654435761
	}
	shifted := append([]uint32{7}, a...)
	noisy := append([]uint32(nil), a...)
	for i := range noisy {
		noisy[i] ^= 1 << (i % 32) // 1 bit in 32 differs: 3%
	}
	other := make([]uint32, 100)
	for i := range other {
		other[i] = ^a[i]
	}
	for _, c := range []struct {
		name string
		b    []uint32
		want bool
	}{{"same", a, true}, {"shifted a frame", shifted, true}, {"3% bits differ", noisy, true}, {"other music", other, false}, {"empty", nil, false},
		{"steady tone", make([]uint32, 100), false}} {
		if got := sameRecording(a, c.b); got != c.want {
			t.Errorf("%s: sameRecording = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestFeaturesOfAShortTrack: fpcalc makes no fingerprint of a track of a
// second ("Empty fingerprint", exit 2), and the features ffmpeg and bpm
// had measured were dropped with it: the track had none, for the radio,
// and was measured again, in vain, at every ingest. Now it keeps them,
// with no fingerprint (its recording its own), and is measured once.
func TestFeaturesOfAShortTrack(t *testing.T) {
	needFFmpeg(t)
	lib, data := t.TempDir(), t.TempDir()
	writeSource(t, lib, source{name: "short.mp3", root: 440, seconds: 1})
	ingest(t, lib, data)
	db := openTestCatalog(t, data)
	var id, recording string
	var centroid, rms float64
	var fp []byte
	err := db.QueryRow(`SELECT t.id, f.centroid, f.rms_db, f.fingerprint, f.recording FROM track_features f JOIN tracks t ON t.id = f.track_id`).
		Scan(&id, &centroid, &rms, &fp, &recording)
	if err != nil || centroid <= 0 || rms >= 0 || fp != nil || recording != id {
		t.Fatalf("features of a 1 s track: centroid %.3f, RMS %.1f dB, fingerprint %d bytes, recording %q (%v); want them measured, no fingerprint, recording %q",
			centroid, rms, len(fp), recording, err, id)
	}
	if n, _, err := updateFeatures(t.Context(), db, lib, 1, slog.New(slog.DiscardHandler), nil); err != nil || n != 0 {
		t.Fatalf("second pass measured %d tracks (err %v), want 0", n, err)
	}
}
