package player

import (
	"errors"
	"fmt"
)

// errNoFrame is returned when bytes do not start with an MPEG-1 Layer III
// frame header.
var errNoFrame = errors.New("no mpeg-1 layer iii frame header")

var (
	mp3Bitrates    = [16]int{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0}
	mp3SampleRates = [4]int{44100, 48000, 32000, 0}
)

// frameLen returns the length in bytes of the MPEG-1 Layer III frame whose
// header starts b.
func frameLen(b []byte) (int, error) {
	if len(b) < 4 || b[0] != 0xFF || b[1]&0xFE != 0xFA { // sync, MPEG-1, Layer III
		return 0, errNoFrame
	}
	br := mp3Bitrates[b[2]>>4]
	sr := mp3SampleRates[(b[2]>>2)&3]
	if br == 0 || sr == 0 {
		return 0, errNoFrame
	}
	pad := int(b[2]>>1) & 1
	return 144*br*1000/sr + pad, nil
}

// frameOffset returns the byte offset of frame k (0-based) in seg, a run of
// whole frames.
func frameOffset(seg []byte, k int) (int, error) {
	off := 0
	for i := 0; i < k; i++ {
		n, err := frameLen(seg[off:])
		if err != nil {
			return 0, fmt.Errorf("find frame %d of segment at byte %d: %w", k, off, err)
		}
		off += n
		if off > len(seg) {
			return 0, fmt.Errorf("find frame %d of segment: frame %d runs past the end", k, i)
		}
	}
	return off, nil
}
