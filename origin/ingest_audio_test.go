package origin

import (
	"bytes"
	"io"
	"math"
	"path/filepath"
	"testing"

	"github.com/gopxl/beep/v2/mp3"

	"segue/catalog"
	"segue/internal/testkit"
	"segue/origin/blobs"
)

// decodeMP3 decodes an MP3 byte stream with beep/mp3 as a plain io.Reader
// (go-mp3 would read a whole io.ReadSeeker first), like the player does.
func decodeMP3(t testing.TB, b []byte) [][2]float64 {
	t.Helper()
	s, format, err := mp3.Decode(io.NopCloser(struct{ io.Reader }{bytes.NewReader(b)}))
	if err != nil {
		t.Fatalf("decode mp3: %v", err)
	}
	defer s.Close()
	if format.SampleRate != catalog.SampleRate || format.NumChannels != catalog.Channels {
		t.Fatalf("decoded format %+v", format)
	}
	var out [][2]float64
	buf := make([][2]float64, 4096)
	for {
		n, ok := s.Stream(buf)
		out = append(out, buf[:n]...)
		if !ok {
			break
		}
	}
	if err := s.Err(); err != nil {
		t.Fatalf("decode mp3: %v", err)
	}
	return out
}

// trim applies the manifest's gapless trim to a decoded stream.
func trim(t testing.TB, m catalog.Manifest, pcm [][2]float64) [][2]float64 {
	t.Helper()
	end := int64(m.StartSkip) + m.TotalSamples
	if int64(len(pcm)) < end {
		t.Fatalf("decoded %d samples, manifest needs %d", len(pcm), end)
	}
	return pcm[m.StartSkip:end]
}

// Acceptance 3: every rendition, concatenated and decoded with beep/mp3 and
// trimmed by the manifest, has exactly the source's sample count and lines
// up with ffmpeg's own decode of the source (correlation > 0.99, best lag 0).
// The 48 kHz FLAC, the Opus and the mono 22.05 kHz AAC also prove the count
// survives resampling, upmixing and other codecs' own delays.
func TestIngestDecodeMatchesSource(t *testing.T) {
	needFFmpeg(t)
	lib, data := t.TempDir(), t.TempDir()
	srcs := []source{
		{name: "a.flac", root: 196, seconds: 5.3, rate: 48000},
		{name: "b.mp3", root: 261.6, seconds: 3.7},
		{name: "c.opus", root: 311, seconds: 2.9, args: []string{"-c:a", "libopus", "-b:a", "128k"}},
		{name: "d.m4a", root: 174.6, seconds: 3.1, rate: 22050, args: []string{"-ac", "1", "-c:a", "aac"}},
	}
	for _, s := range srcs {
		writeSource(t, lib, s)
	}
	ingest(t, lib, data)
	db := openTestCatalog(t, data)
	store := blobs.FS{Dir: filepath.Join(data, BlobDir)}
	for _, s := range srcs {
		ref := decodeSource(t, filepath.Join(lib, s.name))
		m := manifestOf(t, db, s.name)
		if m.TotalSamples != int64(len(ref)) {
			t.Errorf("%s: total_samples %d, ffmpeg decodes %d", s.name, m.TotalSamples, len(ref))
		}
		for _, r := range m.Renditions {
			got := trim(t, m, decodeMP3(t, segmentBytes(t, store, r.Segments)))
			if len(got) != len(ref) {
				t.Errorf("%s/%s: %d samples after trim, source has %d", s.name, r.Name, len(got), len(ref))
				continue
			}
			for c := 0; c < 2; c++ {
				best, bestLag := -2.0, 0
				for lag := -64; lag <= 64; lag++ {
					if v := testkit.Correlation(ref, got, c, lag); v > best {
						best, bestLag = v, lag
					}
				}
				r0 := testkit.Correlation(ref, got, c, 0)
				t.Logf("%s/%s ch%d: r(0) = %.5f, best lag %d", s.name, r.Name, c, r0, bestLag)
				if r0 < 0.99 || bestLag != 0 {
					t.Errorf("%s/%s ch%d: correlation %.4f at lag 0, best at lag %d (want > 0.99 at 0)", s.name, r.Name, c, r0, bestLag)
				}
			}
		}
	}
}

// Acceptance 4: segments of different renditions spliced at segment
// boundaries decode with no burst. Away from a switch the output equals the
// decode of the rendition in use; at a switch it differs by no more than the
// normal MDCT overlap error (measured 0.09-0.19; a reservoir burst is 0.5+).
func TestIngestSpliceRenditions(t *testing.T) {
	needFFmpeg(t)
	lib, data := t.TempDir(), t.TempDir()
	writeSource(t, lib, source{name: "s.wav", root: 233, seconds: 8.5})
	ingest(t, lib, data)
	db := openTestCatalog(t, data)
	store := blobs.FS{Dir: filepath.Join(data, BlobDir)}
	m := manifestOf(t, db, "s.wav")
	nseg := len(m.Renditions[0].Segments)
	if nseg < 3 {
		t.Fatalf("want at least 3 segments, got %d", nseg)
	}
	single := map[string][][2]float64{}
	for _, r := range m.Renditions {
		single[r.Name] = decodeMP3(t, segmentBytes(t, store, r.Segments))
	}
	order := []string{catalog.RenditionLow, catalog.RenditionHigh, catalog.RenditionNormal, catalog.RenditionLow}
	pick := func(i int) string { return order[i%len(order)] }
	var segs []catalog.Segment
	for i := 0; i < nseg; i++ {
		segs = append(segs, m.Rendition(pick(i)).Segments[i])
	}
	spliced := decodeMP3(t, segmentBytes(t, store, segs))
	segSamples := m.FramesPerSegment * m.SamplesPerFrame
	var nearMax, farMax float64
	for s := range spliced {
		seg := min(s/segSamples, nseg-1)
		ref := single[pick(seg)]
		if s >= len(ref) {
			t.Fatalf("spliced stream longer than %s decode", pick(seg))
		}
		// Decoded sample s comes from frames around s/1152 (decoder delay
		// 529 plus one frame of overlap), so only the first two frames
		// after a boundary may carry the previous rendition.
		off := s % segSamples
		near := seg > 0 && off < 2*m.SamplesPerFrame+529 && pick(seg) != pick(seg-1)
		for c := 0; c < 2; c++ {
			d := math.Abs(spliced[s][c] - ref[s][c])
			if near {
				nearMax = max(nearMax, d)
			} else {
				farMax = max(farMax, d)
			}
		}
	}
	t.Logf("max |diff| at switches %.4f, elsewhere %.6f (%d segments)", nearMax, farMax, nseg)
	if nearMax >= 0.25 {
		t.Errorf("switch error %.3f: a burst, not codec overlap", nearMax)
	}
	if farMax > 1e-6 {
		t.Errorf("away from switches the splice differs from the single rendition by %.6f", farMax)
	}
	if len(spliced) != len(single[catalog.RenditionNormal]) {
		t.Errorf("spliced decode has %d samples, single rendition %d", len(spliced), len(single[catalog.RenditionNormal]))
	}
}
