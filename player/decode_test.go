package player

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// decodeAll decodes a whole MP3 file with the player's decoder, untrimmed.
func decodeAll(t testing.TB, path string) [][2]float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := newPCM(f)
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	var all [][2]float64
	buf := make([][2]float64, 4096)
	for {
		k, err := d.read(buf)
		all = append(all, buf[:k]...)
		if errors.Is(err, io.EOF) {
			return all
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// rmsDiff is the root mean square of the differences of two equally long
// sample runs.
func rmsDiff(a, b [][2]float64) float64 {
	var sum float64
	for i := range a {
		for c := range 2 {
			d := a[i][c] - b[i][c]
			sum += d * d
		}
	}
	return math.Sqrt(sum / float64(2*len(a)))
}

// TestDecodeMatchesFFmpeg decodes a 320k MP3 made as ingest makes it and
// checks it against ffmpeg's decode of the same file: the same number of
// samples, lag 0 (no decoder delay of its own, no trimming), and within
// ISO/IEC 11172-4's "full accuracy" bound for a decoder: RMS error below
// 2^-15/sqrt(12), every sample within 2^-14 of the reference.
func TestDecodeMatchesFFmpeg(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	wav, mp3, ref := filepath.Join(dir, "in.wav"), filepath.Join(dir, "in.mp3"), filepath.Join(dir, "ref.wav")
	makeWAV(t, wav, "sine=f=440:r=44100,volume=0.4[a];anoisesrc=r=44100:a=0.2:c=pink[b];[a][b]amix=normalize=0", 3*44100)
	ffmpeg(t, "-i", wav, "-c:a", "libmp3lame", "-b:a", "320k",
		"-reservoir", "0", "-write_xing", "0", "-id3v2_version", "0", mp3)
	ffmpeg(t, "-i", mp3, "-c:a", "pcm_f32le", ref)
	got, want := decodeAll(t, mp3), readWAV(t, ref)
	if len(got) != len(want) {
		t.Fatalf("decoded %d samples, ffmpeg %d", len(got), len(want))
	}
	if lag := bestLag(got, want, 0, 1200, 1<<14); lag != 0 {
		t.Fatalf("decode matches ffmpeg's best at lag %d, want 0", lag)
	}
	if rms, bound := rmsDiff(got, want), math.Exp2(-15)/math.Sqrt(12); rms >= bound {
		t.Errorf("RMS difference from ffmpeg %.3g, want below %.3g", rms, bound)
	}
	if d, bound := maxDiff(got, want), math.Exp2(-14); d > bound {
		t.Errorf("largest difference from ffmpeg %.3g, want at most %.3g", d, bound)
	}
	t.Logf("%d samples, RMS difference %.3g, largest %.3g", len(got), rmsDiff(got, want), maxDiff(got, want))
}

// TestDecodeMakesNoCgoCall: once the decoder is open, decoding a track
// to its end makes no cgo call (runtime.NumCgoCall) until close: libmpg123
// runs in a C thread of its own and read takes the samples from C memory,
// so a render batch never enters a system call in Go's sense, which would
// wake the scheduler's monitor (issue 14; see pcm). The decode it made
// through cgo made about 20 calls a second of audio.
func TestDecodeMakesNoCgoCall(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	wav, mp3 := filepath.Join(dir, "in.wav"), filepath.Join(dir, "in.mp3")
	makeWAV(t, wav, "sine=f=440:r=44100", 5*44100)
	ffmpeg(t, "-i", wav, "-c:a", "libmp3lame", "-b:a", "320k", "-reservoir", "0", "-write_xing", "0", "-id3v2_version", "0", mp3)
	data, err := os.ReadFile(mp3)
	if err != nil {
		t.Fatal(err)
	}
	d, err := newPCM(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	runtime.GC() // finalizers of earlier tests' decoders run now, not while counting
	before := runtime.NumCgoCall()
	n, buf := 0, make([][2]float64, chunk)
	for {
		k, err := d.read(buf)
		n += k
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if calls := runtime.NumCgoCall() - before; calls != 0 {
		t.Errorf("decoding %d samples made %d cgo calls, want 0", n, calls)
	}
	if n < 5*44100 {
		t.Errorf("decoded %d samples, want at least %d", n, 5*44100)
	}
}
