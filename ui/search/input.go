package search

import (
	tea "github.com/charmbracelet/bubbletea"

	"segue/ui/list"
	"segue/ui/prompt"
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
	v, ok := prompt.Edit(in.value, msg)
	in.value = v
	return ok
}

// view draws the prompt, the value and, when focused, a still cursor.
func (in *input) view(st *styles.Styles, w int) string {
	s := "/ " + st.Input.Render(in.value)
	switch {
	case in.focused: // the end of a long query stays in sight, as in a prompt
		s = "/ " + st.Input.Render(prompt.Tail(in.value, w-3)) + "█"
	case in.value == "":
		s += st.Muted.Render("search tracks, albums, artists (press /)")
	}
	return list.Fit(s, w)
}
