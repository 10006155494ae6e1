package demo

import (
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
)

// writeCover draws a 300x300 cover for al: a diagonal gradient in its hue
// with concentric rings, so every album looks different in the TUI.
func writeCover(path string, al album) error {
	const size = 300
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	seed := float64(len(al.Title)*7 + len(al.Artist))
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			fx, fy := float64(x)/size, float64(y)/size
			d := math.Hypot(fx-0.62, fy-0.4)
			ring := 0.5 + 0.5*math.Sin(d*seed*1.3)
			l := 0.25 + 0.35*(fx+fy)/2 + 0.2*ring*math.Exp(-d*2)
			img.Set(x, y, hsl(al.Hue+60*fy, 0.65, l))
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write demo cover: %w", err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		return fmt.Errorf("write demo cover: %w", err)
	}
	return nil
}

// copyCover puts the cover beside an album's files as cover.png, or as
// cover.jpg when asJPEG, the two names ingest looks for.
func copyCover(src, albumDir string, asJPEG bool) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("copy demo cover: %w", err)
	}
	defer in.Close()
	img, err := png.Decode(in)
	if err != nil {
		return fmt.Errorf("copy demo cover: %w", err)
	}
	name := "cover.png"
	if asJPEG {
		name = "cover.jpg"
	}
	out, err := os.Create(filepath.Join(albumDir, name))
	if err != nil {
		return fmt.Errorf("copy demo cover: %w", err)
	}
	defer out.Close()
	if asJPEG {
		err = jpeg.Encode(out, img, &jpeg.Options{Quality: 90})
	} else {
		err = png.Encode(out, img)
	}
	if err != nil {
		return fmt.Errorf("copy demo cover: %w", err)
	}
	return nil
}

// hsl converts hue (degrees), saturation and lightness to an opaque colour.
func hsl(h, s, l float64) color.RGBA {
	h = math.Mod(h, 360) / 360
	q := l * (1 + s)
	if l >= 0.5 {
		q = l + s - l*s
	}
	p := 2*l - q
	ch := func(t float64) uint8 {
		t = math.Mod(t+1, 1)
		var v float64
		switch {
		case t < 1.0/6:
			v = p + (q-p)*6*t
		case t < 0.5:
			v = q
		case t < 2.0/3:
			v = p + (q-p)*(2.0/3-t)*6
		default:
			v = p
		}
		return uint8(math.Max(0, math.Min(1, v)) * 255)
	}
	return color.RGBA{ch(h + 1.0/3), ch(h), ch(h - 1.0/3), 255}
}
