package ui

import tea "github.com/charmbracelet/bubbletea"

// warning is one sentence from Options.Warnings.
type warning string

// waitWarning is the Cmd that blocks on the warnings channel; the root
// re-arms it after each one. A closed or nil channel ends it.
func waitWarning(ch <-chan string) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		w, ok := <-ch
		if !ok {
			return nil
		}
		return warning(w)
	}
}
