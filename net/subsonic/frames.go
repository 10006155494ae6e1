package subsonic

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrNotMP3 is wrapped when a server's stream is not MPEG-1 Layer III at
// 44.1 kHz, the only format segue's decoder takes (it asked for
// format=mp3; a server that does not transcode sends the file as it is).
var ErrNotMP3 = errors.New("the server's stream is not MP3 at 44.1 kHz")

var l3Kbps = [16]int{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0}

// frameLen returns the length of the MPEG-1 Layer III 44.1 kHz frame whose
// header starts h (ISO/IEC 11172-3, 2.4.1.3).
func frameLen(h []byte) (int, bool) {
	if len(h) < 4 || h[0] != 0xFF || h[1]&0xFE != 0xFA || (h[2]>>2)&3 != 0 {
		return 0, false
	}
	kbps := l3Kbps[h[2]>>4]
	if kbps == 0 {
		return 0, false
	}
	return 144*kbps*1000/44100 + int(h[2]>>1)&1, true
}

// gapless is what a Xing/Info frame with a LAME tag says about trimming:
// the frames after it, the encoder delay and the padding at the end
// (the LAME tag spec, gabriel.mp3-tech.org/mp3infotag.html).
type gapless struct {
	frames, delay, padding int
}

// infoFrame reads the Xing/Info frame f (a whole first frame); ok is
// false when f is an audio frame or carries no frame count and LAME tag.
func infoFrame(f []byte) (g gapless, ok bool) {
	if _, isFrame := frameLen(f); !isFrame {
		return g, false
	}
	side := 32 // MPEG-1 side information, stereo
	if f[3]>>6 == 3 {
		side = 17 // mono
	}
	off := 4 + side
	if f[1]&1 == 0 {
		off += 2 // CRC
	}
	if len(f) < off+8 || (!bytes.Equal(f[off:off+4], []byte("Xing")) && !bytes.Equal(f[off:off+4], []byte("Info"))) {
		return g, false
	}
	flags := binary.BigEndian.Uint32(f[off+4:])
	off += 8
	if flags&1 == 0 || len(f) < off+4 {
		return g, false
	}
	g.frames = int(binary.BigEndian.Uint32(f[off:]))
	off += 4
	if flags&2 != 0 {
		off += 4
	}
	if flags&4 != 0 {
		off += 100
	}
	if flags&8 != 0 {
		off += 4
	}
	if len(f) < off+24 {
		return g, false
	}
	// off: the 9-byte encoder version; delay and padding are 12 bits each
	// at byte 21 of the tag.
	d := f[off+21:]
	g.delay = int(d[0])<<4 | int(d[1])>>4
	g.padding = int(d[1]&0x0F)<<8 | int(d[2])
	return g, true
}

// frameReader splits a stream into MP3 frames: it skips an ID3v2 tag at the
// start and stops at an ID3v1 or APE tag at the end.
type frameReader struct {
	r      *bufio.Reader
	frames int
}

func newFrameReader(r io.Reader) *frameReader {
	return &frameReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// next returns the next frame (a fresh slice), or io.EOF after the last.
func (fr *frameReader) next() ([]byte, error) {
	h, err := fr.r.Peek(10)
	if len(h) == 0 && errors.Is(err, io.EOF) {
		return nil, io.EOF
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if fr.frames == 0 && len(h) == 10 && bytes.Equal(h[:3], []byte("ID3")) {
		size := int(h[6]&0x7F)<<21 | int(h[7]&0x7F)<<14 | int(h[8]&0x7F)<<7 | int(h[9]&0x7F)
		if h[5]&0x10 != 0 {
			size += 10 // footer
		}
		if _, err := fr.r.Discard(10 + size); err != nil {
			return nil, fmt.Errorf("%w: the ID3 tag at the start runs past the end", ErrNotMP3)
		}
		return fr.next()
	}
	n, ok := frameLen(h)
	if !ok {
		if bytes.HasPrefix(h, []byte("TAG")) || bytes.HasPrefix(h, []byte("APETAGEX")) || bytes.HasPrefix(h, []byte("LYRICS")) {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("%w: after frame %d the audio is %s", ErrNotMP3, fr.frames, sniff(h))
	}
	f := make([]byte, n)
	if _, err := io.ReadFull(fr.r, f); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, io.EOF // a cut last frame: the decoder would drop it too
		}
		return nil, err
	}
	fr.frames++
	return f, nil
}

// sniff names what a stream that is not MP3 is.
func sniff(h []byte) string {
	switch {
	case bytes.HasPrefix(h, []byte("fLaC")):
		return "FLAC (the server did not transcode: set it to transcode to MP3)"
	case bytes.HasPrefix(h, []byte("OggS")):
		return "Ogg (the server did not transcode: set it to transcode to MP3)"
	case bytes.HasPrefix(h, []byte("RIFF")):
		return "WAV (the server did not transcode: set it to transcode to MP3)"
	case len(h) >= 4 && h[0] == 0xFF && h[1]&0xE0 == 0xE0:
		return "an MPEG audio frame that is not MPEG-1 Layer III at 44.1 kHz"
	}
	return fmt.Sprintf("%q, not an MP3 frame", h)
}
