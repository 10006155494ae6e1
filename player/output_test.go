package player

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// IsRender tells segue's renders, whole or cut short, from WAV files other
// programs wrote in the same layout: a CD ripper's 16-bit stereo 44.1 kHz
// WAV (ffmpeg -bitexact writes one with no chunk but fmt and data) has the
// very header of a wav16 render, and play --output wav16: wrote over one.
func TestIsRender(t *testing.T) {
	dir := t.TempDir()
	isRender := func(path string) bool {
		t.Helper()
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		return IsRender(f, st.Size())
	}
	samples := make([][2]float64, 4410)
	for _, format := range []WAVFormat{WAVFloat32, WAVInt16} {
		path := filepath.Join(dir, "render.wav")
		w, err := CreateWAV(path, format, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(samples); err != nil {
			t.Fatal(err)
		}
		if err := w.w.Flush(); err != nil { // what a render killed now leaves
			t.Fatal(err)
		}
		if !isRender(path) {
			t.Errorf("format %d: a render cut short is not told as one", format)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if !isRender(path) {
			t.Errorf("format %d: a render is not told as one", format)
		}
		if got := readWAV(t, path); len(got) != len(samples) {
			t.Errorf("format %d: the render reads as %d samples, want %d", format, len(got), len(samples))
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)-2] = 'x' // not segue's mark
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if isRender(path) {
			t.Errorf("format %d: a WAV whose last chunk names other software is told as a render", format)
		}
	}
	rip := filepath.Join(dir, "rip.wav")
	out, err := exec.Command("ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=0.2",
		"-ac", "2", "-ar", "44100", "-c:a", "pcm_s16le", "-bitexact", rip).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	if b, _ := os.ReadFile(rip); len(b) < 44 || string(b[36:40]) != "data" {
		t.Fatalf("ffmpeg -bitexact wrote no canonical 44-byte header: %q", b[:min(len(b), 44)])
	}
	if isRender(rip) {
		t.Error("a CD rip's WAV (fmt and data only, 16-bit stereo 44.1 kHz) is told as a render")
	}
}
