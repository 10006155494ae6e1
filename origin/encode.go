package origin

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"segue/catalog"
	"segue/internal/boundedread"
	"segue/mp3"
)

// encoded is one source file turned into segue's renditions, already
// stored as segments.
type encoded struct {
	// Renditions are in catalog.RenditionNames order, all cut at the same
	// frame indices.
	Renditions []catalog.Rendition
	// Samples is the source's length in samples per channel at 44.1 kHz.
	Samples int64
	// Loudness is ebur128's integrated loudness and true peak, or why the
	// loudness could not be measured.
	Loudness catalog.Loudness
	// DecodeErrors tells that ffmpeg reported damaged input while decoding.
	DecodeErrors bool
}

// silenceFloor stands for -inf dB (digital silence), which JSON cannot carry.
const silenceFloor = -120.0

// storeError is a segment that could not be stored: the data dir's fault,
// not the file's.
type storeError struct{ err error }

func (e storeError) Error() string { return e.err.Error() }
func (e storeError) Unwrap() error { return e.err }

// encodeFile decodes src once and, in the same ffmpeg run, encodes the three
// MP3 renditions, measures loudness and counts the resampled samples. Each
// rendition comes out of its own pipe and is cut into segments of
// FramesPerSegment frames as it arrives, each handed to put (which returns
// its hash), so memory holds a few segments whatever the file's length
// (a 10-hour file once took 2.7 GB held whole). A failed put comes back as a
// storeError; any other error says what was wrong with the file.
func encodeFile(ctx context.Context, src string, put func([]byte) (string, error)) (encoded, error) {
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
	readers := make([]*os.File, n)
	writers := make([]*os.File, n)
	closeAll := func(fs []*os.File) {
		for _, f := range fs {
			if f != nil {
				f.Close()
			}
		}
	}
	defer closeAll(readers)
	defer closeAll(writers)
	for i, name := range catalog.RenditionNames {
		var err error
		if readers[i], writers[i], err = os.Pipe(); err != nil {
			return encoded{}, fmt.Errorf("open rendition pipe: %w", err)
		}
		// ExtraFiles[i] is the child's fd 3+i.
		args = append(args, "-map", labels[i], "-map_metadata", "-1",
			"-c:a", "libmp3lame", "-b:a", fmt.Sprintf("%dk", catalog.Bitrates[name]),
			"-ar", strconv.Itoa(catalog.SampleRate), "-ac", "2",
			"-reservoir", "0", "-write_xing", "0", "-id3v2_version", "0",
			"-f", "mp3", fmt.Sprintf("pipe:%d", 3+i))
	}
	args = append(args, "-map", "[cnt]", "-map_metadata", "-1", "-c:a", "pcm_u8", "-f", "u8", "pipe:1")

	// The first rendition to fail kills ffmpeg, so the other readers see
	// their pipes end instead of waiting forever. (Not an errgroup: its
	// context ends when Wait returns, and ffmpeg still has the loudness
	// summary to write then.)
	runCtx, kill := context.WithCancel(ctx)
	defer kill()
	cmd := exec.CommandContext(runCtx, "ffmpeg", args...)
	cmd.SysProcAttr = childProcAttr()
	cmd.ExtraFiles = writers
	var count byteCounter
	var log logTail
	cmd.Stdout = &count
	cmd.Stderr = &log
	if err := cmd.Start(); err != nil {
		return encoded{}, fmt.Errorf("start ffmpeg: %w", err)
	}
	closeAll(writers) // the child holds them now; EOF comes when it exits
	writers = nil
	e := encoded{Renditions: make([]catalog.Rendition, n)}
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for i, name := range catalog.RenditionNames {
		wg.Go(func() {
			defer readers[i].Close() // a reader that gives up must not block ffmpeg
			r, err := cutSegments(readers[i], name, put)
			e.Renditions[i] = r
			if err != nil {
				once.Do(func() { first = err; kill() })
			}
		})
	}
	wg.Wait()
	runErr := cmd.Wait()
	var se storeError
	switch {
	case errors.As(first, &se):
		return encoded{}, first
	case first != nil:
		return encoded{}, fmt.Errorf("encode came out wrong: %w", first)
	case runErr != nil:
		return encoded{}, fmt.Errorf("ffmpeg could not decode it: %s", lastLine(log.String(), runErr))
	}
	for _, r := range e.Renditions[1:] {
		if a, b := frameCount(r), frameCount(e.Renditions[0]); a != b {
			return encoded{}, fmt.Errorf("encode came out wrong: renditions differ in length: %s has %d frames, %s has %d",
				r.Name, a, e.Renditions[0].Name, b)
		}
	}
	e.Samples = int64(count)
	lufs, peak, err := parseEBUR128(log.String())
	if err != nil {
		return encoded{}, err
	}
	e.Loudness = loudness(lufs, peak, e.Samples)
	e.DecodeErrors = log.decodeErrors
	return e, nil
}

// cutSegments reads one rendition's frames from r and stores every run of
// FramesPerSegment frames as a segment.
func cutSegments(r io.Reader, name string, put func([]byte) (string, error)) (catalog.Rendition, error) {
	rend := catalog.Rendition{Name: name, Codec: "mp3", Bitrate: catalog.Bitrates[name]}
	runs := mp3.NewReader(r)
	for {
		seg, frames, err := runs.Run(FramesPerSegment)
		if errors.Is(err, io.EOF) {
			return rend, nil
		}
		if err != nil {
			return rend, fmt.Errorf("%s rendition: %w", name, err)
		}
		h, err := put(seg)
		if err != nil {
			return rend, storeError{err}
		}
		rend.Segments = append(rend.Segments, catalog.Segment{Hash: h, Size: int64(len(seg)), Frames: frames})
	}
}

func frameCount(r catalog.Rendition) int {
	n := 0
	for _, s := range r.Segments {
		n += s.Frames
	}
	return n
}

// loudness is what ebur128 measured, or why it could not measure: a clip
// shorter than one gating block, or nothing above the absolute gate (both
// come out of ffmpeg as exactly the gate, -70 LUFS).
func loudness(lufs, peak float64, samples int64) catalog.Loudness {
	l := catalog.Loudness{IntegratedLUFS: lufs, TruePeakDBTP: peak}
	switch seconds := float64(samples) / catalog.SampleRate; {
	case seconds < catalog.GateBlockSeconds:
		l.Unmeasured = fmt.Sprintf("too short to measure loudness: %.2f s, a measurement needs %.1f s", seconds, catalog.GateBlockSeconds)
	case lufs <= catalog.GateLUFS:
		l.Unmeasured = fmt.Sprintf("near silence: nothing above the %.0f LUFS gate", catalog.GateLUFS)
	}
	return l
}

type byteCounter int64

func (c *byteCounter) Write(p []byte) (int, error) { *c += byteCounter(len(p)); return len(p), nil }

// logTail keeps the last logTailBytes of ffmpeg's stderr (the ebur128
// summary and the error come last) and notes decode errors as they pass, so
// a file that logs an error per packet cannot fill memory.
type logTail struct {
	buf          []byte
	decodeErrors bool
}

const logTailBytes = 64 << 10

var decodeErrorMark = []byte("Error while decoding")

func (l *logTail) Write(p []byte) (int, error) {
	from := max(0, len(l.buf)-len(decodeErrorMark))
	l.buf = append(l.buf, p...)
	if bytes.Contains(l.buf[from:], decodeErrorMark) {
		l.decodeErrors = true
	}
	if len(l.buf) > 2*logTailBytes {
		l.buf = l.buf[:copy(l.buf, l.buf[len(l.buf)-logTailBytes:])]
	}
	return len(p), nil
}

func (l *logTail) String() string { return string(l.buf) }

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
	b, mime := folderCover(filepath.Dir(src))
	return b, mime, nil
}

// maxCoverBytes bounds a folder cover folderCover reads: a 4000 x 4000
// cover, the largest the Subsonic API scales (maxCoverPixels), is a few
// MB as JPEG and under 32 MiB as a photo's PNG; a file over it under a
// cover's name (a film, a disk image) was read whole into memory and
// stored as the album's cover.
const maxCoverBytes = 32 << 20

// folderCover is the first of coverNames in dir that is an image of at
// most maxCoverBytes, nil when none is (the folder listing is a nicety: a
// track ingests without it).
func folderCover(dir string) ([]byte, string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, ""
	}
	for _, want := range coverNames {
		for _, e := range entries {
			if e.Type().IsRegular() && strings.EqualFold(e.Name(), want) {
				b, err := boundedread.ReadFile(filepath.Join(dir, e.Name()), maxCoverBytes)
				if err != nil {
					continue
				}
				if mime := imageMIME(b); mime != "" {
					return b, mime
				}
			}
		}
	}
	return nil, ""
}

// isCoverName says whether a file called name is one of coverNames.
func isCoverName(name string) bool {
	for _, c := range coverNames {
		if strings.EqualFold(name, c) {
			return true
		}
	}
	return false
}

// coverProblem says why the folder cover at p cannot be an album's cover
// (folderCover passes it over), "" when it can: empty, unreadable, larger
// than maxCoverBytes, or not a JPEG or PNG image, naming what it holds
// instead (as Go's content sniffing,
// http.DetectContentType, tells from its first 512 bytes, which is all
// imageMIME looks at).
func coverProblem(p string) string {
	f, err := os.Open(p)
	if err != nil {
		return coverUnread(p, err)
	}
	defer f.Close()
	b := make([]byte, 512)
	n, err := io.ReadFull(f, b)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return coverUnread(p, err)
	}
	b = b[:n]
	st, err := f.Stat()
	switch {
	case n == 0:
		return "empty file (0 bytes), so no album cover is taken from it: put a JPEG or PNG image there"
	case err == nil && st.Size() > maxCoverBytes:
		return "larger than " + boundedread.Size(maxCoverBytes) + ", which no cover is, so no album cover is taken from it: put a smaller JPEG or PNG image there"
	case imageMIME(b) != "":
		return ""
	}
	what, _, _ := strings.Cut(http.DetectContentType(b), ";")
	if strings.HasPrefix(what, "image/") {
		return fmt.Sprintf("a %s image, and album covers are JPEG or PNG: convert it to one of them", strings.ToUpper(strings.TrimPrefix(what, "image/")))
	}
	return fmt.Sprintf("not an image (its bytes read as %s), so no album cover is taken from it: put a JPEG or PNG image there", what)
}

// coverUnread is coverProblem's reason for a cover it could not read.
func coverUnread(p string, err error) string {
	why, fix := unreadText(p, false, err)
	if fix != "" {
		fix = "; " + fix
	}
	return why + ", so no album cover is taken from it" + fix
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
