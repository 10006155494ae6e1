package subsonic

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestSourceLength reads the length of files ffmpeg makes of 1.5 s (66,150
// samples at 44.1 kHz; 72,000 at 48 kHz) from their first 64 KiB and, for
// Ogg, their last: the length a transcoded stream is cut to.
func TestSourceLength(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Fatal("ffmpeg is required: run make deps")
	}
	dir := t.TempDir()
	for _, c := range []struct {
		file, seconds string
		args          []string
		samples       int64
		rate          int
	}{
		{"a.flac", "1.5", []string{"-ar", "44100", "-c:a", "flac"}, 66150, 44100},
		{"b.wav", "1.5", []string{"-ar", "44100", "-c:a", "pcm_s16le"}, 66150, 44100},
		{"c.wav", "1.5", []string{"-ar", "48000", "-c:a", "pcm_s24le"}, 72000, 48000},
		{"d.mp3", "1.5", []string{"-ar", "44100", "-c:a", "libmp3lame", "-b:a", "128k"}, 66150, 44100},
		{"e.ogg", "1.5", []string{"-ar", "44100", "-c:a", "libvorbis"}, 66150, 44100},
		{"f.opus", "1.5", []string{"-c:a", "libopus"}, 72000, 48000},
		// longer than the head: the last page comes from the tail
		{"g.ogg", "30", []string{"-ar", "44100", "-c:a", "libvorbis", "-q:a", "6"}, 30 * 44100, 44100},
		{"h.flac", "30", []string{"-ar", "44100", "-c:a", "flac"}, 30 * 44100, 44100},
	} {
		path := filepath.Join(dir, c.file)
		args := append([]string{"-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "anoisesrc=color=pink:amplitude=0.3:duration=" + c.seconds, "-ac", "2"}, c.args...)
		if out, err := exec.Command("ffmpeg", append(args, path)...).CombinedOutput(); err != nil {
			t.Fatalf("make %s: %v\n%s", c.file, err, out)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		head, tail := b[:min(len(b), headBytes)], b[max(0, len(b)-tailBytes):]
		n, rate, ok := sourceLength(head, tail)
		if !ok || n != c.samples || rate != c.rate {
			t.Errorf("%s (%d bytes): %d samples at %d Hz, ok %v; want %d at %d", c.file, len(b), n, rate, ok, c.samples, c.rate)
		}
		if c.file == "g.ogg" {
			if _, _, ok := sourceLength(head, nil); ok {
				t.Errorf("%s without its tail: a length; want none (the last page is not in the head)", c.file)
			}
		}
	}
	for _, bad := range [][]byte{nil, []byte("fLaC"), []byte("RIFF\x00\x00\x00\x00WAVE"), []byte("OggS"), []byte("ID3\x04\x00\x00\x00\x00\x00\x00"), []byte("<html>")} {
		if n, rate, ok := sourceLength(bad, bad); ok {
			t.Errorf("%q: %d samples at %d Hz; want no length", bad, n, rate)
		}
	}
}

// FuzzSourceLength: no file makes the reader panic, and a length it gives
// is positive at a positive rate.
func FuzzSourceLength(f *testing.F) {
	f.Add([]byte("fLaC\x00\x00\x00\x22\x10\x00\x10\x00\x00\x00\x00\x00\x00\x00\x0a\xc4\x42\xf0\x00\x01\x02\x26"), []byte(nil))
	f.Add([]byte("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x02\x00\x44\xac\x00\x00\x10\xb1\x02\x00\x04\x00\x10\x00data\x00\x10\x00\x00"), []byte(nil))
	f.Add([]byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x1e\x01vorbis\x00\x00\x00\x00\x02\x44\xac\x00\x00"),
		[]byte("OggS\x00\x04\x46\x02\x01\x00\x00\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, head, tail []byte) {
		if n, rate, ok := sourceLength(head, tail); ok && (n <= 0 || rate <= 0) {
			t.Fatalf("%d samples at %d Hz reported as a length", n, rate)
		}
	})
}
