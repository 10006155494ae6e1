package nowplaying

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"segue/player"
	"segue/ui/cover"
	"segue/ui/keys"
	"segue/ui/list"
	"segue/ui/styles"
)

// View is the now-playing screen: the cover drawn large beside the details.
type View struct {
	st     *styles.Styles
	km     keys.Map
	covers *cover.Store
	status Status
	w, h   int

	// Silent says there is no sound device: the details say playback is
	// silent and how to choose an output.
	Silent bool
}

// New returns the now-playing screen.
func New(st *styles.Styles, km keys.Map, covers *cover.Store) *View {
	return &View{st: st, km: km, covers: covers}
}

// Title names the screen in the tab line.
func (v *View) Title() string { return "Now Playing" }

// Typing reports whether the screen takes printable keys (never).
func (v *View) Typing() bool { return false }

// SetSize sets the area the screen draws in.
func (v *View) SetSize(w, h int) { v.w, v.h = w, h }

// SetStatus sets what the screen shows and asks for the cover it needs.
func (v *View) SetStatus(s Status) tea.Cmd {
	v.status = s
	if s.HasTrack {
		return v.covers.Want(s.Track.AlbumID)
	}
	return nil
}

// Update handles nothing of its own: playback keys are global.
func (v *View) Update(tea.Msg) tea.Cmd { return nil }

// Listless says the screen has no list: its help leaves the movement keys
// out.
func (v *View) Listless() {}

// ShortHelp lists the keys worth showing on this screen: with a track, s
// and R (the root acts on them: add it to a playlist, radio from it).
func (v *View) ShortHelp() []key.Binding {
	if !v.status.HasTrack {
		return v.km.Playback()
	}
	return append([]key.Binding{v.km.ToPlaylist, v.km.Radio}, v.km.Playback()...)
}

// FullHelp lists every key of this screen by group.
func (v *View) FullHelp() [][]key.Binding {
	return [][]key.Binding{{v.km.ToPlaylist, v.km.Radio}, v.km.Playback()}
}

// View draws the screen in exactly its size.
func (v *View) View() string {
	if v.w <= 0 || v.h <= 0 {
		return ""
	}
	s := v.status
	if !s.HasTrack {
		// wrapped to the width: wider, it padded every blank line of the
		// frame to its width and the frame's cut ended them all in "…"
		msg := ansi.Wrap("Nothing playing. Press / to search, tab to browse.", v.w, "")
		return list.Block(lipgloss.Place(v.w, v.h, lipgloss.Center, lipgloss.Center, v.st.Muted.Render(msg)), v.w, v.h)
	}
	art := v.covers.Get(s.Track.AlbumID)
	var body string
	if v.w >= 60 {
		cw := min(v.w/2, 2*v.h)
		pic := ""
		if art != nil {
			pic = art.Render(cw, v.h, lipgloss.ColorProfile())
		}
		if pic != "" {
			// each detail line is cut to the room beside the cover on its
			// own: joined first, the longest line (the bytes played) padded
			// every other one to its width, and the frame's cut then put an
			// ellipsis at the end of them all
			dw := v.w - lipgloss.Width(pic) - 2
			details := v.details(dw)
			details = list.Block(details, dw, lipgloss.Height(details))
			body = lipgloss.JoinHorizontal(lipgloss.Top, pic, "  ", details)
		} else {
			body = v.details(v.w)
		}
	} else {
		details := v.details(v.w)
		dh := lipgloss.Height(details)
		if art != nil && v.h-dh >= 4 {
			body = art.Render(v.w, v.h-dh-1, lipgloss.ColorProfile()) + "\n\n" + details
		} else {
			body = details
		}
	}
	return list.Block(body, v.w, v.h)
}

// details are the lines beside or under the cover, for w cells: a long
// album name is cut before its year, and the state's word goes before the
// times do.
func (v *View) details(w int) string {
	s := v.status
	t := s.Track
	state := fmt.Sprintf("%s %s  %s / %s", Symbol(s.State), s.State, Clock(s.Position), Clock(s.Duration))
	if lipgloss.Width(state) > w {
		state = fmt.Sprintf("%s %s / %s", Symbol(s.State), Clock(s.Position), Clock(s.Duration))
	}
	lines := []string{
		v.st.Title.Render(t.Title),
		v.st.Row.Render(t.Artist),
		v.st.Muted.Render(albumLine(t.Album, t.Year, w)),
		"",
		state,
		v.st.Muted.Render(fmt.Sprintf("volume %d%%", s.Volume)),
	}
	if s.Rendition != "" {
		lines = append(lines, v.st.Muted.Render("quality "+Preference(s.Preference)+Quality(s.Rendition)+s.Switch+" (b changes it)"))
	}
	if s.Source != "" {
		lines = append(lines, v.st.Muted.Render("from "+s.SourceWord(s.Source)))
	}
	if played := "played " + s.FormatPlayed(false); s.Played != (SourceBytes{}) {
		if lipgloss.Width(played) > w { // the zeros go before a count is cut
			played = "played " + s.FormatPlayed(true)
		}
		lines = append(lines, v.st.Muted.Render(played))
	}
	if s.BufferUnknown {
		lines = append(lines, v.st.Muted.Render(bufferNote(s.State)))
	} else {
		lines = append(lines, v.st.Muted.Render(fmt.Sprintf("buffered %.0fs ahead", s.Buffer.Seconds())))
	}
	if v.Silent {
		lines = append(lines, v.st.Error.Render("no sound device: playing silently"), v.st.Muted.Render("(choose an output with --output)"))
	}
	return strings.Join(lines, "\n")
}

// albumLine is "album (year)" in at most w cells when it can be: the
// album is cut, not the year.
func albumLine(album string, year int, w int) string {
	if year <= 0 {
		return album
	}
	y := fmt.Sprintf(" (%d)", year)
	if room := w - len(y); lipgloss.Width(album)+len(y) > w && room >= 2 {
		album = ansi.Truncate(album, room, "…")
	}
	return album + y
}

// bufferNote is the buffer line before the player has reported one for
// the track: a queue restored paused has fetched nothing yet, and showed
// "buffered 0s ahead" as if playback had run dry.
func bufferNote(st player.State) string {
	if st == player.Paused || st == player.Stopped {
		return "nothing buffered until it plays"
	}
	return "nothing buffered yet"
}
