package origin

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
)

// ErrNotMP3 is wrapped by frameRuns for bytes that are not a run of
// MPEG-1 Layer III frames at 44.1 kHz.
var ErrNotMP3 = errors.New("not an MPEG-1 Layer III stream at 44.1 kHz")

// mpeg1L3Kbps is the MPEG-1 Layer III bitrate table, index 1..14.
var mpeg1L3Kbps = [16]int{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0}

// frameLen returns the length in bytes of the MPEG-1 Layer III 44.1 kHz frame
// whose 4-byte header starts h, or an error for anything else.
func frameLen(h []byte) (int, error) {
	if len(h) < 4 || h[0] != 0xFF || h[1]&0xE0 != 0xE0 {
		return 0, fmt.Errorf("%w: no frame sync", ErrNotMP3)
	}
	version := (h[1] >> 3) & 3 // 3 = MPEG-1
	layer := (h[1] >> 1) & 3   // 1 = Layer III
	if version != 3 || layer != 1 {
		return 0, fmt.Errorf("%w: version bits %d, layer bits %d", ErrNotMP3, version, layer)
	}
	kbps := mpeg1L3Kbps[h[2]>>4]
	if kbps == 0 {
		return 0, fmt.Errorf("%w: free or bad bitrate index %d", ErrNotMP3, h[2]>>4)
	}
	if rate := (h[2] >> 2) & 3; rate != 0 { // 0 = 44100 Hz for MPEG-1
		return 0, fmt.Errorf("%w: sample rate index %d", ErrNotMP3, rate)
	}
	padding := int((h[2] >> 1) & 1)
	return 144*kbps*1000/44100 + padding, nil
}

// frameRuns reads a stream of MPEG-1 Layer III frames and hands it out in
// runs of whole frames, holding one run at a time. The stream must be frames
// only (no ID3, no Xing): ingest asks ffmpeg for exactly that, and anything
// else means the encode went wrong.
type frameRuns struct {
	r      *bufio.Reader
	buf    []byte // the current run
	frames int    // frames read so far
}

func newFrameRuns(r io.Reader) *frameRuns { return &frameRuns{r: bufio.NewReaderSize(r, 64<<10)} }

// next returns the next run of n frames (fewer only at the end of the
// stream) and how many frames it holds, or io.EOF after the last. The run's
// bytes are valid until the next call. Bytes that are not whole frames wrap
// ErrNotMP3; a failed read is returned as it is.
func (f *frameRuns) next(n int) ([]byte, int, error) {
	f.buf = f.buf[:0]
	k := 0
	for ; k < n; k++ {
		h, err := f.r.Peek(4)
		switch {
		case len(h) == 0 && errors.Is(err, io.EOF):
			if k == 0 {
				return nil, 0, io.EOF
			}
			return f.buf, k, nil
		case len(h) < 4 && errors.Is(err, io.EOF):
			return nil, 0, fmt.Errorf("frame %d: %w: stream ends inside a header", f.frames, ErrNotMP3)
		case err != nil:
			return nil, 0, err
		}
		size, err := frameLen(h)
		if err != nil {
			return nil, 0, fmt.Errorf("frame %d: %w", f.frames, err)
		}
		start := len(f.buf)
		f.buf = slices.Grow(f.buf, size)[:start+size]
		if got, err := io.ReadFull(f.r, f.buf[start:]); err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, 0, fmt.Errorf("frame %d: %w: %d bytes needed, stream ends after %d", f.frames, ErrNotMP3, size, got)
			}
			return nil, 0, err
		}
		f.frames++
	}
	return f.buf, k, nil
}
