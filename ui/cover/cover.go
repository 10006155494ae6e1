// Package cover draws album art in the terminal: a decoded PNG or JPEG is
// scaled down with a box filter and drawn with Unicode upper half-blocks, two
// pixels per cell, in true color (or the nearest palette color); with no
// color at all it falls back to plain shade blocks by brightness. It does no
// I/O: the caller fetches the bytes.
package cover

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // register the JPEG decoder for Decode
	_ "image/png"  // register the PNG decoder for Decode
	"strings"

	"github.com/muesli/termenv"
)

// Art is a decoded cover with its last rendering kept, since a view redraws
// far more often than its size changes.
type Art struct {
	img image.Image

	key  string // size and profile of out
	out  string
	w, h int
}

// Decode reads a PNG or JPEG image.
func Decode(data []byte) (*Art, error) {
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decode cover image: %w", err)
	}
	return &Art{img: img}, nil
}

// FromImage wraps an already decoded image.
func FromImage(img image.Image) *Art { return &Art{img: img} }

// Size returns the cells a square cover takes when it must fit in w x h
// cells: a cell holds two pixels stacked, so a square is s wide, s/2 tall.
func Size(w, h int) (cw, ch int) {
	s := min(w, 2*h)
	s -= s % 2
	return s, s / 2
}

// Render draws the cover to fit in w x h cells with profile p. The result is
// exactly ch lines of cw cells (see Size).
func (a *Art) Render(w, h int, p termenv.Profile) string {
	cw, ch := Size(w, h)
	if cw <= 0 || ch <= 0 || a == nil || a.img == nil {
		return ""
	}
	k := fmt.Sprintf("%dx%d/%d", cw, ch, p)
	if k == a.key {
		return a.out
	}
	px := scale(a.img, cw, 2*ch)
	var b strings.Builder
	for y := 0; y < ch; y++ {
		if y > 0 {
			b.WriteByte('\n')
		}
		for x := 0; x < cw; x++ {
			top, bot := px[2*y][x], px[2*y+1][x]
			switch p {
			case termenv.TrueColor:
				fmt.Fprintf(&b, "\x1b[38;2;%d;%d;%dm\x1b[48;2;%d;%d;%dm▀", top.r, top.g, top.b, bot.r, bot.g, bot.b)
			case termenv.ANSI256, termenv.ANSI:
				fmt.Fprintf(&b, "\x1b[%s;%sm▀", p.Color(top.hex()).Sequence(false), p.Color(bot.hex()).Sequence(true))
			default:
				b.WriteRune(shade((top.luma() + bot.luma()) / 2))
			}
		}
		if p != termenv.Ascii {
			b.WriteString("\x1b[0m")
		}
	}
	out := b.String()
	a.key, a.out, a.w, a.h = k, out, cw, ch
	return out
}

type rgb struct{ r, g, b uint8 }

func (c rgb) hex() string { return fmt.Sprintf("#%02x%02x%02x", c.r, c.g, c.b) }

func (c rgb) luma() int { return (299*int(c.r) + 587*int(c.g) + 114*int(c.b)) / 1000 }

// shade maps brightness 0-255 to a block that many cells of a plain
// terminal can show.
func shade(l int) rune {
	ramp := []rune{' ', '░', '▒', '▓', '█'}
	return ramp[min(l*len(ramp)/256, len(ramp)-1)]
}

// scale box-filters img down (or nearest-neighbours it up) to w x h pixels.
func scale(img image.Image, w, h int) [][]rgb {
	bd := img.Bounds()
	sw, sh := bd.Dx(), bd.Dy()
	out := make([][]rgb, h)
	for y := range h {
		out[y] = make([]rgb, w)
		y0, y1 := bd.Min.Y+y*sh/h, bd.Min.Y+(y+1)*sh/h
		y1 = max(y1, y0+1)
		for x := range w {
			x0, x1 := bd.Min.X+x*sw/w, bd.Min.X+(x+1)*sw/w
			x1 = max(x1, x0+1)
			var r, g, b, n uint64
			for yy := y0; yy < y1; yy++ {
				for xx := x0; xx < x1; xx++ {
					cr, cg, cb, _ := img.At(xx, yy).RGBA()
					r, g, b, n = r+uint64(cr), g+uint64(cg), b+uint64(cb), n+1
				}
			}
			out[y][x] = rgb{uint8(r / n >> 8), uint8(g / n >> 8), uint8(b / n >> 8)}
		}
	}
	return out
}
