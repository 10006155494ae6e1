package nowplaying

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"segue/catalog"
	"segue/player"
	"segue/ui/cover"
	"segue/ui/keys"
	"segue/ui/styles"
)

// TestDetailsBesideCoverCutOneByOne: beside the cover, a detail line too
// long for the room (the bytes played by source) is cut on its own; every
// other line keeps its end. The long line used to pad them all to its
// width, and the frame's cut put "…" at the end of every line.
func TestDetailsBesideCoverCutOneByOne(t *testing.T) {
	lipgloss.SetColorProfile(termenv.Ascii)
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	img.Set(0, 0, color.Black)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	art, err := cover.Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	covers := cover.NewStore(context.Background(), nil)
	covers.Put(cover.Loaded{AlbumID: "al1", Art: art})
	v := New(styles.New(nil), keys.Default(), covers)
	v.SetSize(100, 26)
	v.SetStatus(Status{
		State: player.Playing, HasTrack: true,
		Track:    catalog.Track{ID: "t1", Title: "Continuum II: Drift", Artist: "Aurora Static", Album: "Continuum", AlbumID: "al1", Year: 2024},
		Position: 27 * time.Second, Duration: 47 * time.Second, Volume: 100,
		Source: catalog.SourceOrigin, Buffer: 18 * time.Second,
		Played: SourceBytes{Cache: 100 << 10, Origin: 1900 << 10},
	})
	frame := v.View()
	if !strings.Contains(frame, "played 100.0 KiB cache") || !strings.Contains(frame, "…") {
		t.Fatalf("the played line should be there and cut with an ellipsis:\n%s", frame)
	}
	for _, want := range []string{"Continuum II: Drift", "Aurora Static", "Continuum (2024)", "volume 100%", "from origin", "buffered 18s ahead"} {
		for _, line := range strings.Split(frame, "\n") {
			if strings.Contains(line, want) && strings.HasSuffix(strings.TrimRight(line, " "), "…") {
				t.Errorf("the line with %q is cut though it fits beside the cover: %q", want, line)
			}
		}
		if !strings.Contains(frame, want) {
			t.Errorf("%q is missing beside the cover:\n%s", want, frame)
		}
	}
}
