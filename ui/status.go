package ui

import (
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
	id    int
}

func (s *statusLine) show(text string, isErr bool) tea.Cmd {
	s.id++
	s.text, s.err, s.faint = text, isErr, false
	id := s.id
	return tea.Tick(s.stay, func(time.Time) tea.Msg { return fade{id: id, step: 1} })
}

func (s *statusLine) fade(f fade) tea.Cmd {
	if f.id != s.id || s.text == "" {
		return nil // a newer notice replaced this one
	}
	if f.step == 1 {
		s.faint = true
		return tea.Tick(NoticeFade, func(time.Time) tea.Msg { return fade{id: f.id, step: 2} })
	}
	s.text = ""
	return nil
}

// view draws the notice, or help when there is none, in width w.
func (s *statusLine) view(w int, help string) string {
	text := list.Squeeze(s.text, w)
	switch {
	case s.text == "":
		return list.Fit(help, w)
	case s.faint:
		return list.Fit(s.st.Faded.Render(text), w)
	case s.err:
		return list.Fit(s.st.Error.Render(text), w)
	}
	return list.Fit(s.st.Notice.Render(text), w)
}
