package player

import (
	"errors"
	"fmt"
	"io"

	"github.com/gopxl/beep/v2"
	"github.com/gopxl/beep/v2/flac"
	"github.com/gopxl/beep/v2/vorbis"
	"github.com/gopxl/beep/v2/wav"

	"segue/catalog"
)

// decoder turns a track's stream into samples at catalog.SampleRate;
// *pcm (MP3, libmpg123) and *streamPCM (FLAC, Ogg Vorbis, WAV through
// beep's decoders) are the two. It belongs to the render goroutine.
type decoder interface {
	read(samples [][2]float64) (int, error)
	skip(n int) (int, error)
	close()
}

var (
	_ decoder = (*pcm)(nil)
	_ decoder = (*streamPCM)(nil)
)

// framed reports whether m's segments are runs of MP3 frames (seekable by
// frame) rather than runs of bytes of another codec's stream.
func framed(m *catalog.Manifest) bool {
	c := m.Renditions[0].Codec
	return c == "" || c == catalog.CodecMP3
}

// newDecoder returns the decoder of codec reading r. beep's decoders
// (mewkiz/flac, jfreymuth/oggvorbis, its own WAV reader) are well kept
// and read a plain io.Reader as it arrives; a stream at another rate than
// catalog.SampleRate is resampled.
func newDecoder(codec string, r io.Reader) (decoder, error) {
	var (
		s   beep.StreamSeekCloser
		f   beep.Format
		err error
	)
	switch codec {
	case "", catalog.CodecMP3:
		return newPCM(r)
	case catalog.CodecFLAC:
		s, f, err = flac.Decode(r)
	case catalog.CodecVorbis:
		s, f, err = vorbis.Decode(io.NopCloser(r))
	case catalog.CodecWAV:
		s, f, err = wav.Decode(r)
	default:
		return nil, fmt.Errorf("no decoder for codec %q", codec)
	}
	if err != nil {
		return nil, fmt.Errorf("start %s decoder: %w", codec, err)
	}
	d := &streamPCM{src: s, s: s}
	if f.SampleRate != catalog.SampleRate {
		d.s = beep.Resample(4, f.SampleRate, catalog.SampleRate, s)
	}
	return d, nil
}

// streamPCM is a beep decoder as a decoder.
type streamPCM struct {
	src     beep.StreamSeekCloser
	s       beep.Streamer // src, resampled when needed
	scratch [][2]float64
}

func (d *streamPCM) read(samples [][2]float64) (int, error) {
	n := 0
	for n < len(samples) {
		k, ok := d.s.Stream(samples[n:])
		n += k
		if !ok {
			if err := d.src.Err(); err != nil && !errors.Is(err, io.EOF) {
				return n, fmt.Errorf("decode: %w", err)
			}
			return n, io.EOF
		}
	}
	return n, nil
}

func (d *streamPCM) skip(n int) (int, error) {
	if d.scratch == nil {
		d.scratch = make([][2]float64, chunk)
	}
	done := 0
	for done < n {
		k, err := d.read(d.scratch[:min(chunk, n-done)])
		done += k
		if err != nil {
			return done, err
		}
	}
	return done, nil
}

// close releases the decoder; safe to call twice.
func (d *streamPCM) close() {
	if d.src != nil {
		d.src.Close()
		d.src = nil
	}
}
