package testkit

import (
	"encoding/binary"
	"math"
	"os/exec"
	"testing"
)

// Decode decodes the audio at path (a file or a URL) with ffmpeg, which
// honours an MP3's LAME tag (gapless delay and padding), into stereo
// frames of float samples.
func Decode(t testing.TB, path string) [][2]float64 {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-i", path, "-f", "f32le", "-ac", "2", "pipe:1").Output()
	if err != nil {
		t.Fatalf("ffmpeg decode %s: %v", path, err)
	}
	pcm := make([][2]float64, len(out)/8)
	for i := range pcm {
		for c := range 2 {
			pcm[i][c] = float64(math.Float32frombits(binary.LittleEndian.Uint32(out[i*8+c*4:])))
		}
	}
	return pcm
}

// Correlation is Pearson's r of channel c of a[i] and b[i+lag] over their
// overlap: near 1 when b holds a's audio lag samples later.
func Correlation(a, b [][2]float64, c, lag int) float64 {
	var sa, sb, saa, sbb, sab, n float64
	for i := range a {
		j := i + lag
		if j < 0 || j >= len(b) {
			continue
		}
		x, y := a[i][c], b[j][c]
		sa, sb, saa, sbb, sab, n = sa+x, sb+y, saa+x*x, sbb+y*y, sab+x*y, n+1
	}
	cov := sab/n - sa/n*sb/n
	return cov / math.Sqrt((saa/n-sa*sa/n/n)*(sbb/n-sb*sb/n/n))
}
