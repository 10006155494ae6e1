package ui

import (
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"

	"segue/ui/list"
)

// Steps of the seek and volume keys.
const (
	seekStep   = 5 * time.Second
	volumeStep = 5
)

// shortHelp is the status line's hint when no notice shows: the active
// screen's keys, then the global ones that fit.
func (m *Model) shortHelp() string {
	h := m.helpModel(m.w)
	if m.picker != nil {
		return h.ShortHelpView(m.picker.ShortHelp())
	}
	bs := append(m.screens[m.active].ShortHelp(), m.km.NextScreen, m.km.Help, m.km.Quit)
	return h.ShortHelpView(bs)
}

// helpView is the help overlay, generated from the key map: the screen's
// keys, navigation, playback and global keys, in as many columns as fit.
func (m *Model) helpView(w, h int) string {
	groups := append(m.screens[m.active].FullHelp(), m.km.Navigation(), m.km.Playback(), m.km.Global())
	hm := m.helpModel(0)
	fits := func(s string) bool { return lipgloss.Width(s) <= w-2 && lipgloss.Height(s) <= h-2 }
	body := hm.FullHelpView(groups)
	if !fits(body) {
		// two rows of columns
		half := (len(groups) + 1) / 2
		body = hm.FullHelpView(groups[:half]) + "\n\n" + hm.FullHelpView(groups[half:])
	}
	if !fits(body) {
		// one binding a line
		var lines []string
		for _, g := range groups {
			for _, b := range g {
				lines = append(lines, m.st.HelpKey.Render(b.Help().Key)+" "+m.st.HelpDesc.Render(b.Help().Desc))
			}
		}
		body = strings.Join(lines, "\n")
	}
	body = list.Block(body, lipgloss.Width(body), lipgloss.Height(body)) // left-aligned lines
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
