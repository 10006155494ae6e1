package origin

import (
	"errors"
	"fmt"
)

// ErrNotMP3 is wrapped by splitFrames for bytes that are not a run of
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

// splitFrames returns the byte offset where each frame of data starts, plus a
// final entry len(data), so frame i is data[offs[i]:offs[i+1]]. The stream
// must be frames only (no ID3, no Xing): ingest asks ffmpeg for exactly that,
// and anything else means the encode went wrong.
func splitFrames(data []byte) ([]int, error) {
	offs := make([]int, 0, len(data)/400+2)
	pos := 0
	for pos < len(data) {
		n, err := frameLen(data[pos:])
		if err != nil {
			return nil, fmt.Errorf("frame %d at byte %d: %w", len(offs), pos, err)
		}
		if pos+n > len(data) {
			return nil, fmt.Errorf("frame %d at byte %d: %w: %d bytes needed, %d left", len(offs), pos, ErrNotMP3, n, len(data)-pos)
		}
		offs = append(offs, pos)
		pos += n
	}
	return append(offs, pos), nil
}
