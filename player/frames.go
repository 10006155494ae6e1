package player

import (
	"fmt"

	"segue/mp3"
)

// frameOffset returns the byte offset of frame k (0-based) in seg, a run of
// whole MPEG-1 Layer III frames at any MPEG-1 sample rate.
func frameOffset(seg []byte, k int) (int, error) {
	off := 0
	for i := 0; i < k; i++ {
		h, err := mp3.ParseHeader(seg[off:])
		if err != nil {
			return 0, fmt.Errorf("find frame %d of segment at byte %d: %w", k, off, err)
		}
		off += h.Len()
		if off > len(seg) {
			return 0, fmt.Errorf("find frame %d of segment: frame %d runs past the end", k, i)
		}
	}
	return off, nil
}
