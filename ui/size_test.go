package ui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"
)

// TestSmallWindow: at 20x6 every list keeps at least one row on screen
// (the bar shrinks to one line, the tab line names the active screen), in
// the search results, the library's three levels, the queue and the
// playlists; the frames are checked against golden files.
func TestSmallWindow(t *testing.T) {
	for _, c := range []struct {
		name string
		do   func(m *Model)
		want string // a row that must be visible
	}{
		{"search", func(m *Model) { typeText(m, "/aur"); send(m, "enter") }, "› Aurora"},
		{"library-artists", func(m *Model) { send(m, "tab") }, "› Aurora Lane"},
		{"library-albums", func(m *Model) { send(m, "tab", "enter") }, "› Northe"},
		{"library-album", func(m *Model) { send(m, "tab", "enter", "enter") }, "›  1. Aurora"},
		{"queue", func(m *Model) { send(m, "tab", "enter", "enter", "enter", "tab") }, "› ▶ Aurora"},
		{"playlists", func(m *Model) { send(m, "tab", "tab", "tab", "tab") }, "› Road T"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := newDriven(t, fixture(), 20, 6)
			c.do(m)
			v := m.View()
			checkFrame(t, v, 20, 6)
			if !strings.Contains(v, c.want) {
				t.Fatalf("at 20x6 the list shows no row %q:\n%s", c.want, v)
			}
			golden.RequireEqual(t, []byte(v))
		})
	}
}

// TestPlainMarks: with no color (NO_COLOR, TERM=dumb: the Ascii profile
// the tests run with) the active tab is in brackets and the selected row
// carries ›; in color the tab is marked by its style instead.
func TestPlainMarks(t *testing.T) {
	m := newDriven(t, fixture(), 80, 24)
	send(m, "tab")
	v := m.View()
	if !strings.Contains(v, "[Library]") || strings.Contains(v, "[Search]") || !strings.Contains(v, "› Aurora Lane") {
		t.Fatalf("no color: the active tab or the selection is not marked:\n%s", v)
	}
	golden.RequireEqual(t, []byte(v))

	lipgloss.SetColorProfile(termenv.TrueColor)
	defer lipgloss.SetColorProfile(termenv.Ascii)
	m = newDriven(t, fixture(), 80, 24)
	send(m, "tab")
	if v := m.View(); strings.Contains(v, "[Library]") || !strings.Contains(v, "\x1b[") {
		t.Fatalf("in color the tab is bracketed or nothing is styled:\n%q", strings.SplitN(v, "\n", 2)[0])
	}
}

// TestASCII: with a locale that is not UTF-8 every character drawn is
// ASCII, and the frame keeps its size.
func TestASCII(t *testing.T) {
	m := newDriven(t, fixture(), 80, 24)
	m.ascii = true
	typeText(m, "/aur")
	send(m, "enter", "enter") // play: the bar shows ▶ and the progress glyphs
	for _, scr := range []string{"search", "queue"} {
		if scr == "queue" {
			send(m, "tab", "tab")
		}
		t.Run(scr, func(t *testing.T) {
			v := m.View()
			checkFrame(t, v, 80, 24)
			for i, r := range v {
				if r >= 0x80 {
					t.Fatalf("non-ASCII %q at byte %d:\n%s", r, i, v)
				}
			}
			golden.RequireEqual(t, []byte(v))
		})
	}
	for _, c := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{"LANG": "en_US.UTF-8"}, true},
		{map[string]string{"LC_ALL": "C", "LANG": "en_US.UTF-8"}, false},
		{map[string]string{"LC_CTYPE": "de_DE.utf8"}, true},
		{map[string]string{"LANG": "en_US.ISO-8859-1"}, false},
		{map[string]string{}, false},
	} {
		if got := utf8Locale(func(k string) string { return c.env[k] }); got != c.want {
			t.Errorf("locale %v: UTF-8 %v, want %v", c.env, got, c.want)
		}
	}
	for in, want := range map[string]string{
		"é 日本 ▶ “x” …":                 "e ???? > \"x\" .",
		"Élan vital — café":            "Elan vital - cafe",
		"Björk Song ünïcödé":           "Bjork Song unicode",
		"Gämma Ørchestra, Łódź, Ñandú": "Gamma Orchestra, Lodz, Nandu",
		"Æ ß ﬁ ①":                      "? ? ? ?",
	} {
		if got := toASCII(in); got != want {
			t.Errorf("toASCII(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestVolumeInASmallWindow: below 12 lines the bar has one line and no
// room for the volume, so + and - say it on the status line (they showed
// nothing); with the full bar the bar shows it.
func TestVolumeInASmallWindow(t *testing.T) {
	m := newDriven(t, fixture(), 20, 6)
	send(m, "-")
	if v := m.View(); !strings.Contains(v, "volume 75%") {
		t.Fatalf("- at 20x6 does not say the volume:\n%s", v)
	}
	send(m, "+", "+")
	if v := m.View(); !strings.Contains(v, "volume 85%") {
		t.Fatalf("+ + at 20x6 does not say the volume:\n%s", v)
	}
	m = newDriven(t, fixture(), 80, 24)
	send(m, "-")
	if v := m.View(); strings.Contains(v, "volume 75%") || !strings.Contains(v, "vol 75%") {
		t.Fatalf("- at 80x24: want the bar to show it, and no notice:\n%s", v)
	}
}

// TestNoPaddingCut: at any size no line of any screen, nor of the help
// overlay, ends in "…" where the cut fell in padding (a blank line, or
// spaces before the "…"). A block padded to its widest line and then cut
// to the window did that to every line: Now Playing's "Nothing playing…"
// at 40 columns, the help's one-binding-a-line layout below its widest
// line.
func TestNoPaddingCut(t *testing.T) {
	padded := func(line string) bool {
		body, ok := strings.CutSuffix(line, "…")
		return ok && (strings.TrimSpace(body) == "" || strings.HasSuffix(body, "  "))
	}
	for _, playing := range []bool{false, true} {
		m := newDriven(t, fixture(), 80, 24)
		if playing {
			typeText(m, "/aur")
			send(m, "enter", "enter")
		}
		for _, s := range [][2]int{{40, 10}, {22, 8}, {15, 12}, {100, 30}, {250, 40}} {
			m.Update(tea.WindowSizeMsg{Width: s[0], Height: s[1]})
			for scr := range m.screens {
				m.active = scr
				for _, help := range []bool{false, true} {
					m.help = help
					v := m.View()
					for i, line := range strings.Split(v, "\n") {
						if padded(line) {
							t.Errorf("%dx%d, %s (help %v, playing %v): line %d is cut in its padding: %q\n%s",
								s[0], s[1], m.screens[scr].Title(), help, playing, i, line, v)
						}
					}
				}
			}
			m.help = false
		}
	}
}
