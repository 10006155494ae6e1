package player

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	gomp3 "github.com/hajimehoshi/go-mp3"
)

// pcm decodes an MP3 frame stream to samples with go-mp3, the decoder
// beep/mp3 wraps. It reads go-mp3's 16-bit output in blocks and scales it
// exactly as beep does (v/32768); beep's wrapper reads four bytes per call
// and converts each value through math.Exp2, which cost a quarter of the
// playback CPU. Like beep/mp3, it is given a plain io.Reader, never a
// ReadSeeker, so go-mp3 reads one frame at a time and never scans ahead.
type pcm struct {
	d    *gomp3.Decoder
	buf  []byte
	rest []byte // decoded bytes not yet returned
}

const pcmBytesPerSample = 4 // 16-bit stereo

func newPCM(r io.Reader) (*pcm, error) {
	d, err := gomp3.NewDecoder(r)
	if err != nil {
		return nil, fmt.Errorf("start mp3 decoder: %w", err)
	}
	return &pcm{d: d, buf: make([]byte, 1152*pcmBytesPerSample)}, nil
}

// fill makes sure rest holds at least one sample; io.EOF at the end.
func (p *pcm) fill() error {
	for len(p.rest) < pcmBytesPerSample {
		m := copy(p.buf, p.rest) // keep a split sample together
		n, err := p.d.Read(p.buf[m:])
		p.rest = p.buf[:m+n]
		if err != nil && len(p.rest) < pcmBytesPerSample {
			if errors.Is(err, io.EOF) {
				return io.EOF
			}
			return err
		}
	}
	return nil
}

// read decodes up to len(samples) samples.
func (p *pcm) read(samples [][2]float64) (int, error) {
	n := 0
	for n < len(samples) {
		if err := p.fill(); err != nil {
			return n, err
		}
		k := min(len(samples)-n, len(p.rest)/pcmBytesPerSample)
		for i := range k {
			b := p.rest[i*pcmBytesPerSample:]
			samples[n+i] = [2]float64{
				float64(int16(binary.LittleEndian.Uint16(b))) / 32768,
				float64(int16(binary.LittleEndian.Uint16(b[2:]))) / 32768,
			}
		}
		p.rest = p.rest[k*pcmBytesPerSample:]
		n += k
	}
	return n, nil
}

// skip decodes and drops n samples.
func (p *pcm) skip(n int) (int, error) {
	done := 0
	for done < n {
		if err := p.fill(); err != nil {
			return done, err
		}
		k := min(n-done, len(p.rest)/pcmBytesPerSample)
		p.rest = p.rest[k*pcmBytesPerSample:]
		done += k
	}
	return done, nil
}
