package nowplaying

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"

	"segue/catalog"
	"segue/player"
	"segue/ui/styles"
)

// TestBarKeepsTheVolume: the bar's title line shows the volume beside any
// title at any width, dropping the buffer, then the source, then the
// quality, and cutting the title to make room. A title longer than the
// line, or a window under 60 columns, hid all of it: + and - showed
// nothing.
func TestBarKeepsTheVolume(t *testing.T) {
	long := "This Is An Extraordinarily Long Track Title That Goes On And On Past Any Reasonable Terminal Width"
	for _, c := range []struct {
		title string
		w     int
		want  string // the end of the title line
	}{
		{"Aurora", 100, "vol 85% · auto 320k · origin · buf 20s"},
		{long, 100, "… vol 85% · auto 320k · origin · buf 20s"},
		{long, 60, "… vol 85% · auto 320k · origin"},
		{long, 45, "… vol 85% · auto 320k"},
		{long, 30, "… vol 85%"},
		{"Élan vital — café", 59, "Alpha B… vol 85% · auto 320k · origin"},
	} {
		b := NewBar(styles.New(nil))
		b.SetSize(c.w, BarHeight)
		b.SetStatus(Status{State: player.Playing, HasTrack: true, Volume: 85, Rendition: "high", Preference: "auto",
			Source: catalog.SourceOrigin, Buffer: 20 * time.Second, Duration: time.Minute,
			Track: catalog.Track{Title: c.title, Artist: "Alpha Band", Album: "Second Album"}})
		line := strings.Split(b.View(), "\n")[1]
		if got := strings.TrimRight(line, " "); !strings.HasSuffix(got, c.want) || !strings.HasPrefix(got, "▶ "+c.title[:5]) {
			t.Errorf("%q at %d columns: title line %q, want it to begin with the title and end %q", c.title[:10], c.w, got, c.want)
		}
		if lipgloss.Width(line) != c.w {
			t.Errorf("%q at %d columns: the line is %d wide", c.title[:10], c.w, lipgloss.Width(line))
		}
	}
}
