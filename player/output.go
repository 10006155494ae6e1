package player

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"strings"
	"time"

	"segue/catalog"
)

// Output receives the samples the player produces, 44.1 kHz stereo in
// [-1, 1]. Write blocks as long as the output needs to keep real time.
type Output interface {
	Write(samples [][2]float64) error
	Close() error
}

// Idler is an Output that can stop pulling from its device while the
// player has nothing to write. drain is false for a pause (what was
// written is held for the next Write) and true when playback stopped or
// the queue ended (what was written plays out first). Idle must not block
// for long; the next Write starts the device again.
type Idler interface {
	Idle(drain bool)
}

// Flusher is an Output that holds more than a moment of audio (the ALSA
// device buffer): Flush drops what was written and not yet played, so
// what is written next (a seek, a skip, another track) is heard at once.
// A Write running meanwhile drops the rest of its samples.
type Flusher interface {
	Flush()
}

// Volumer is an Output that applies the volume itself and at once: the
// player then renders without it and calls SetVolume with the factor
// (0 silent, 1 unity: volumeFactor's square law) when it opens, when a
// state is restored and on every volume change. An output that holds a
// device buffer of audio (ALSA: seconds) would otherwise play a change
// that much late, the volume being in the samples already. SetVolume
// must not block for long.
type Volumer interface {
	SetVolume(factor float64)
}

// Delayer is an Output that holds written samples for a while before they
// are heard (ALSA: a ring and a device buffer, seconds long): Unheard is
// how many of the samples written so far are not heard yet. The player
// then reports the position heard, not the position written, and makes
// the next track current about when its first sample is heard.
type Delayer interface {
	Unheard() int
}

// Unpaced is implemented by an output that takes samples as fast as they
// come (a wav rendered with --fast): its play head outruns any network, so
// waiting for a segment there is not a stall a listener would hear: the
// player reports it as the Buffering state only, with no StallEvent and no
// stall in its statistics.
type Unpaced interface {
	Unpaced() bool
}

// OutputOptions tunes ParseOutput.
type OutputOptions struct {
	// Fast makes wav render as fast as it can instead of in real time.
	Fast bool
	// Log receives alsa-lib's messages and what is printed on fd 2 while
	// the device opens (nil: dropped).
	Log *slog.Logger
	// Buffer is the alsa device buffer (default DefaultALSABuffer).
	Buffer time.Duration
}

// ParseOutput opens an output named as the --output flag spells it:
// "alsa", "null", "wav:PATH" (float32) or "wav16:PATH" (16-bit PCM).
func ParseOutput(spec string, o OutputOptions) (Output, error) {
	switch {
	case spec == "alsa" || spec == "":
		return OpenALSA(o.Buffer, o.Log)
	case spec == "null":
		return NewNull(), nil
	case strings.HasPrefix(spec, "wav:"):
		return CreateWAV(strings.TrimPrefix(spec, "wav:"), WAVFloat32, !o.Fast)
	case strings.HasPrefix(spec, "wav16:"):
		return CreateWAV(strings.TrimPrefix(spec, "wav16:"), WAVInt16, !o.Fast)
	}
	return nil, fmt.Errorf("output %q: want alsa, null, wav:FILE or wav16:FILE", spec)
}

// pacer sleeps so that samples are consumed no faster than real time.
type pacer struct {
	start time.Time
	n     int64
}

func (p *pacer) pace(n int) {
	if p.start.IsZero() {
		p.start = time.Now()
	}
	p.n += int64(n)
	due := p.start.Add(samplesToDuration(p.n))
	if d := time.Until(due); d > 0 {
		time.Sleep(d)
	} else if d < -time.Second { // fell far behind (paused, starved): restart the clock
		p.start, p.n = time.Now(), 0
	}
}

// Null discards samples in real time.
type Null struct{ p pacer }

// NewNull returns a real-time output that discards everything.
func NewNull() *Null { return &Null{} }

// Write waits as long as playing samples would take.
func (o *Null) Write(samples [][2]float64) error { o.p.pace(len(samples)); return nil }

// Close does nothing.
func (o *Null) Close() error { return nil }

// WAVFormat is the sample format of a WAV output.
type WAVFormat int

// WAV sample formats.
const (
	WAVFloat32 WAVFormat = iota // IEEE float, exactly what the player produced
	WAVInt16                    // 16-bit PCM, as a 16-bit device would get it
)

// WAV writes samples to a WAV file, sample-exact: the canonical 44-byte
// header (fmt, then data at byte 36), the samples, and after them, once
// closed, renderMark.
type WAV struct {
	f       *os.File
	w       *bufio.Writer
	format  WAVFormat
	frames  int64
	realism *pacer // nil: as fast as possible
	buf     []byte
}

// renderMark ends every WAV file CreateWAV writes (Close appends it): a
// LIST INFO chunk whose software (ISFT) is "segue", after the data, where
// readers that take the header's 44 bytes and the data's size read none
// of it. It tells segue's renders (IsRender) from other programs' WAV
// files of the same layout: a CD ripper's 16-bit stereo 44.1 kHz WAV has
// the very header of a wav16 render, and play --output wav16: wrote over
// one.
var renderMark = []byte("LIST\x12\x00\x00\x00INFOISFT\x06\x00\x00\x00segue\x00")

// CreateWAV creates path and writes a WAV header; Close fixes up the sizes
// and appends renderMark.
// When realTime is set, Write paces like a device.
func CreateWAV(path string, format WAVFormat, realTime bool) (*WAV, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create wav output: %w", err)
	}
	o := &WAV{f: f, w: bufio.NewWriterSize(f, 64<<10), format: format}
	if realTime {
		o.realism = &pacer{}
	}
	if _, err := o.w.Write(o.header()); err != nil {
		f.Close()
		return nil, fmt.Errorf("write wav header: %w", err)
	}
	return o, nil
}

// Unpaced reports whether o renders as fast as it can (no real-time pacing).
func (o *WAV) Unpaced() bool { return o.realism == nil }

func (o *WAV) bytesPerSample() int {
	if o.format == WAVInt16 {
		return 2
	}
	return 4
}

func (o *WAV) header() []byte {
	bps := o.bytesPerSample()
	data := uint32(o.frames * int64(bps*catalog.Channels))
	h := make([]byte, 0, 44)
	le := binary.LittleEndian
	h = append(h, "RIFF"...)
	h = le.AppendUint32(h, 36+data+uint32(len(renderMark)))
	h = append(h, "WAVEfmt "...)
	h = le.AppendUint32(h, 16)
	tag := uint16(3) // IEEE float
	if o.format == WAVInt16 {
		tag = 1
	}
	h = le.AppendUint16(h, tag)
	h = le.AppendUint16(h, catalog.Channels)
	h = le.AppendUint32(h, catalog.SampleRate)
	h = le.AppendUint32(h, uint32(catalog.SampleRate*catalog.Channels*bps))
	h = le.AppendUint16(h, uint16(catalog.Channels*bps))
	h = le.AppendUint16(h, uint16(8*bps))
	h = append(h, "data"...)
	h = le.AppendUint32(h, data)
	return h
}

// IsRender reports whether r, a file of size bytes, is a WAV file
// CreateWAV wrote: its 44-byte header (a 16-byte fmt chunk of WAVFloat32
// or WAVInt16 at catalog.SampleRate and catalog.Channels, the data chunk
// at byte 36) with renderMark after the data its header gives, or a render
// cut short before Close (the header's sizes still those CreateWAV first
// writes: no data, RIFF 36 plus renderMark's length, which no other
// program writes). A WAV file of any other layout, or of this one without
// the mark, is another program's.
func IsRender(r io.ReaderAt, size int64) bool {
	h := make([]byte, 44)
	if _, err := r.ReadAt(h, 0); err != nil || string(h[:4]) != "RIFF" || string(h[8:16]) != "WAVEfmt " || string(h[36:40]) != "data" {
		return false
	}
	le := binary.LittleEndian
	tag, channels, rate := le.Uint16(h[20:]), le.Uint16(h[22:]), le.Uint32(h[24:])
	byteRate, align, bits := le.Uint32(h[28:]), le.Uint16(h[32:]), le.Uint16(h[34:])
	bytes := uint32(bits / 8)
	if le.Uint32(h[16:]) != 16 || !(tag == 3 && bits == 32 || tag == 1 && bits == 16) ||
		channels != catalog.Channels || rate != catalog.SampleRate ||
		byteRate != rate*uint32(channels)*bytes || uint32(align) != uint32(channels)*bytes {
		return false
	}
	riff, data := int64(le.Uint32(h[4:])), int64(le.Uint32(h[40:]))
	mark := int64(len(renderMark))
	if data == 0 && riff == 36+mark {
		return true // cut short: Close never ran
	}
	tail := make([]byte, mark)
	if riff != 36+data+mark || size < 44+data+mark {
		return false
	}
	_, err := r.ReadAt(tail, 44+data)
	return err == nil && string(tail) == string(renderMark)
}

// Write appends samples.
func (o *WAV) Write(samples [][2]float64) error {
	o.buf = o.buf[:0]
	le := binary.LittleEndian
	for _, s := range samples {
		for _, v := range s {
			if o.format == WAVInt16 {
				o.buf = le.AppendUint16(o.buf, uint16(int16(math.Max(-1, math.Min(1, v))*32767)))
			} else {
				o.buf = le.AppendUint32(o.buf, math.Float32bits(float32(v)))
			}
		}
	}
	if _, err := o.w.Write(o.buf); err != nil {
		return fmt.Errorf("write wav: %w", err)
	}
	o.frames += int64(len(samples))
	if o.realism != nil {
		o.realism.pace(len(samples))
	}
	return nil
}

// Frames returns how many stereo samples were written.
func (o *WAV) Frames() int64 { return o.frames }

// Close appends renderMark, flushes, writes the final sizes into the
// header and closes the file.
func (o *WAV) Close() error {
	_, err := o.w.Write(renderMark)
	if err == nil {
		err = o.w.Flush()
	}
	if err == nil {
		_, err = o.f.WriteAt(o.header(), 0)
	}
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("finish wav output: %w", err)
	}
	return nil
}

// ErrNoDevice wraps every failure to open the sound device, so a caller can
// fall back to another output.
var ErrNoDevice = errors.New("no audio device")
