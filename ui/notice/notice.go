// Package notice declares the message a view sends to put a line in the
// status bar. The root model shows it and fades it; views never draw it.
package notice

import (
	tea "github.com/charmbracelet/bubbletea"

	"segue/catalog"
)

// Msg asks the status line to show Text; Err marks it as an error. Cause,
// when set, is the failure in full: the root writes it to the log (with an
// empty Text, only there). Refusal marks Text as why a key did nothing:
// the root takes it away once a later action succeeds, where it would read
// as if that action did nothing too.
type Msg struct {
	Text    string
	Err     bool
	Cause   error
	Refusal bool
}

// Info returns a Cmd that shows text.
func Info(text string) tea.Cmd { return func() tea.Msg { return Msg{Text: text} } }

// Refused returns a Cmd that shows text, why a key did nothing, until a
// later action succeeds (or it fades).
func Refused(text string) tea.Cmd {
	return func() tea.Msg { return Msg{Text: text, Refusal: true} }
}

// Error returns a Cmd that shows err as a sentence (Say) and logs it in
// full, or nil when err is nil.
func Error(err error) tea.Cmd {
	if err == nil {
		return nil
	}
	return func() tea.Msg { return Failed(err) }
}

// LoadError is Error for what a screen loads (SayLoad), or nil when err is
// nil.
func LoadError(err error) tea.Cmd {
	if err == nil {
		return nil
	}
	return func() tea.Msg { return Msg{Text: SayLoad(err), Err: true, Cause: err} }
}

// Failed is the message Error sends.
func Failed(err error) Msg { return Msg{Text: Say(err), Err: true, Cause: err} }

// Log returns a Cmd that writes err to the log without showing it (a view
// already says it in its own words), or nil when err is nil.
func Log(err error) tea.Cmd {
	if err == nil {
		return nil
	}
	return func() tea.Msg { return Msg{Cause: err} }
}

// Tracks says how many tracks, and from what when from is not empty:
// "3 tracks from Night Transit", "1 track".
func Tracks(n int, from string) string {
	if from == "" {
		return catalog.Count(n, "track")
	}
	return catalog.Count(n, "track") + " from " + from
}

// AtEnd says why K (up true) or J did not move row i of the n rows of
// where ("the queue", "“Road Trip”"): what, the row's name, is already
// first or last there, or the only row. The keys did nothing, silently.
// It is shown as Refused.
func AtEnd(what, where string, i, n int, up bool) string {
	switch {
	case n == 1:
		return what + " is the only track in " + where + ": there is nothing to move it past"
	case up && i == 0:
		return what + " is already first in " + where + ": J moves it down"
	default:
		return what + " is already last in " + where + ": K moves it up"
	}
}
