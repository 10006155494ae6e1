// Package notice declares the message a view sends to put a line in the
// status bar. The root model shows it and fades it; views never draw it.
package notice

import tea "github.com/charmbracelet/bubbletea"

// Msg asks the status line to show Text; Err marks it as an error.
type Msg struct {
	Text string
	Err  bool
}

// Info returns a Cmd that shows text.
func Info(text string) tea.Cmd { return func() tea.Msg { return Msg{Text: text} } }

// Error returns a Cmd that shows err, or nil when err is nil.
func Error(err error) tea.Cmd {
	if err == nil {
		return nil
	}
	return func() tea.Msg { return Msg{Text: err.Error(), Err: true} }
}
