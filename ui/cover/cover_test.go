package cover

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// quadrants is a 64x64 image: white top-left, black elsewhere.
func quadrants() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for y := range 64 {
		for x := range 64 {
			c := color.RGBA{0, 0, 0, 255}
			if x < 32 && y < 32 {
				c = color.RGBA{255, 255, 255, 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func TestRenderProfiles(t *testing.T) {
	a, err := Decode(quadrants())
	if err != nil {
		t.Fatal(err)
	}
	plain := a.Render(8, 10, termenv.Ascii)
	want := "████    \n████    \n        \n        "
	if plain != want {
		t.Fatalf("ascii cover:\n%q\nwant\n%q", plain, want)
	}
	tc := a.Render(8, 10, termenv.TrueColor)
	if !strings.Contains(tc, "\x1b[38;2;255;255;255m\x1b[48;2;255;255;255m▀") || !strings.Contains(tc, "\x1b[38;2;0;0;0m") {
		t.Fatalf("true color cover lacks the expected cells: %q", tc)
	}
	for _, p := range []termenv.Profile{termenv.TrueColor, termenv.ANSI256, termenv.ANSI} {
		out := a.Render(8, 10, p)
		lines := strings.Split(out, "\n")
		if len(lines) != 4 {
			t.Fatalf("profile %v: %d lines, want 4", p, len(lines))
		}
		for _, l := range lines {
			if w := lipgloss.Width(l); w != 8 {
				t.Fatalf("profile %v: line width %d, want 8: %q", p, w, l)
			}
		}
	}
}

func TestDecodeRejectsGarbage(t *testing.T) {
	if _, err := Decode([]byte("not an image")); err == nil {
		t.Fatal("Decode accepted garbage")
	}
}

func TestSizeFitsNarrowAndShort(t *testing.T) {
	for _, c := range []struct{ w, h, cw, ch int }{{40, 10, 20, 10}, {10, 40, 10, 5}, {1, 1, 0, 0}, {0, 5, 0, 0}} {
		if cw, ch := Size(c.w, c.h); cw != c.cw || ch != c.ch {
			t.Errorf("Size(%d,%d) = %d,%d want %d,%d", c.w, c.h, cw, ch, c.cw, c.ch)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	a, _ := Decode(quadrants())
	for i := 0; b.Loop(); i++ {
		a.key = "" // defeat the memo: measure a real draw
		a.Render(40, 20, termenv.TrueColor)
	}
}

// FuzzDecodeRender: whatever bytes arrive as a cover, decoding fails
// cleanly or the drawing has the promised shape.
func FuzzDecodeRender(f *testing.F) {
	f.Add(quadrants())
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Decode(data)
		if err != nil {
			return
		}
		if b := a.img.Bounds(); b.Dx()*b.Dy() > 1<<22 {
			return // a huge image decodes slowly; the origin bounds cover sizes
		}
		out := a.Render(6, 3, termenv.ANSI256)
		if n := strings.Count(out, "\n"); n != 2 {
			t.Fatalf("%d lines, want 3", n+1)
		}
	})
}
