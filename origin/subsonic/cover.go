package subsonic

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"

	"golang.org/x/image/draw"
)

// maxCoverPixels is the largest cover (width x height, 4000 x 4000)
// getCoverArt decodes to scale: a larger one is served as stored, since
// a decoded image takes 1.5 (JPEG) to 8 (16-bit PNG) bytes a pixel, for
// every request that scales it.
const maxCoverPixels = 16_000_000

// coverQuality is the JPEG quality of a scaled cover.
const coverQuality = 90

// scaleCover returns data, a cover image of MIME type mime (image/jpeg or
// image/png, what ingest stores), scaled down to fit size x size pixels
// with its aspect ratio kept, encoded in the same format. It returns nil
// and no error when the image fits already (it is never scaled up) or is
// larger than maxCoverPixels: then the stored bytes are the answer. An
// error means the bytes are no image of that type.
func scaleCover(data []byte, mime string, size int) ([]byte, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("read the cover's size: %w", err)
	}
	if "image/"+format != mime {
		return nil, fmt.Errorf("the cover is %s, stored as %s", format, mime)
	}
	w, h := cfg.Width, cfg.Height
	if w <= size && h <= size || w*h > maxCoverPixels {
		return nil, nil
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decode the cover: %w", err)
	}
	// The longer side becomes size, the other in proportion (rounded, at
	// least a pixel).
	dw, dh := size, max(1, (h*size+w/2)/w)
	if h > w {
		dw, dh = max(1, (w*size+h/2)/h), size
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	var out bytes.Buffer
	if format == "png" {
		err = png.Encode(&out, dst)
	} else {
		err = jpeg.Encode(&out, dst, &jpeg.Options{Quality: coverQuality})
	}
	if err != nil {
		return nil, fmt.Errorf("encode the scaled cover: %w", err)
	}
	return out.Bytes(), nil
}
