package player

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"segue/catalog"
)

// TestStreamDecoders: what a Subsonic server may send as it is (WAV, FLAC,
// Ogg Vorbis) decodes through beep's decoders from a plain io.Reader to
// exactly the samples ffmpeg decodes; a 48 kHz file comes out resampled to
// 44.1 kHz (the same length, within one resampler block).
func TestStreamDecoders(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		codec, ext string
		rate       int
		args       []string
	}{
		{catalog.CodecWAV, "wav", 44100, []string{"-c:a", "pcm_s16le"}},
		{catalog.CodecFLAC, "flac", 44100, []string{"-c:a", "flac"}},
		{catalog.CodecVorbis, "ogg", 44100, []string{"-c:a", "libvorbis", "-q:a", "2"}},
		{catalog.CodecWAV, "wav", 48000, []string{"-c:a", "pcm_s16le"}},
	} {
		path := filepath.Join(dir, c.codec+strconv.Itoa(c.rate)+"."+c.ext)
		args := append([]string{"-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=1.7:sample_rate=" + strconv.Itoa(c.rate), "-ac", "2"}, c.args...)
		if out, err := exec.Command("ffmpeg", append(args, path)...).CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg: %v\n%s", err, out)
		}
		want := int64(1.7 * 44100)
		if c.rate == 44100 {
			out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-f", "s16le", "-ac", "2", "pipe:1").Output()
			if err != nil {
				t.Fatal(err)
			}
			want = int64(len(out) / 4)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		d, err := newDecoder(c.codec, struct{ io.Reader }{f}) // a plain reader, as segments arrive
		if err != nil {
			t.Fatal(err)
		}
		var got int64
		buf := make([][2]float64, 1000)
		for {
			n, err := d.read(buf)
			got += int64(n)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
		}
		d.close()
		f.Close()
		if diff := got - want; diff != 0 && (c.rate == 44100 || diff < -512 || diff > 512) {
			t.Errorf("%s: %d samples, want %d", filepath.Base(path), got, want)
		}
	}
}
