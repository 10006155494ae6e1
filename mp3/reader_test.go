package mp3

import (
	"bytes"
	"errors"
	"io"
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
	n, err := FrameLen(header(kbpsIndex, padding))
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
		got, err := FrameLen(header(c.idx, c.padding))
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
		_, err := FrameLen(h)
		var fe *FormatError
		if !errors.Is(err, ErrNotMP3) || !errors.As(err, &fe) || fe.Reason == "" {
			t.Errorf("%s: %v, want a *FormatError wrapping ErrNotMP3", name, err)
		}
	}
}

// readRuns reads all of data through a Reader in runs of n frames.
func readRuns(data []byte, n int) (runs [][]byte, frames []int, err error) {
	fr := NewReader(bytes.NewReader(data))
	for {
		run, k, err := fr.Run(n)
		if errors.Is(err, io.EOF) {
			return runs, frames, nil
		}
		if err != nil {
			return runs, frames, err
		}
		runs = append(runs, bytes.Clone(run))
		frames = append(frames, k)
	}
}

func TestFrameRuns(t *testing.T) {
	var data []byte
	fs := [][]byte{frame(7, false), frame(7, true), frame(14, false), frame(10, true), frame(7, false)}
	for _, f := range fs {
		data = append(data, f...)
	}
	runs, frames, err := readRuns(data, 2)
	if err != nil {
		t.Fatal(err)
	}
	// Runs of 2 frames, the last one shorter, and every run whole frames.
	want := [][]byte{append(fs[0], fs[1]...), append(fs[2], fs[3]...), fs[4]}
	if len(runs) != len(want) || frames[0] != 2 || frames[1] != 2 || frames[2] != 1 {
		t.Fatalf("%d runs of %v frames, want 3 of [2 2 1]", len(runs), frames)
	}
	for i := range want {
		if !bytes.Equal(runs[i], want[i]) {
			t.Fatalf("run %d: %d bytes, want %d", i, len(runs[i]), len(want[i]))
		}
	}
	for name, bad := range map[string][]byte{
		"truncated last frame": data[:len(data)-1],
		"trailing garbage":     append(bytes.Clone(data), 0),
		"header cut short":     append(bytes.Clone(data), 0xFF, 0xFB),
		"ID3 in front":         append([]byte("ID3\x04\x00"), data...),
	} {
		if _, _, err := readRuns(bad, 2); !errors.Is(err, ErrNotMP3) {
			t.Errorf("%s: %v, want ErrNotMP3", name, err)
		}
	}
	if runs, _, err := readRuns(nil, 2); err != nil || len(runs) != 0 {
		t.Errorf("empty stream: %d runs, %v", len(runs), err)
	}
}

// FuzzFrameRuns: any input either comes out as runs that tile it exactly,
// each of whole frames of valid lengths, or is refused; it never panics.
func FuzzFrameRuns(f *testing.F) {
	f.Add(append(frame(7, true), frame(14, false)...), 1)
	f.Add([]byte("ID3\x04\x00"), 3)
	f.Fuzz(func(t *testing.T, data []byte, n int) {
		n = 1 + abs(n)%8
		runs, frames, err := readRuns(data, n)
		if err != nil {
			return
		}
		if got := bytes.Join(runs, nil); !bytes.Equal(got, data) {
			t.Fatalf("runs hold %d bytes of %d", len(got), len(data))
		}
		for i, run := range runs {
			if frames[i] > n || (frames[i] < n && i != len(runs)-1) {
				t.Fatalf("run %d holds %d frames, runs of %d", i, frames[i], n)
			}
			k := 0
			for off := 0; off < len(run); k++ {
				size, err := FrameLen(run[off:])
				if err != nil || off+size > len(run) {
					t.Fatalf("run %d: frame at %d: size %d, %v", i, off, size, err)
				}
				off += size
			}
			if k != frames[i] {
				t.Fatalf("run %d: %d frames, said %d", i, k, frames[i])
			}
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// FuzzFrames: the file reader never panics, never returns an empty frame,
// and every frame it returns has the length its header says.
func FuzzFrames(f *testing.F) {
	frame := append([]byte{0xFF, 0xFB, 0x90, 0x64}, make([]byte, 413)...) // 128 kbit/s, 44.1 kHz: 417 bytes
	f.Add(append(append([]byte("ID3\x04\x00\x00\x00\x00\x00\x02xx"), frame...), frame...))
	f.Add(append(frame, []byte("TAG")...))
	f.Add([]byte("fLaC\x00\x00"))
	f.Add(frame[:100])
	f.Fuzz(func(t *testing.T, b []byte) {
		fr := NewFileReader(bytes.NewReader(b))
		for range 1000 {
			fm, err := fr.Next()
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, ErrNotMP3) {
					t.Fatalf("error %v wraps neither io.EOF nor ErrNotMP3", err)
				}
				return
			}
			if n, err := FrameLen(fm); err != nil || n != len(fm) {
				t.Fatalf("frame of %d bytes, header says %d (%v)", len(fm), n, err)
			}
			ReadInfo(fm)
		}
	})
}

func TestFileReader(t *testing.T) {
	a, b := frame(9, false), frame(7, true)
	id3 := []byte("ID3\x04\x00\x00\x00\x00\x00\x02xx")
	for name, c := range map[string]struct {
		in     []byte
		frames int
		err    error
	}{
		"ID3v2 in front":   {append(append(bytes.Clone(id3), a...), b...), 2, nil},
		"ID3v1 at the end": {append(append(bytes.Clone(a), b...), "TAG"...), 2, nil},
		"APE at the end":   {append(bytes.Clone(a), "APETAGEX"...), 1, nil},
		"cut last frame":   {append(bytes.Clone(a), b[:100]...), 1, nil},
		"FLAC":             {[]byte("fLaC\x00\x00\x00\x22"), 0, ErrNotMP3},
		"garbage after":    {append(bytes.Clone(a), "junkjunk"...), 1, ErrNotMP3},
	} {
		fr := NewFileReader(bytes.NewReader(c.in))
		n := 0
		var err error
		for {
			if _, err = fr.Next(); err != nil {
				break
			}
			n++
		}
		if n != c.frames || (c.err == nil && err != io.EOF) || (c.err != nil && !errors.Is(err, c.err)) {
			t.Errorf("%s: %d frames, %v; want %d, %v", name, n, err, c.frames, c.err)
		}
	}
}
