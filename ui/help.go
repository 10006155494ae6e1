package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
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
	switch {
	case m.help && m.picker == nil && m.helpScrolls():
		// the screen's keys do not act while the help is open
		return h.ShortHelpView([]key.Binding{key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑↓", "scroll")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("other keys", "close"))})
	case m.help && m.picker == nil:
		return h.ShortHelpView([]key.Binding{key.NewBinding(key.WithKeys("esc"), key.WithHelp("any key", "closes the help"))})
	}
	if m.picker != nil {
		return h.ShortHelpView(m.picker.ShortHelp())
	}
	bs := append(m.screens[m.active].ShortHelp(), m.km.NextScreen, m.km.Help, m.km.Quit)
	return h.ShortHelpView(bs)
}

// listless is a screen with no list to move in (Now Playing): its help
// leaves out the movement keys, which did nothing there.
type listless interface{ Listless() }

// openless is a screen whose rows open nothing (the Queue: l and enter play
// the row, as "enter play" says): its help leaves out "l/enter open".
type openless interface{ Openless() }

// helpGroups are the bindings the help overlay lists: the screen's keys,
// navigation (on a screen with a list), playback and global keys, each
// binding once (the first group that names it keeps it) and groups left
// empty dropped.
func (m *Model) helpGroups() [][]key.Binding {
	seen := map[string]bool{}
	var groups [][]key.Binding
	nav := m.km.Navigation()
	if _, ok := m.screens[m.active].(listless); ok {
		nav = nil
	}
	if _, ok := m.screens[m.active].(openless); ok {
		nav = slices.DeleteFunc(slices.Clone(nav), func(b key.Binding) bool { return b.Help() == m.km.Open.Help() })
	}
	for _, g := range append(m.screens[m.active].FullHelp(), nav, m.km.Playback(), m.km.Global()) {
		var kept []key.Binding
		for _, b := range g {
			id := b.Help().Key + "\x00" + b.Help().Desc
			if !seen[id] {
				seen[id] = true
				kept = append(kept, b)
			}
		}
		if len(kept) > 0 {
			groups = append(groups, kept)
		}
	}
	return groups
}

// helpLines is the overlay's fallback layout: one binding a line.
func (m *Model) helpLines() []string {
	var lines []string
	for _, g := range m.helpGroups() {
		for _, b := range g {
			lines = append(lines, m.st.HelpKey.Render(b.Help().Key)+" "+m.st.HelpDesc.Render(b.Help().Desc))
		}
	}
	return lines
}

// helpRoom is how many binding lines the overlay shows at once in h lines
// (the title and a blank line take two).
func helpRoom(h int) int { return max(h-2, 1) }

// helpView is the help overlay, generated from the key map, in as many
// columns as fit; when even one binding a line does not fit it scrolls
// (m.helpTop is the first line shown).
func (m *Model) helpView(w, h int) string {
	title := "Keys — " + m.screens[m.active].Title() + " (any key closes)"
	body, fits := m.helpColumns(w, h)
	if !fits {
		lines := m.helpLines()
		if room := helpRoom(h); len(lines) > room {
			top := min(m.helpTop, len(lines)-room)
			title = fmt.Sprintf("Keys %d-%d of %d, ↑↓ scroll", top+1, top+room, len(lines))
			lines = lines[top : top+room]
		}
		body = strings.Join(lines, "\n")
	}
	// left-aligned lines, each cut to the window on its own: padded to
	// the widest first, a line wider than the window ended every line of
	// the overlay in "…" when the frame was cut
	body = list.Block(body, min(lipgloss.Width(body), w), lipgloss.Height(body))
	return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, m.st.Title.Render(list.Fit(title, w))+"\n\n"+body)
}

// helpScrolls reports whether the help shown in the body scrolls: no
// layout in columns fits, and its lines are more than the room (the rows
// the last frame gave the body, a wrapped notice's lines taken out).
func (m *Model) helpScrolls() bool {
	_, fits := m.helpColumns(m.w, m.bodyRows)
	return !fits && len(m.helpLines()) > helpRoom(m.bodyRows)
}

// helpColumns lays the help out in as many columns as fit in w x h, each a
// run of groups one under another; fits is false when not even one column
// does.
func (m *Model) helpColumns(w, h int) (body string, fits bool) {
	groups := m.helpGroups()
	hm := m.helpModel(0)
	fit := func(s string) bool { return lipgloss.Width(s) <= w-2 && lipgloss.Height(s) <= h-2 }
	for cols := len(groups); cols >= 1; cols-- {
		var parts []string
		for i, col := range splitGroups(groups, cols) {
			if i > 0 {
				parts = append(parts, "   ")
			}
			var views []string
			for _, g := range col {
				views = append(views, hm.FullHelpView([][]key.Binding{g}))
			}
			parts = append(parts, strings.Join(views, "\n\n"))
		}
		if body = lipgloss.JoinHorizontal(lipgloss.Top, parts...); fit(body) {
			return body, true
		}
	}
	return body, false
}

// splitGroups cuts groups, in order, into cols runs whose tallest is as
// short as it can be (one line a binding, a blank line between groups).
func splitGroups(groups [][]key.Binding, cols int) [][][]key.Binding {
	height := func(run [][]key.Binding) int {
		h := len(run) - 1
		for _, g := range run {
			h += len(g)
		}
		return h
	}
	if cols <= 1 || len(groups) <= 1 {
		return [][][]key.Binding{groups}
	}
	var best [][][]key.Binding
	bestH := -1
	for cut := 1; cut <= len(groups)-cols+1; cut++ {
		rest := splitGroups(groups[cut:], cols-1)
		h := height(groups[:cut])
		for _, r := range rest {
			h = max(h, height(r))
		}
		if bestH < 0 || h < bestH {
			best, bestH = append([][][]key.Binding{groups[:cut]}, rest...), h
		}
	}
	return best
}

// helpKey handles a key while help is open: the movement keys scroll it
// when it scrolls (helpScrolls), any other key closes it. In columns that
// fit they closed nothing: they moved a scroll that did not show, under a
// title saying any key closes.
func (m *Model) helpKey(msg tea.KeyMsg) tea.Cmd {
	km := m.km
	last := len(m.helpLines()) - helpRoom(m.bodyRows)
	if key.Matches(msg, km.ForceQuit) {
		return tea.Quit
	}
	if m.helpScrolls() {
		switch {
		case key.Matches(msg, km.Down):
			m.helpTop = min(m.helpTop+1, last)
			return nil
		case key.Matches(msg, km.Up):
			m.helpTop = max(m.helpTop-1, 0)
			return nil
		case key.Matches(msg, km.PageDown):
			m.helpTop = min(m.helpTop+helpRoom(m.bodyRows), last)
			return nil
		case key.Matches(msg, km.PageUp):
			m.helpTop = max(m.helpTop-helpRoom(m.bodyRows), 0)
			return nil
		}
	}
	m.help, m.helpTop = false, 0
	return nil
}

func (m *Model) helpModel(w int) help.Model {
	hm := help.New()
	hm.Width = w
	hm.Styles.ShortKey, hm.Styles.FullKey = m.st.HelpKey, m.st.HelpKey
	hm.Styles.ShortDesc, hm.Styles.FullDesc = m.st.HelpDesc, m.st.HelpDesc
	hm.Styles.ShortSeparator, hm.Styles.FullSeparator = m.st.Muted, m.st.Muted
	return hm
}
