package mp3

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
)

// Reader splits a stream into whole 44.1 kHz MPEG-1 Layer III frames. Its
// errors for bytes that are not such frames wrap ErrNotMP3 (a *FormatError,
// prefixed with the index of the frame); a failed read is returned as it is.
type Reader struct {
	r      *bufio.Reader
	tagged bool   // skip an ID3v2 tag at the start, end at a tag at the end
	buf    []byte // the current run
	frames int    // frames read so far
}

// NewReader returns a Reader for a stream that is frames only, no tags and
// nothing after the last whole frame (what ffmpeg writes when asked for
// exactly that): anything else is an error.
func NewReader(r io.Reader) *Reader { return &Reader{r: bufio.NewReaderSize(r, 64<<10)} }

// NewFileReader returns a Reader for an MP3 file as servers send it: it
// skips an ID3v2 tag at the start, ends at an ID3v1, APE or Lyrics3 tag
// after the frames, and ends (without an error) at a cut last frame, as a
// decoder would drop it.
func NewFileReader(r io.Reader) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 64<<10), tagged: true}
}

// Next returns the next frame in a fresh slice, or io.EOF after the last.
func (fr *Reader) Next() ([]byte, error) { return fr.appendFrame(nil) }

// Run returns the next run of n frames (fewer only at the end of the
// stream) and how many frames it holds, or io.EOF after the last. The run's
// bytes are valid until the next call.
func (fr *Reader) Run(n int) ([]byte, int, error) {
	fr.buf = fr.buf[:0]
	k := 0
	for ; k < n; k++ {
		b, err := fr.appendFrame(fr.buf)
		if errors.Is(err, io.EOF) {
			if k == 0 {
				return nil, 0, io.EOF
			}
			return fr.buf, k, nil
		}
		if err != nil {
			return nil, 0, err
		}
		fr.buf = b
	}
	return fr.buf, k, nil
}

// appendFrame appends the next frame to dst, or returns io.EOF after the
// last.
func (fr *Reader) appendFrame(dst []byte) ([]byte, error) {
	h, err := fr.r.Peek(10)
	switch {
	case len(h) == 0 && errors.Is(err, io.EOF):
		return nil, io.EOF
	case err != nil && !errors.Is(err, io.EOF):
		return nil, err
	}
	if fr.tagged && fr.frames == 0 && len(h) == 10 && bytes.HasPrefix(h, []byte("ID3")) {
		// ID3v2: a 28-bit syncsafe size after 10 header bytes, and a
		// 10-byte footer when flag bit 4 is set (id3.org, ID3v2.4 3.1).
		size := int(h[6]&0x7F)<<21 | int(h[7]&0x7F)<<14 | int(h[8]&0x7F)<<7 | int(h[9]&0x7F)
		if h[5]&0x10 != 0 {
			size += 10
		}
		if _, err := fr.r.Discard(10 + size); err != nil {
			return nil, formatErr("the ID3 tag at the start runs past the end")
		}
		return fr.appendFrame(dst)
	}
	size, err := FrameLen(h)
	if err != nil {
		if fr.tagged && (bytes.HasPrefix(h, []byte("TAG")) || bytes.HasPrefix(h, []byte("APETAGEX")) || bytes.HasPrefix(h, []byte("LYRICS"))) {
			return nil, io.EOF
		}
		if len(h) < 4 && !fr.tagged {
			err = formatErr("stream ends inside a header")
		}
		return nil, frameErr(fr.frames, err)
	}
	start := len(dst)
	dst = slices.Grow(dst, size)[:start+size]
	if got, err := io.ReadFull(fr.r, dst[start:]); err != nil {
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, err
		}
		if fr.tagged {
			return nil, io.EOF
		}
		return nil, frameErr(fr.frames, formatErr("%d bytes needed, stream ends after %d", size, got))
	}
	fr.frames++
	return dst, nil
}

// frameErr says which frame err is about.
func frameErr(i int, err error) error { return fmt.Errorf("frame %d: %w", i, err) }
