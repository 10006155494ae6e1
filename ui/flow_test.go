package ui

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"segue/ui/action"
)

func TestMain(m *testing.M) {
	// goldens must not depend on the terminal running the tests
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

// waitFor waits until the program has drawn want.
func waitFor(t *testing.T, tm *teatest.TestModel, want string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(want)) },
		teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
}

func keyMsg(s string) tea.KeyMsg {
	switch s {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "right":
		return tea.KeyMsg{Type: tea.KeyRight}
	case "left":
		return tea.KeyMsg{Type: tea.KeyLeft}
	case "ctrl+r":
		return tea.KeyMsg{Type: tea.KeyCtrlR}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "ctrl+u":
		return tea.KeyMsg{Type: tea.KeyCtrlU}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

// TestFlow is acceptance 1: search -> play -> queue add -> next, at the
// smallest supported and a large terminal size, ending on the queue screen.
func TestFlow(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			cat, pl := fixture(), newFakePlayer()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			tm := teatest.NewTestModel(t, New(ctx, Options{Catalog: cat, Player: pl, NoticeFor: time.Hour}),
				teatest.WithInitialTermSize(size[0], size[1]))

			waitFor(t, tm, "type to search")
			tm.Type("/aur")
			waitFor(t, tm, "4 tracks · 2 albums · 1 artist")
			tm.Send(keyMsg("enter")) // leave the input, first track selected
			tm.Send(keyMsg("enter")) // play it
			waitFor(t, tm, "▶ Aurora · Aurora Lane — Northern Lights")
			tm.Send(keyMsg("j"))
			tm.Send(keyMsg("a"))
			waitFor(t, tm, "added “Polar Night” to the queue")
			tm.Send(keyMsg("n"))
			waitFor(t, tm, "▶ Polar Night · Aurora Lane")
			tm.Send(keyMsg("tab"))
			tm.Send(keyMsg("tab"))
			waitFor(t, tm, "2 tracks · 7:07")
			tm.Send(keyMsg("q"))
			tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))

			cat.mu.Lock()
			queries := slices.Clone(cat.queries)
			cat.mu.Unlock()
			if !slices.Equal(queries, []string{"aur"}) {
				t.Errorf("queries sent = %q, want only the debounced %q", queries, "aur")
			}
			want := []action.Kind{action.Refresh, action.PlayNow, action.Add, action.Next}
			if got := pl.kinds(); !slices.Equal(got, want) {
				t.Errorf("player requests = %v, want %v", got, want)
			}
			golden.RequireEqual(t, []byte(tm.FinalModel(t).View()))
		})
	}
}
