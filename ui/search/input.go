package search

import (
	"strings"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"

	"segue/ui/list"
	"segue/ui/styles"
)

// input is a one-line query editor with the cursor at the end. It has no
// blinking cursor on purpose: a blink is a ticking redraw.
type input struct {
	value   string
	focused bool
}

func (in *input) Value() string     { return in.value }
func (in *input) Focused() bool     { return in.focused }
func (in *input) Focus()            { in.focused = true }
func (in *input) Blur()             { in.focused = false }
func (in *input) SetValue(s string) { in.value = s }

// update edits the value for msg and reports whether msg was an edit key.
func (in *input) update(msg tea.KeyMsg) bool {
	switch msg.Type {
	case tea.KeyRunes, tea.KeySpace:
		if !msg.Paste {
			in.value += string(msg.Runes)
		} else {
			in.value += strings.ReplaceAll(string(msg.Runes), "\n", " ")
		}
	case tea.KeyBackspace:
		if in.value != "" {
			_, n := utf8.DecodeLastRuneInString(in.value)
			in.value = in.value[:len(in.value)-n]
		}
	case tea.KeyCtrlU:
		in.value = ""
	case tea.KeyCtrlW:
		v := strings.TrimRight(in.value, " ")
		in.value = v[:strings.LastIndex(v, " ")+1]
	default:
		return false
	}
	return true
}

// view draws the prompt, the value and, when focused, a still cursor.
func (in *input) view(st *styles.Styles, w int) string {
	s := "/ " + st.Input.Render(in.value)
	switch {
	case in.focused:
		s += "█"
	case in.value == "":
		s += st.Muted.Render("search tracks, albums, artists (press /)")
	}
	return list.Fit(s, w)
}
