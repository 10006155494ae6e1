package prompt

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"segue/ui/styles"
)

// TestNarrowPromptShowsTheAnswer: in a window 20 to 30 columns wide a
// question whose label (with its quoted name at its shortest) took most of
// the line showed none of the answer being typed, or only "…": "Open share
// URL or I…" with a pasted link invisible, "Rename “東京 Nights…” to: …█".
// A yes/no question lost its "y to confirm" whole, so nothing said which
// key deletes. The answer keeps half the line, the label is cut to the
// rest, and a question too narrow for the whole hint says "y to confirm",
// or "y confirms".
func TestNarrowPromptShowsTheAnswer(t *testing.T) {
	lipgloss.SetColorProfile(termenv.Ascii)
	st := styles.New(nil)
	typed := func(a Ask, s string) *Prompt {
		p := New(a)
		p.Key(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s), Paste: true})
		return p
	}
	for _, w := range []int{20, 24, 30, 40} {
		for _, c := range []struct {
			p    *Prompt
			want string // the end of the line
		}{
			{typed(Ask{Label: "Open share URL or ID:"}, "http://127.0.0.1:7739/p/xyz"), "/xyz█"},
			{typed(Ask{Label: "Rename “東京 Nights 🌃” to:", Value: "東京 Nights 🌃"}, " 夜"), "🌃 夜█"},
			{New(Ask{Label: "Delete playlist “東京 Nights 🌃” and its offline copy?", Confirm: true}), "y confirms"},
		} {
			v := c.p.View(st, w)
			if lipgloss.Width(v) != w || !strings.HasSuffix(strings.TrimRight(v, " "), c.want) {
				t.Errorf("at %d columns the prompt is %q (%d cells); want %d cells ending in %q", w, v, lipgloss.Width(v), w, c.want)
			}
		}
	}
	// wide enough, the hint is whole; a little narrower, its first words
	del := New(Ask{Label: "Delete playlist “Mix”?", Confirm: true})
	if v := del.View(st, 80); !strings.Contains(v, "Delete playlist “Mix”? y to confirm, any other key cancels") {
		t.Errorf("at 80 columns the question is %q", v)
	}
	if v := del.View(st, 40); strings.TrimRight(v, " ") != "Delete playlist “Mix”? y to confirm" {
		t.Errorf("at 40 columns the question is %q", v)
	}
}

// TestBackspaceTakesACharacter: backspace took the last code point, not
// the last character seen: of a flag it left half (a lone regional
// indicator), of a thumbs up with a skin tone the bare thumb, of an "é"
// typed as e and a combining accent (as macOS pastes it) the "e".
func TestBackspaceTakesACharacter(t *testing.T) {
	bs := tea.KeyMsg{Type: tea.KeyBackspace}
	for _, c := range []struct{ typed, want string }{
		{"Paris 🇫🇷", "Paris "},
		{"ok 👍🏽", "ok "},
		{"cafe\u0301", "caf"},
		{"東京", "東"},
		{"a", ""},
		{"", ""},
	} {
		if got, ok := Edit(c.typed, bs); !ok || got != c.want {
			t.Errorf("backspace after %q: %q; want %q", c.typed, got, c.want)
		}
	}
}
