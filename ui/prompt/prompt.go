// Package prompt owns the one-line question the status line asks: a text
// answer (a playlist name, a URL) or a yes/no confirmation. A view asks by
// sending an Ask; the root shows it in place of the status line, gives it
// every key while it is open and runs Then with the answer. It draws no
// cursor blink: a blink would be a ticking redraw.
package prompt

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/rivo/uniseg"

	"segue/ui/list"
	"segue/ui/notice"
	"segue/ui/styles"
)

// Ask opens a prompt.
type Ask struct {
	// Label is the question, e.g. "New playlist name:".
	Label string
	// Value is the answer's starting text (a rename starts from the old name).
	Value string
	// Confirm makes it a yes/no question: y answers "y", any other key cancels.
	Confirm bool
	// Then runs with the answer once it is given (never for a cancel or an
	// empty answer, which the status line says did nothing).
	Then func(answer string) tea.Cmd
	// Kept, for a Confirm, is what the status line says when another key
	// cancels it ("kept playlist “Mix”"): the question just went, and the
	// listener could not tell whether the n did anything.
	Kept string
}

// Send returns a Cmd that opens a.
func Send(a Ask) tea.Cmd { return func() tea.Msg { return a } }

// Prompt is an open question.
type Prompt struct {
	ask   Ask
	value string
}

// New opens a.
func New(a Ask) *Prompt { return &Prompt{ask: a, value: a.Value} }

// Confirm reports whether p is a yes/no question, which takes one key:
// keys typed after it are not part of its answer.
func (p *Prompt) Confirm() bool { return p.ask.Confirm }

// Value returns the answer typed so far.
func (p *Prompt) Value() string { return p.value }

// Key handles one key. done says the prompt is over; cmd is Then's work
// when it was answered.
func (p *Prompt) Key(msg tea.KeyMsg) (cmd tea.Cmd, done bool) {
	if p.ask.Confirm {
		if msg.Type == tea.KeyRunes && (string(msg.Runes) == "y" || string(msg.Runes) == "Y") && p.ask.Then != nil {
			return p.ask.Then("y"), true
		}
		if p.ask.Kept != "" {
			return notice.Info(p.ask.Kept), true
		}
		return nil, true
	}
	switch msg.Type {
	case tea.KeyEsc: // ctrl+c quits the interface before a prompt sees it
		return nil, true
	case tea.KeyEnter:
		v := strings.TrimSpace(p.value)
		if v == "" {
			// the question just went, and nothing said why
			return notice.Info(strings.TrimSuffix(p.ask.Label, ":") + ": nothing typed, so nothing done"), true
		}
		if p.ask.Then == nil {
			return nil, true
		}
		return p.ask.Then(v), true
	default:
		p.value, _ = Edit(p.value, msg)
	}
	return nil, false
}

// newlines turns pasted line breaks into spaces: a value is one line.
var newlines = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")

// Edit applies an editing key to a one-line value: typed or pasted text,
// backspace (the last character as seen), ctrl+u (clear) and ctrl+w (delete the last word). ok is false
// for any other key. Prompts and the search input both edit through it.
func Edit(value string, msg tea.KeyMsg) (v string, ok bool) {
	switch msg.Type {
	case tea.KeyRunes, tea.KeySpace:
		return value + newlines.Replace(string(msg.Runes)), true
	case tea.KeyBackspace:
		// the last character as seen (a grapheme cluster): a code point
		// left half a flag, a bare thumb of 👍🏽, the e of an e+accent
		last := 0
		for g := uniseg.NewGraphemes(value); g.Next(); {
			last, _ = g.Positions()
		}
		return value[:last], true
	case tea.KeyCtrlU:
		return "", true
	case tea.KeyCtrlW:
		v := strings.TrimRight(value, " ")
		return v[:strings.LastIndex(v, " ")+1], true
	}
	return value, false
}

// View draws the prompt in width w; the end of a long answer stays visible.
// The label gives way so that the answer keeps at least half the line: a
// name quoted in it ("Rename “…” to:") is shortened first, then its end is
// cut. A yes/no question too narrow for its whole hint says "y to
// confirm", or narrower "y confirms".
func (p *Prompt) View(st *styles.Styles, w int) string {
	if p.ask.Confirm {
		var hint string
		for _, hint = range []string{"y to confirm, any other key cancels", "y to confirm", "y confirms"} {
			if n := w - lipgloss.Width(hint) - 1; lipgloss.Width(list.Squeeze(p.ask.Label, n)) <= n {
				break
			}
		}
		label := fitLabel(p.ask.Label, w-lipgloss.Width(hint)-1)
		return list.Fit(st.Title.Render(label)+" "+st.Muted.Render(hint), w)
	}
	label := fitLabel(p.ask.Label, w-w/2)
	v := p.value
	if room := w - lipgloss.Width(label) - 2; room > 1 {
		v = Tail(v, room-1)
	}
	return list.Fit(st.Title.Render(label)+" "+st.Input.Render(v)+"█", w)
}

// fitLabel is label in at most n cells (and at least one): its quoted
// names shortened first, then its end cut.
func fitLabel(label string, n int) string {
	label = list.Squeeze(label, n)
	if lipgloss.Width(label) > n {
		label = ansi.Truncate(label, max(n, 1), "…")
	}
	return label
}

// Tail is the end of a one-line value being typed that fits in n cells,
// after "…" when its start is cut: the end is where the typing is.
func Tail(s string, n int) string {
	if lipgloss.Width(s) <= n || n < 1 {
		return s
	}
	r := []rune(s)
	i := len(r)
	for i > 0 && lipgloss.Width(string(r[i-1:])) <= n-1 {
		i--
	}
	return "…" + string(r[i:])
}
