package player

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"segue/catalog"
	"segue/mp3"
)

// testFramesPerSegment is the segment length the tests cut (about 2.5 s).
const testFramesPerSegment = 96

func needFFmpeg(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Fatal("ffmpeg is required: run make deps")
	}
}

func ffmpeg(t testing.TB, args ...string) string {
	t.Helper()
	cmd := exec.Command("ffmpeg", append([]string{"-hide_banner", "-nostdin", "-y"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, stderr.String())
	}
	return stderr.String()
}

// memSource serves segments and manifests from memory. fail, when set,
// may refuse a fetch; network, when set, tells which fetches count as
// downloads from the origin (the others come from the cache).
type memSource struct {
	mu        sync.Mutex // guards everything below
	segs      map[string][]byte
	manifests map[string]*catalog.Manifest
	fail      func(hash string) error
	network   func(hash string) bool
	files     map[string]string // "ID-rendition" -> the encoded MP3 file
	calls     int
}

func newMemSource() *memSource {
	return &memSource{segs: map[string][]byte{}, manifests: map[string]*catalog.Manifest{}, files: map[string]string{}}
}

func (m *memSource) Segment(ctx context.Context, hash string, _ Urgency) ([]byte, Source, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if m.fail != nil {
		if err := m.fail(hash); err != nil {
			return nil, "", err
		}
	}
	b, ok := m.segs[hash]
	if !ok {
		return nil, "", fmt.Errorf("segment %s: not found", hash)
	}
	if m.network != nil && m.network(hash) {
		return b, catalog.SourceOrigin, nil
	}
	return b, catalog.SourceCache, nil
}

func (m *memSource) Manifest(ctx context.Context, id string) (*catalog.Manifest, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	man, ok := m.manifests[id]
	if !ok {
		return nil, fmt.Errorf("track %s: not found", id)
	}
	return man, nil
}

// testSplitFrames cuts an MP3 stream (no ID3, no Xing frame) into frames.
func testSplitFrames(t testing.TB, b []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for off := 0; off < len(b); {
		h, err := mp3.ParseHeader(b[off:])
		if err != nil {
			t.Fatalf("split frames at byte %d: %v", off, err)
		}
		n := min(h.Len(), len(b)-off)
		out = append(out, b[off:off+n])
		off += n
	}
	return out
}

// addTrack encodes the PCM in wavPath to the three renditions with docs/architecture.md's
// flags, cuts them into segments, stores them in src and returns the track.
func addTrack(t testing.TB, src *memSource, id, wavPath string, samples int64, renditions ...string) catalog.Track {
	t.Helper()
	if len(renditions) == 0 {
		renditions = catalog.RenditionNames
	}
	man := &catalog.Manifest{
		TrackID: id, SampleRate: catalog.SampleRate, Channels: catalog.Channels,
		SamplesPerFrame: catalog.SamplesPerFrame, FramesPerSegment: testFramesPerSegment,
		StartSkip: catalog.StartSkip, TotalSamples: samples,
		Loudness: measureLoudness(t, wavPath),
	}
	dir := filepath.Dir(wavPath)
	for _, name := range renditions {
		br := catalog.Bitrates[name]
		out := filepath.Join(dir, fmt.Sprintf("%s-%s.mp3", id, name))
		ffmpeg(t, "-i", wavPath, "-c:a", "libmp3lame", "-b:a", fmt.Sprintf("%dk", br),
			"-reservoir", "0", "-write_xing", "0", "-id3v2_version", "0", out)
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		src.mu.Lock()
		src.files[id+"-"+name] = out
		src.mu.Unlock()
		frames := testSplitFrames(t, b)
		r := catalog.Rendition{Name: name, Codec: "mp3", Bitrate: br}
		for i := 0; i < len(frames); i += testFramesPerSegment {
			end := min(i+testFramesPerSegment, len(frames))
			seg := bytes.Join(frames[i:end], nil)
			sum := sha256.Sum256(seg)
			h := hex.EncodeToString(sum[:])
			src.mu.Lock()
			src.segs[h] = seg
			src.mu.Unlock()
			r.Segments = append(r.Segments, catalog.Segment{Hash: h, Size: int64(len(seg)), Frames: end - i})
		}
		man.Renditions = append(man.Renditions, r)
	}
	if err := man.Validate(); err != nil {
		t.Fatal(err)
	}
	src.mu.Lock()
	src.manifests[id] = man
	src.mu.Unlock()
	return catalog.Track{ID: id, Title: id, DurationMS: samples * 1000 / catalog.SampleRate}
}

var (
	reI    = regexp.MustCompile(`I:\s+(-?[\d.]+) LUFS`)
	rePeak = regexp.MustCompile(`Peak:\s+(-?[\d.]+|-inf) dBFS`)
)

// measureLoudness runs ffmpeg's ebur128 on a file, as ingest does.
func measureLoudness(t testing.TB, path string) catalog.Loudness {
	t.Helper()
	out := ffmpeg(t, "-i", path, "-af", "ebur128=peak=true", "-f", "null", "-")
	i := reI.FindAllStringSubmatch(out, -1)
	p := rePeak.FindAllStringSubmatch(out, -1)
	if len(i) == 0 || len(p) == 0 {
		t.Fatalf("no ebur128 summary in:\n%s", out)
	}
	lufs, _ := strconv.ParseFloat(i[len(i)-1][1], 64)
	peak, _ := strconv.ParseFloat(p[len(p)-1][1], 64)
	return catalog.Loudness{IntegratedLUFS: lufs, TruePeakDBTP: peak}
}

// makeWAV renders an ffmpeg lavfi source to a float WAV of exactly n samples.
func makeWAV(t testing.TB, path, lavfi string, n int64) {
	t.Helper()
	ffmpeg(t, "-f", "lavfi", "-i", lavfi, "-af", fmt.Sprintf("atrim=end_sample=%d", n),
		"-ar", "44100", "-ac", "2", "-c:a", "pcm_f32le", path)
}

// readWAV reads a float32 or int16 WAV written by CreateWAV or ffmpeg.
func readWAV(t testing.TB, path string) [][2]float64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 12 || string(b[:4]) != "RIFF" {
		t.Fatalf("%s: not a wav", path)
	}
	var tag, bits uint16
	for off := 12; off+8 <= len(b); {
		id, size := string(b[off:off+4]), int(binary.LittleEndian.Uint32(b[off+4:]))
		body := b[off+8:]
		switch id {
		case "fmt ":
			tag, bits = binary.LittleEndian.Uint16(body), binary.LittleEndian.Uint16(body[14:])
			if tag == 0xFFFE { // extensible: subformat's first two bytes
				tag = binary.LittleEndian.Uint16(body[24:])
			}
		case "data":
			body = body[:min(size, len(body))]
			return decodePCM(t, body, tag, bits)
		}
		off += 8 + size + size%2
	}
	t.Fatalf("%s: no data chunk", path)
	return nil
}

func decodePCM(t testing.TB, b []byte, tag, bits uint16) [][2]float64 {
	t.Helper()
	var out [][2]float64
	switch {
	case tag == 3 && bits == 32:
		for i := 0; i+8 <= len(b); i += 8 {
			out = append(out, [2]float64{
				float64(math.Float32frombits(binary.LittleEndian.Uint32(b[i:]))),
				float64(math.Float32frombits(binary.LittleEndian.Uint32(b[i+4:]))),
			})
		}
	case tag == 1 && bits == 16:
		for i := 0; i+4 <= len(b); i += 4 {
			out = append(out, [2]float64{
				float64(int16(binary.LittleEndian.Uint16(b[i:]))) / 32768,
				float64(int16(binary.LittleEndian.Uint16(b[i+2:]))) / 32768,
			})
		}
	default:
		t.Fatalf("wav format tag %d, %d bits: unsupported", tag, bits)
	}
	return out
}

// decodeWhole decodes an MP3 file in one go, with the player's decoder
// reading the whole file as one stream, and trims it like the player.
func decodeWhole(t testing.TB, path string, n int64) [][2]float64 {
	t.Helper()
	all := decodeAll(t, path)
	if int64(len(all)) < catalog.StartSkip+n {
		t.Fatalf("decoded %d samples, want at least %d", len(all), catalog.StartSkip+n)
	}
	return all[catalog.StartSkip : catalog.StartSkip+n]
}

// renderWAV plays tracks with a fresh player into a fast WAV and returns
// the samples and the events seen.
func renderWAV(t testing.TB, src *memSource, opts Options, setup func(*Player), tracks ...catalog.Track) ([][2]float64, []Event) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "out.wav")
	out, err := CreateWAV(path, WAVFloat32, false)
	if err != nil {
		t.Fatal(err)
	}
	opts.Segments, opts.Manifests, opts.Output = src, src, out
	if opts.RetryBackoff == 0 {
		opts.RetryBackoff = time.Millisecond
	}
	p := New(opts)
	if err := p.Open(); err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(p)
	} else {
		p.Play(tracks...)
	}
	events := waitEnd(t, p)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return readWAV(t, path), events
}

// waitEnd collects events until EndEvent, failing after a deadline.
func waitEnd(t testing.TB, p *Player) []Event {
	t.Helper()
	return waitEndWithin(t, p, 2*time.Minute)
}

// waitEndWithin is waitEnd failing after d.
func waitEndWithin(t testing.TB, p *Player, d time.Duration) []Event {
	t.Helper()
	var evs []Event
	deadline := time.After(d)
	for {
		select {
		case e := <-p.Events():
			evs = append(evs, e)
			if _, ok := e.(EndEvent); ok {
				return evs
			}
		case <-deadline:
			t.Fatalf("playback did not end within %v; status %+v; last events %v", d, p.Status(), tail(evs, 5))
			return nil
		}
	}
}

func tail(evs []Event, n int) []Event { return evs[max(0, len(evs)-n):] }

var errOffline = errors.New("origin unreachable")
