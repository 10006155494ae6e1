package origin

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"segue/catalog"
)

// encoded is one source file turned into segue's renditions.
type encoded struct {
	// MP3 holds each rendition's whole stream (frames only), by name.
	MP3 map[string][]byte
	// Samples is the source's length in samples per channel at 44.1 kHz.
	Samples int64
	// LUFS and PeakDBTP are ebur128's integrated loudness and true peak.
	LUFS, PeakDBTP float64
	// DecodeErrors tells that ffmpeg reported damaged input while decoding.
	DecodeErrors bool
}

// silenceFloor stands for -inf dB (digital silence), which JSON cannot carry.
const silenceFloor = -120.0

// encodeFile decodes src once and, in the same ffmpeg run, encodes the three
// MP3 renditions, measures loudness and counts the resampled samples. The
// renditions go through files in workDir, which the caller removes.
func encodeFile(ctx context.Context, src, workDir string) (encoded, error) {
	n := len(catalog.RenditionNames)
	labels := make([]string, n)
	for i := range labels {
		labels[i] = fmt.Sprintf("[r%d]", i)
	}
	// One decode and one resample feed every output, so all renditions and
	// the sample count see the very same PCM. The counting output is mono
	// u8: one byte per sample keeps the pipe small.
	graph := fmt.Sprintf("[0:a:0]aresample=%d,aformat=channel_layouts=stereo,asplit=%d%s[m];"+
		"[m]ebur128=peak=true:framelog=verbose,aformat=sample_fmts=u8:channel_layouts=mono[cnt]",
		catalog.SampleRate, n+1, strings.Join(labels, ""))
	args := []string{"-nostdin", "-hide_banner", "-nostats", "-v", "info", "-i", src, "-filter_complex", graph}
	paths := make([]string, n)
	for i, name := range catalog.RenditionNames {
		paths[i] = filepath.Join(workDir, name+".mp3")
		args = append(args, "-map", labels[i], "-map_metadata", "-1",
			"-c:a", "libmp3lame", "-b:a", fmt.Sprintf("%dk", catalog.Bitrates[name]),
			"-ar", strconv.Itoa(catalog.SampleRate), "-ac", "2",
			"-reservoir", "0", "-write_xing", "0", "-id3v2_version", "0",
			"-f", "mp3", "-y", paths[i])
	}
	args = append(args, "-map", "[cnt]", "-map_metadata", "-1", "-c:a", "pcm_u8", "-f", "u8", "pipe:1")

	cmd := exec.CommandContext(ctx, "ffmpeg", args...)
	cmd.SysProcAttr = childProcAttr()
	var count byteCounter
	var stderr bytes.Buffer
	cmd.Stdout = &count
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return encoded{}, fmt.Errorf("ffmpeg could not decode it: %s", lastLine(stderr.String(), err))
	}
	e := encoded{MP3: map[string][]byte{}, Samples: int64(count)}
	for i, name := range catalog.RenditionNames {
		b, err := os.ReadFile(paths[i])
		if err != nil {
			return encoded{}, fmt.Errorf("read %s rendition: %w", name, err)
		}
		e.MP3[name] = b
	}
	var err error
	e.LUFS, e.PeakDBTP, err = parseEBUR128(stderr.String())
	if err != nil {
		return encoded{}, err
	}
	e.DecodeErrors = strings.Contains(stderr.String(), "Error while decoding")
	return e, nil
}

type byteCounter int64

func (c *byteCounter) Write(p []byte) (int, error) { *c += byteCounter(len(p)); return len(p), nil }

// parseEBUR128 reads integrated loudness and true peak from the last summary
// ffmpeg's ebur128 filter printed.
func parseEBUR128(stderr string) (lufs, peak float64, err error) {
	i := strings.LastIndex(stderr, "Summary:")
	if i < 0 {
		return 0, 0, fmt.Errorf("measure loudness: no ebur128 summary in ffmpeg output")
	}
	var haveI, haveP bool
	sc := bufio.NewScanner(strings.NewReader(stderr[i:]))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		switch {
		case f[0] == "I:" && !haveI:
			lufs, haveI = parseDB(f[1]), true
		case f[0] == "Peak:" && !haveP:
			peak, haveP = parseDB(f[1]), true
		}
	}
	if !haveI || !haveP {
		return 0, 0, fmt.Errorf("measure loudness: incomplete ebur128 summary")
	}
	return lufs, peak, nil
}

func parseDB(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) || v < silenceFloor {
		return silenceFloor
	}
	return v
}

// coverNames are the folder images used when a file has no embedded picture,
// in order of preference (matched case-insensitively).
var coverNames = []string{"cover.jpg", "cover.jpeg", "cover.png", "folder.jpg", "folder.jpeg", "folder.png", "front.jpg", "front.png"}

// findCover returns the cover image for src: its embedded picture when it has
// one, else a cover file in its folder. No cover is (nil, "", nil).
func findCover(ctx context.Context, src string, p probe) ([]byte, string, error) {
	if p.HasCover {
		if b, mime := embeddedCover(ctx, src, p.CoverIdx); b != nil {
			return b, mime, nil
		}
	}
	entries, err := os.ReadDir(filepath.Dir(src))
	if err != nil {
		return nil, "", nil // the folder listing is a nicety; the track still ingests
	}
	for _, want := range coverNames {
		for _, e := range entries {
			if e.Type().IsRegular() && strings.EqualFold(e.Name(), want) {
				b, err := os.ReadFile(filepath.Join(filepath.Dir(src), e.Name()))
				if err != nil {
					continue
				}
				if mime := imageMIME(b); mime != "" {
					return b, mime, nil
				}
			}
		}
	}
	return nil, "", nil
}

// embeddedCover copies the attached picture out; a format a browser or
// terminal may not know is re-encoded to JPEG.
func embeddedCover(ctx context.Context, src string, idx int) ([]byte, string) {
	for _, codec := range []string{"copy", "mjpeg"} {
		cmd := exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-v", "error", "-i", src,
			"-an", "-map", fmt.Sprintf("0:%d", idx), "-c:v", codec, "-frames:v", "1",
			"-f", "image2pipe", "pipe:1")
		cmd.SysProcAttr = childProcAttr()
		out, err := cmd.Output()
		if err == nil {
			if mime := imageMIME(out); mime != "" {
				return out, mime
			}
		}
	}
	return nil, ""
}

func imageMIME(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	switch m := http.DetectContentType(b); m {
	case "image/jpeg", "image/png":
		return m
	}
	return ""
}
