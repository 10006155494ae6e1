// Package mp3 owns the MPEG-1 Layer III frame format as segue uses it: the
// 4-byte frame header (ISO/IEC 11172-3, 2.4.1.3), a reader that splits a
// stream into whole frames, and the Xing/Info frame with its LAME tag that
// carries the gapless encoder delay and padding
// (gabriel.mp3-tech.org/mp3infotag.html). It never decodes audio and knows
// nothing of segments, manifests or servers.
package mp3

import (
	"errors"
	"fmt"
)

// ErrNotMP3 is wrapped by every error for bytes that are not MPEG-1 Layer
// III frames at 44.1 kHz, the only format segue stores and decodes.
var ErrNotMP3 = errors.New("not an MPEG-1 Layer III stream at 44.1 kHz")

// FormatError says what was wrong with bytes that are not an MPEG-1 Layer
// III frame. It wraps ErrNotMP3.
type FormatError struct {
	Reason string // e.g. "free or bad bitrate index 15"
}

func (e *FormatError) Error() string { return ErrNotMP3.Error() + ": " + e.Reason }

// Unwrap returns ErrNotMP3.
func (e *FormatError) Unwrap() error { return ErrNotMP3 }

func formatErr(format string, a ...any) error { return &FormatError{Reason: fmt.Sprintf(format, a...)} }

// kbps is the MPEG-1 Layer III bitrate table in kbit/s by bitrate index;
// 0 marks "free" (index 0) and the forbidden index 15 (ISO/IEC 11172-3,
// 2.4.2.3).
var kbps = [16]int{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0}

// sampleRates is the MPEG-1 sampling frequency in Hz by index; 0 is reserved.
var sampleRates = [4]int{44100, 48000, 32000, 0}

// Header is a parsed MPEG-1 Layer III frame header.
type Header struct {
	Kbps       int  // bitrate in kbit/s, 32..320
	SampleRate int  // Hz: 44100, 48000 or 32000
	Padding    bool // the frame has one extra byte
	CRC        bool // a 16-bit CRC follows the header
	Mono       bool // channel mode 3: side information is 17 bytes, not 32
}

// ParseHeader parses the 4-byte MPEG-1 Layer III header that starts h, at
// any of the three MPEG-1 sample rates. The error is a *FormatError.
func ParseHeader(h []byte) (Header, error) {
	if len(h) < 4 {
		return Header{}, formatErr("%d bytes, a header is 4", len(h))
	}
	if h[0] != 0xFF || h[1]&0xE0 != 0xE0 {
		return Header{}, formatErr("no frame sync: the bytes are %s", sniff(h))
	}
	version := (h[1] >> 3) & 3 // 3 = MPEG-1
	layer := (h[1] >> 1) & 3   // 1 = Layer III
	if version != 3 || layer != 1 {
		return Header{}, formatErr("version bits %d, layer bits %d (want 3, 1: MPEG-1 Layer III)", version, layer)
	}
	hd := Header{Kbps: kbps[h[2]>>4], SampleRate: sampleRates[(h[2]>>2)&3],
		Padding: h[2]&2 != 0, CRC: h[1]&1 == 0, Mono: h[3]>>6 == 3}
	if hd.Kbps == 0 {
		return Header{}, formatErr("free or bad bitrate index %d", h[2]>>4)
	}
	if hd.SampleRate == 0 {
		return Header{}, formatErr("reserved sample rate index 3")
	}
	return hd, nil
}

// Len returns the length in bytes of the frame, header included:
// 144*bitrate/sample rate, plus the padding byte.
func (h Header) Len() int {
	n := 144 * h.Kbps * 1000 / h.SampleRate
	if h.Padding {
		n++
	}
	return n
}

// sideInfo returns the length in bytes of the side information after the
// header (and CRC): 17 for mono, 32 otherwise.
func (h Header) sideInfo() int {
	if h.Mono {
		return 17
	}
	return 32
}

// FrameLen returns the length in bytes of the 44.1 kHz MPEG-1 Layer III
// frame whose header starts h. The error is a *FormatError for anything
// else, 48 and 32 kHz included.
func FrameLen(h []byte) (int, error) {
	hd, err := ParseHeader(h)
	if err != nil {
		return 0, err
	}
	if hd.SampleRate != 44100 {
		return 0, formatErr("sample rate %d Hz", hd.SampleRate)
	}
	return hd.Len(), nil
}

// sniff names what bytes that are not an MP3 frame look like.
func sniff(h []byte) string {
	for _, f := range []struct{ magic, name string }{
		{"fLaC", "FLAC"}, {"OggS", "Ogg"}, {"RIFF", "WAV"}, {"ID3", "an ID3 tag"},
	} {
		if len(h) >= len(f.magic) && string(h[:len(f.magic)]) == f.magic {
			return f.name
		}
	}
	return fmt.Sprintf("%q", h[:min(len(h), 4)])
}
