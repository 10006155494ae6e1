package ui

import (
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"segue/ui/list"
	"segue/ui/styles"
)

// How long a notice stays bright, then faint, before it goes.
const (
	NoticeShow = 4 * time.Second
	NoticeFade = 2 * time.Second
)

// fade is the single timer of the status line: it moves notice id one step
// toward gone. Each step arms the next, so there is never a ticker.
type fade struct {
	id   int
	step int // 1: faint, 2: gone
}

// statusLine shows the latest notice, fading it out, or the screen's keys.
type statusLine struct {
	st    *styles.Styles
	stay  time.Duration // before a notice turns faint
	text  string
	err   bool
	faint bool
	held  bool // shown until replaced or released, not faded
	id    int
	// refusal says text is why a key did nothing (notice.Refused), to go
	// once an action asked after it succeeds: after is how many actions
	// the root had asked the player for when it was shown.
	refusal bool
	after   int
}

func (s *statusLine) show(text string, isErr bool) tea.Cmd {
	s.id++
	s.text, s.err, s.faint, s.held, s.refusal = text, isErr, false, false, false
	id := s.id
	return tea.Tick(s.stay, func(time.Time) tea.Msg { return fade{id: id, step: 1} })
}

// refuse shows text, why a key did nothing, until settle takes it away
// or it fades; asked is how many actions the player was asked for so far.
func (s *statusLine) refuse(text string, asked int) tea.Cmd {
	cmd := s.show(text, false)
	s.refusal, s.after = true, asked
	return cmd
}

// settle takes a refusal away, as its fade would, once a later action
// succeeded: left there, "… is already last in the queue: K moves it up"
// read as if the K that moved it did nothing. Anything else stays to fade
// (an error the user still needs to read above all).
func (s *statusLine) settle() {
	if !s.refusal {
		return
	}
	s.id++ // its fade finds a newer notice and does nothing
	s.text, s.refusal = "", false
}

// hold shows text until another notice replaces it or release lets it
// fade: for a state that lasts, such as waiting for the network, whose
// notice faded after 6 s and left a bare "…" on the bar for the rest of
// the wait.
func (s *statusLine) hold(text string) {
	s.id++
	s.text, s.err, s.faint, s.held, s.refusal = text, false, false, true, false
}

// release lets a held notice fade as a shown one does.
func (s *statusLine) release() tea.Cmd {
	if !s.held {
		return nil
	}
	s.held = false
	id := s.id
	return tea.Tick(s.stay, func(time.Time) tea.Msg { return fade{id: id, step: 1} })
}

func (s *statusLine) fade(f fade) tea.Cmd {
	if f.id != s.id || s.text == "" || s.held {
		return nil // a newer notice replaced this one, or it is held
	}
	if f.step == 1 {
		s.faint = true
		return tea.Tick(NoticeFade, func(time.Time) tea.Msg { return fade{id: f.id, step: 2} })
	}
	s.text = ""
	return nil
}

// MaxNoticeRows is the most rows a notice wider than the window takes: it
// wraps over the body's last rows (never more than half of them) rather
// than being cut, so a long error can be read; what is beyond them is cut
// with an ellipsis.
const MaxNoticeRows = 3

// view draws the notice, or help when there is none, in width w and at
// most rows rows (at least 1), each exactly w cells.
func (s *statusLine) view(w, rows int, help string) []string {
	if s.text == "" {
		return []string{list.Fit(help, w)}
	}
	style := s.st.Notice
	switch {
	case s.faint:
		style = s.st.Faded
	case s.err:
		style = s.st.Error
	}
	// a quoted name wraps as one word, a row or more, so squeezing it to
	// the rows' cells could leave the reason after it cut: squeeze more
	budget := w * rows
	lines := list.Words(list.Squeeze(s.text, budget), w)
	for len(lines) > rows && budget > w {
		budget -= max(w/2, 1)
		lines = list.Words(list.Squeeze(s.text, budget), w)
	}
	if len(lines) > rows {
		lines = append(lines[:rows-1], strings.Join(lines[rows-1:], " "))
	}
	for i, l := range lines {
		lines[i] = list.Fit(style.Render(list.Fit(strings.TrimRight(l, " "), w)), w)
	}
	return lines
}
