package ui

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
)

// counting wraps the root model and counts what the program asks of it.
type counting struct {
	*Model
	updates, views *atomic.Int64
}

func (c counting) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	c.updates.Add(1)
	_, cmd := c.Model.Update(msg)
	return c, cmd
}

func (c counting) View() string {
	c.views.Add(1)
	return c.Model.View()
}

// TestIdleNoRedraw is acceptance 4 at the model level: once the screen is
// drawn and nothing plays, no message reaches the model and nothing is
// rendered again — no cursor blink, no clock, no polling. The observation
// window is the only wait; the assertion is a count, not a time.
func TestIdleNoRedraw(t *testing.T) {
	var updates, views atomic.Int64
	cat := fixture()
	store := seededStore(cat)
	opts := Options{Catalog: cat, Player: newFakePlayer(), Playlists: store, Opener: store, Pinner: &fakePinner{pinned: []string{"pl2"}}}
	m := counting{Model: New(context.Background(), opts), updates: &updates, views: &views}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	waitFor(t, tm, "type to search")
	// let the start-up messages (size, artists, status) settle
	deadline := time.Now().Add(5 * time.Second)
	for last := int64(-1); ; {
		n := updates.Load()
		if n == last && n >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("start-up never settled: %d updates", n)
		}
		last = n
		<-time.After(100 * time.Millisecond)
	}
	u0, v0 := updates.Load(), views.Load()
	<-time.After(1500 * time.Millisecond) // the idle window
	if du, dv := updates.Load()-u0, views.Load()-v0; du != 0 || dv != 0 {
		t.Fatalf("idle for 1.5s: %d updates and %d renders, want none", du, dv)
	}
	tm.Send(keyMsg("q"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}
