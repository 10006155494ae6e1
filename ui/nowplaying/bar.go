package nowplaying

import (
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"segue/player"
	"segue/ui/action"
	"segue/ui/list"
	"segue/ui/styles"
)

// BarHeight is the bar's height in lines: a rule, the title line and the
// progress line.
const BarHeight = 3

// BarHeightIn is the bar's height in a window h lines tall: BarHeight, or
// a single line below 12 lines, so a list keeps at least one row at 20x6
// (tab line, list, status line, bar).
func BarHeightIn(h int) int {
	if h < 12 {
		return 1
	}
	return BarHeight
}

// Bar is the now-playing line always visible at the bottom.
type Bar struct {
	st     *styles.Styles
	width  int
	height int // BarHeight, or 1 for the one-line bar
	status Status

	progX, progW int // where the progress bar was drawn, for clicks
}

// NewBar returns a bar drawn with st.
func NewBar(st *styles.Styles) *Bar { return &Bar{st: st} }

// SetSize sets the width and the height: BarHeight, or 1 for one line with
// the title and the time.
func (b *Bar) SetSize(w, h int) { b.width, b.height = w, h }

// SetStatus sets what the bar shows.
func (b *Bar) SetStatus(s Status) { b.status = s }

// View draws the bar: exactly its height in lines of its width.
func (b *Bar) View() string {
	w := max(b.width, 1)
	s := b.status
	if b.height == 1 {
		b.progW = 0
		clock := b.st.Muted.Render(" " + Clock(s.Position) + "/" + Clock(s.Duration))
		title := Symbol(s.State) + " " + b.st.BarTitle.Render(s.Track.Title)
		if !s.HasTrack {
			title, clock = b.st.Muted.Render(Symbol(s.State)+" nothing playing"), ""
		}
		return list.Fit(list.Fit(title, max(w-lipgloss.Width(clock), 0))+clock, w)
	}
	rule := b.st.Border.Render(strings.Repeat("─", w))
	var title string
	if s.HasTrack {
		title = Symbol(s.State) + " " + b.st.BarTitle.Render(s.Track.Title) +
			b.st.Muted.Render(" · "+s.Track.Artist+" — "+s.Track.Album)
	} else {
		title = b.st.Muted.Render(Symbol(s.State) + " nothing playing")
	}
	// the right side keeps as many of its parts as leave the title half
	// the line (all of it when shorter): a long title, or a window under
	// 60 columns, hid the volume, so + and - showed nothing
	parts := b.info()
	for n := len(parts); n > 0; n-- {
		info := b.st.Muted.Render(strings.Join(parts[:n], " · "))
		if room := w - lipgloss.Width(info) - 1; room >= min(lipgloss.Width(title), w/2) {
			title = list.Fit(title, room) + " " + info
			break
		}
	}
	return rule + "\n" + list.Fit(title, w) + "\n" + b.progress(w)
}

// info is the right side of the title line, most wanted first: volume,
// quality, source, buffer.
func (b *Bar) info() []string {
	s := b.status
	parts := []string{fmt.Sprintf("vol %d%%", s.Volume)}
	if s.Rendition != "" {
		parts = append(parts, Preference(s.Preference)+Quality(s.Rendition)+s.Switch)
	}
	if s.Source != "" {
		parts = append(parts, s.SourceWord(s.Source))
	}
	switch {
	case s.HasTrack && s.BufferUnknown:
		parts = append(parts, "buf none yet")
	case s.HasTrack:
		parts = append(parts, "buf "+fmt.Sprint(s.Buffer.Round(time.Second)))
	}
	return parts
}

func (b *Bar) progress(w int) string {
	s := b.status
	left, right := Clock(s.Position)+" ", " "+Clock(s.Duration)
	bw := w - len(left) - len(right)
	if bw < 4 {
		b.progW = 0
		return list.Fit(left+right, w)
	}
	b.progX, b.progW = len(left), bw
	fill := 0
	if s.Duration > 0 {
		fill = int(int64(bw) * int64(min(max(s.Position, 0), s.Duration)) / int64(s.Duration))
	}
	bar := b.st.ProgressOn.Render(strings.Repeat("━", fill)) + b.st.ProgressOff.Render(strings.Repeat("─", bw-fill))
	return b.st.Muted.Render(left) + bar + b.st.Muted.Render(right)
}

// Click handles a click at (x, y) relative to the bar: on the progress bar
// it seeks there.
func (b *Bar) Click(x, y int) tea.Cmd {
	s := b.status
	if y != 2 || b.progW == 0 || !s.HasTrack || s.Duration <= 0 || x < b.progX || x >= b.progX+b.progW {
		return nil
	}
	to := time.Duration(int64(s.Duration) * int64(x-b.progX) / int64(b.progW))
	return func() tea.Msg { return action.Action{Kind: action.SeekTo, To: to} }
}

// Preference is how the bar prefixes the rendition with the quality
// setting: "auto " at auto, nothing for a fixed one (the rendition says it).
func Preference(p string) string {
	if p == string(player.QualityAuto) {
		return "auto "
	}
	return ""
}

// Quality names a rendition by its bitrate, as listeners know it.
func Quality(rendition string) string {
	switch rendition {
	case "low":
		return "96k"
	case "normal":
		return "160k"
	case "high":
		return "320k"
	}
	return rendition
}
