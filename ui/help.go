package ui

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
)

// Steps of the seek and volume keys.
const (
	seekStep   = 5 * time.Second
	volumeStep = 5
)

func itoa(n int) string { return strconv.Itoa(n) }

// shortHelp is the status line's hint when no notice shows: the active
// screen's keys, then the global ones that fit.
func (m *Model) shortHelp() string {
	h := m.helpModel(m.w)
	bs := append(m.screens[m.active].ShortHelp(), m.km.NextScreen, m.km.Help, m.km.Quit)
	return h.ShortHelpView(bs)
}

// helpView is the help overlay, generated from the key map: the screen's
// keys, navigation, playback and global keys, in columns.
func (m *Model) helpView(w, h int) string {
	groups := append(m.screens[m.active].FullHelp(), m.km.Navigation(), m.km.Playback(), m.km.Global())
	hm := m.helpModel(w - 4)
	body := hm.FullHelpView(groups)
	if lipgloss.Width(body) > w-4 || lipgloss.Height(body) > h-2 {
		// too narrow for columns: one binding a line
		var lines []string
		for _, g := range groups {
			for _, b := range g {
				lines = append(lines, m.st.HelpKey.Render(b.Help().Key)+" "+m.st.HelpDesc.Render(b.Help().Desc))
			}
		}
		body = strings.Join(lines, "\n")
	}
	title := m.st.Title.Render("Keys — " + m.screens[m.active].Title() + " (any key closes)")
	return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, title+"\n\n"+body)
}

func (m *Model) helpModel(w int) help.Model {
	hm := help.New()
	hm.Width = w
	hm.Styles.ShortKey, hm.Styles.FullKey = m.st.HelpKey, m.st.HelpKey
	hm.Styles.ShortDesc, hm.Styles.FullDesc = m.st.HelpDesc, m.st.HelpDesc
	hm.Styles.ShortSeparator, hm.Styles.FullSeparator = m.st.Muted, m.st.Muted
	return hm
}
