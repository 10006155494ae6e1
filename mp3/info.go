package mp3

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Info is what a Xing/Info frame with a LAME tag says about the stream
// after it (gabriel.mp3-tech.org/mp3infotag.html).
type Info struct {
	Frames  int   // audio frames after the Info frame
	Bytes   int64 // bytes of the whole stream, the Info frame included; 0 when absent
	Delay   int   // encoder delay in samples at the start, 12 bits
	Padding int   // padding in samples at the end, 12 bits
}

// Xing header flags: which optional fields follow.
const (
	flagFrames = 1 << iota
	flagBytes
	flagTOC // a 100-byte seek table
	flagQuality
)

// InfoFrame returns a silent frame shaped like the 44.1 kHz audio frame
// whose header is head (no CRC, no padding byte), holding a Xing "Info" tag
// with in.Frames and in.Bytes and a LAME tag ("LAME3.100", CBR) with
// in.Delay and in.Padding, closed by the tag's CRC-16. Errors wrap
// ErrNotMP3 for a bad head, or say that the delay or padding does not fit
// the tag's 12 bits.
func InfoFrame(head []byte, in Info) ([]byte, error) {
	h := []byte{head[0], head[1] | 1, head[2] &^ 2, head[3]}
	size, err := FrameLen(h)
	if err != nil {
		return nil, err
	}
	hd, _ := ParseHeader(h)
	if in.Delay < 0 || in.Delay > 4095 || in.Padding < 0 || in.Padding > 4095 {
		return nil, fmt.Errorf("gapless info out of range: delay %d, padding %d (12 bits each)", in.Delay, in.Padding)
	}
	b := make([]byte, size)
	copy(b, h)
	at := 4 + hd.sideInfo()
	copy(b[at:], "Info")
	binary.BigEndian.PutUint32(b[at+4:], flagFrames|flagBytes)
	binary.BigEndian.PutUint32(b[at+8:], uint32(in.Frames))
	binary.BigEndian.PutUint32(b[at+12:], uint32(in.Bytes))
	lame := b[at+16:]
	copy(lame, "LAME3.100")
	lame[9] = 0x00                     // tag revision 0, CBR
	lame[20] = byte(min(hd.Kbps, 255)) // bitrate: 255 means "at least 255"
	lame[21] = byte(in.Delay >> 4)
	lame[22] = byte(in.Delay<<4) | byte(in.Padding>>8)
	lame[23] = byte(in.Padding)
	binary.BigEndian.PutUint32(lame[28:], uint32(in.Bytes)) // music length
	tagEnd := at + 16 + 34
	binary.BigEndian.PutUint16(b[tagEnd:], crc16(b[:tagEnd]))
	return b, nil
}

// ReadInfo reads the Xing/Info frame f (a whole first frame); ok is false
// when f is an audio frame or carries no frame count and LAME tag.
func ReadInfo(f []byte) (in Info, ok bool) {
	hd, err := ParseHeader(f)
	if err != nil || hd.SampleRate != 44100 {
		return in, false
	}
	off := 4 + hd.sideInfo()
	if hd.CRC {
		off += 2
	}
	if len(f) < off+8 || (!bytes.Equal(f[off:off+4], []byte("Xing")) && !bytes.Equal(f[off:off+4], []byte("Info"))) {
		return in, false
	}
	flags := binary.BigEndian.Uint32(f[off+4:])
	off += 8
	if flags&flagFrames == 0 || len(f) < off+4 {
		return in, false
	}
	in.Frames = int(binary.BigEndian.Uint32(f[off:]))
	off += 4
	if flags&flagBytes != 0 {
		if len(f) >= off+4 {
			in.Bytes = int64(binary.BigEndian.Uint32(f[off:]))
		}
		off += 4
	}
	if flags&flagTOC != 0 {
		off += 100
	}
	if flags&flagQuality != 0 {
		off += 4
	}
	if len(f) < off+24 {
		return in, false
	}
	// off: the 9-byte encoder version; delay and padding are 12 bits each
	// at byte 21 of the tag.
	d := f[off+21:]
	in.Delay = int(d[0])<<4 | int(d[1])>>4
	in.Padding = int(d[1]&0x0F)<<8 | int(d[2])
	return in, true
}

// crc16 is the LAME tag's CRC-16 (polynomial 0x8005 reflected, initial 0).
func crc16(p []byte) uint16 {
	var c uint16
	for _, x := range p {
		c ^= uint16(x)
		for range 8 {
			if c&1 != 0 {
				c = c>>1 ^ 0xA001
			} else {
				c >>= 1
			}
		}
	}
	return c
}
