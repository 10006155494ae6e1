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
		Played: SourceBytes{Cache: 100 << 10, Peer: 300 << 10, Origin: 1900 << 10}, // too long even without zeros
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

// TestPlayedLineDropsZerosWhenNarrow: at 40 columns the bytes played lost
// the last source's count ("0 B peer · 0 B…"); the sources that gave
// nothing go first, so the counts that matter stay whole.
func TestPlayedLineDropsZerosWhenNarrow(t *testing.T) {
	lipgloss.SetColorProfile(termenv.Ascii)
	v := New(styles.New(nil), keys.Default(), cover.NewStore(context.Background(), nil))
	v.SetSize(40, 15)
	v.SetStatus(Status{
		State: player.Playing, HasTrack: true,
		Track:    catalog.Track{ID: "t1", Title: "Terminus", Artist: "Aurora Static", Album: "Night Transit", AlbumID: "al1", Year: 2021},
		Position: 3 * time.Second, Duration: 48 * time.Second, Volume: 100,
		Played: SourceBytes{Cache: 881 << 10, Origin: 1200 << 10},
	})
	if frame := v.View(); !strings.Contains(frame, "played 881.0 KiB cache · 1.2 MiB origin") {
		t.Fatalf("at 40 columns the played line is not whole without its zeros:\n%s", frame)
	}
	v.SetSize(100, 15)
	if frame := v.View(); !strings.Contains(frame, "played 881.0 KiB cache · 0 B peer · 1.2 MiB origin") {
		t.Fatalf("at 100 columns the played line lost its zeros:\n%s", frame)
	}
}
