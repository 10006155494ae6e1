package origin

import (
	"errors"
	"testing"
)

// header builds an MPEG-1 Layer III 44.1 kHz frame header.
func header(kbpsIndex byte, padding bool) []byte {
	h := []byte{0xFF, 0xFB, kbpsIndex << 4, 0xC4}
	if padding {
		h[2] |= 2
	}
	return h
}

func frame(kbpsIndex byte, padding bool) []byte {
	n, err := frameLen(header(kbpsIndex, padding))
	if err != nil {
		panic(err)
	}
	f := make([]byte, n)
	copy(f, header(kbpsIndex, padding))
	return f
}

func TestFrameLen(t *testing.T) {
	for _, c := range []struct {
		idx     byte
		padding bool
		want    int
	}{
		{7, false, 313}, {7, true, 314}, // 96k
		{10, false, 522}, {10, true, 523}, // 160k
		{14, false, 1044}, {14, true, 1045}, // 320k
	} {
		got, err := frameLen(header(c.idx, c.padding))
		if err != nil || got != c.want {
			t.Errorf("index %d padding %v: %d, %v; want %d", c.idx, c.padding, got, err, c.want)
		}
	}
	for name, h := range map[string][]byte{
		"no sync":      {0x49, 0x44, 0x33, 0x04}, // "ID3"
		"MPEG-2":       {0xFF, 0xF3, 0x70, 0xC4},
		"layer II":     {0xFF, 0xFD, 0x70, 0xC4},
		"free bitrate": {0xFF, 0xFB, 0x00, 0xC4},
		"48 kHz":       {0xFF, 0xFB, 0x74, 0xC4},
		"short":        {0xFF, 0xFB},
	} {
		if _, err := frameLen(h); !errors.Is(err, ErrNotMP3) {
			t.Errorf("%s: %v, want ErrNotMP3", name, err)
		}
	}
}

func TestSplitFrames(t *testing.T) {
	var data []byte
	var want []int
	for _, f := range [][]byte{frame(7, false), frame(7, true), frame(14, false), frame(10, true)} {
		want = append(want, len(data))
		data = append(data, f...)
	}
	want = append(want, len(data))
	got, err := splitFrames(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("offsets %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("offsets %v, want %v", got, want)
		}
	}
	if _, err := splitFrames(data[:len(data)-1]); !errors.Is(err, ErrNotMP3) {
		t.Errorf("truncated last frame: %v", err)
	}
	if _, err := splitFrames(append(data, 0)); !errors.Is(err, ErrNotMP3) {
		t.Errorf("trailing garbage: %v", err)
	}
}

// FuzzSplitFrames: any input either splits into offsets that tile it
// exactly with valid frame lengths, or is refused; it never panics.
func FuzzSplitFrames(f *testing.F) {
	f.Add(append(frame(7, true), frame(14, false)...))
	f.Add([]byte("ID3\x04\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		offs, err := splitFrames(data)
		if err != nil {
			return
		}
		if offs[0] != 0 || offs[len(offs)-1] != len(data) {
			t.Fatalf("offsets %v do not tile %d bytes", offs, len(data))
		}
		for i := 0; i+1 < len(offs); i++ {
			n, err := frameLen(data[offs[i]:])
			if err != nil || offs[i+1]-offs[i] != n {
				t.Fatalf("frame %d: length %d, header says %d (%v)", i, offs[i+1]-offs[i], n, err)
			}
		}
	})
}
