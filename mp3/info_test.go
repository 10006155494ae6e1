package mp3

import (
	"encoding/binary"
	"testing"
)

// TestInfoRoundTrip writes an Info frame and reads it back, for a stereo
// and a mono stream.
func TestInfoRoundTrip(t *testing.T) {
	for _, head := range [][]byte{
		{0xFF, 0xFB, 0x92, 0x44}, // 128 kbit/s, padding bit set (InfoFrame clears it), joint stereo
		{0xFF, 0xFA, 0xE0, 0xC4}, // 320 kbit/s, CRC bit set (InfoFrame clears it), mono
	} {
		want := Info{Frames: 9001, Bytes: 3_761_234, Delay: 576, Padding: 1234}
		f, err := InfoFrame(head, want)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := FrameLen(f); err != nil || n != len(f) {
			t.Fatalf("% x: frame of %d bytes, header says %d (%v)", head, len(f), n, err)
		}
		got, ok := ReadInfo(f)
		if !ok || got != want {
			t.Errorf("% x: read back %+v, %v; want %+v", head, got, ok, want)
		}
		// The LAME tag's CRC covers the frame up to the tag's last two bytes.
		at := 4 + 32
		if head[3]>>6 == 3 {
			at = 4 + 17
		}
		end := at + 16 + 34
		if c := binary.BigEndian.Uint16(f[end:]); c != crc16(f[:end]) {
			t.Errorf("% x: tag CRC %04x, want %04x", head, c, crc16(f[:end]))
		}
	}
	if _, err := InfoFrame([]byte{0xFF, 0xFB, 0x90, 0x64}, Info{Delay: 4096}); err == nil {
		t.Error("delay 4096 fits in 12 bits")
	}
	if _, ok := ReadInfo(append([]byte{0xFF, 0xFB, 0x90, 0x64}, make([]byte, 413)...)); ok {
		t.Error("a silent audio frame read as an Info frame")
	}
}

// TestCRC16 checks the LAME tag CRC against the CRC-16/ARC check value
// (reveng.sourceforge.io/crc-catalogue: check 0xBB3D for "123456789").
func TestCRC16(t *testing.T) {
	if c := crc16([]byte("123456789")); c != 0xBB3D {
		t.Errorf("crc16(123456789) = %04x, want bb3d", c)
	}
}
