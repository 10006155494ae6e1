// Package styles owns the interface's look: one Styles value built from a
// theme (config.toml's [theme] table) over built-in defaults. Views take a
// *Styles; they never build colors of their own. It must not know about
// views or their state.
package styles

import (
	"os"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Theme keys understood in config.toml's [theme] table, with their defaults
// (config.ThemeKeys, which config.toml's check takes; TestThemeKeysAreConfigs).
var defaultTheme = map[string]string{
	"accent":   "#7aa2f7", // selection, active tab, progress
	"text":     "#c0caf5",
	"muted":    "#737aa2", // secondary text: artist, album, durations
	"error":    "#f7768e",
	"notice":   "#9ece6a",
	"playing":  "#e0af68", // the current track in lists
	"border":   "#3b4261",
	"selected": "#283457", // background of the selected row
}

// Styles is every style the views use.
type Styles struct {
	// Plain is set when the terminal shows no color or attributes
	// (NO_COLOR, TERM=dumb): what color marked is then marked with
	// characters (the active tab in brackets; selected rows carry › anyway).
	Plain bool

	App         lipgloss.Style
	Tab         lipgloss.Style
	ActiveTab   lipgloss.Style
	Title       lipgloss.Style // a view's heading
	Heading     lipgloss.Style // a group heading inside a view (Tracks, Albums)
	Row         lipgloss.Style
	Selected    lipgloss.Style
	Playing     lipgloss.Style
	Muted       lipgloss.Style
	Error       lipgloss.Style
	Notice      lipgloss.Style
	Faded       lipgloss.Style // a notice about to disappear
	Border      lipgloss.Style
	Bar         lipgloss.Style // the now-playing bar's frame
	BarTitle    lipgloss.Style
	ProgressOn  lipgloss.Style
	ProgressOff lipgloss.Style
	Input       lipgloss.Style
	HelpKey     lipgloss.Style
	HelpDesc    lipgloss.Style
}

// NoColor reports whether the user asked for no color (https://no-color.org).
func NoColor() bool {
	v, ok := os.LookupEnv("NO_COLOR")
	return ok && v != ""
}

// New builds Styles from theme over the defaults. Unknown keys are ignored
// (config.toml's check refuses them); colors are anything lipgloss.Color
// accepts ("#rrggbb", "212").
func New(theme map[string]string) *Styles {
	c := func(k string) lipgloss.Color {
		if v, ok := theme[k]; ok && v != "" {
			return lipgloss.Color(v)
		}
		return lipgloss.Color(defaultTheme[k])
	}
	s := &Styles{Plain: lipgloss.ColorProfile() == termenv.Ascii}
	s.App = lipgloss.NewStyle().Foreground(c("text"))
	s.Tab = lipgloss.NewStyle().Foreground(c("muted")).Padding(0, 1)
	s.ActiveTab = lipgloss.NewStyle().Foreground(c("accent")).Bold(true).Underline(true).Padding(0, 1)
	if s.Plain {
		s.ActiveTab = lipgloss.NewStyle() // brackets take the padding's place: see Tab
	}
	s.Title = lipgloss.NewStyle().Foreground(c("accent")).Bold(true)
	s.Heading = lipgloss.NewStyle().Foreground(c("muted")).Bold(true)
	s.Row = lipgloss.NewStyle().Foreground(c("text"))
	s.Selected = lipgloss.NewStyle().Foreground(c("accent")).Background(c("selected")).Bold(true)
	s.Playing = lipgloss.NewStyle().Foreground(c("playing"))
	s.Muted = lipgloss.NewStyle().Foreground(c("muted"))
	s.Error = lipgloss.NewStyle().Foreground(c("error")).Bold(true)
	s.Notice = lipgloss.NewStyle().Foreground(c("notice"))
	s.Faded = lipgloss.NewStyle().Foreground(c("muted")).Faint(true)
	s.Border = lipgloss.NewStyle().Foreground(c("border"))
	s.Bar = lipgloss.NewStyle().BorderStyle(lipgloss.NormalBorder()).BorderTop(true).BorderForeground(c("border"))
	s.BarTitle = lipgloss.NewStyle().Foreground(c("text")).Bold(true)
	s.ProgressOn = lipgloss.NewStyle().Foreground(c("accent"))
	s.ProgressOff = lipgloss.NewStyle().Foreground(c("border"))
	s.Input = lipgloss.NewStyle().Foreground(c("text"))
	s.HelpKey = lipgloss.NewStyle().Foreground(c("accent")).Bold(true)
	s.HelpDesc = lipgloss.NewStyle().Foreground(c("muted"))
	return s
}

// ActiveTitle draws the active tab's title: in color, or in brackets when
// Plain. Either way it is as wide as Tab draws the same title.
func (s *Styles) ActiveTitle(title string) string {
	if s.Plain {
		return s.ActiveTab.Render("[" + title + "]")
	}
	return s.ActiveTab.Render(title)
}
