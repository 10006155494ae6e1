package ui

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"

	"segue/net/originclient"
)

// drive runs cmd as Bubble Tea would and feeds what it yields back into m,
// until nothing is left. Cmds still running after a short wait (the fade
// timers) are dropped: these tests look at frames, not time.
func drive(m *Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	select {
	case msg := <-ch:
		// a batch or a sequence (unexported, also a []tea.Cmd) runs its
		// Cmds in order here
		if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeFor[tea.Cmd]() {
			for i := range v.Len() {
				drive(m, v.Index(i).Interface().(tea.Cmd))
			}
			return
		}
		if msg != nil {
			_, next := m.Update(msg)
			drive(m, next)
		}
	case <-time.After(400 * time.Millisecond):
	}
}

// newDriven builds a model with no event channel (the fake player reports
// through Do only) at size w x h, started.
func newDriven(t *testing.T, cat *fakeCatalog, w, h int) *Model {
	t.Helper()
	pl := newFakePlayer()
	pl.ch = nil
	store := seededStore(cat)
	done := make(chan struct{})
	close(done)
	pins := &fakePinner{pinned: []string{"pl2"}, release: done}
	m := New(context.Background(), Options{Catalog: cat, Player: pl, Playlists: store, Opener: store, Pinner: pins})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	drive(m, m.Init())
	return m
}

// seededStore holds two playlists, the first shared, the second (pl2)
// pinned by newDriven's pinner.
func seededStore(cat *fakeCatalog) *fakeStore {
	s := newFakeStore(cat)
	ctx := context.Background()
	s.CreatePlaylist(ctx, "Road Trip", []string{"t1", "t5", "t2"})
	s.CreatePlaylist(ctx, "Night Drive", []string{"t4"})
	s.SharePlaylist(ctx, "pl1")
	return s
}

func send(m *Model, keys ...string) {
	for _, k := range keys {
		_, cmd := m.Update(keyMsg(k))
		drive(m, cmd)
	}
}

func typeText(m *Model, s string) {
	for _, r := range s {
		send(m, string(r))
	}
}

// checkFrame fails unless the frame is exactly w x h cells.
func checkFrame(t *testing.T, v string, w, h int) {
	t.Helper()
	lines := strings.Split(v, "\n")
	if len(lines) != h {
		t.Fatalf("frame has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if lw := lipgloss.Width(l); lw != w {
			t.Fatalf("line %d is %d cells wide, want %d: %q", i, lw, w, l)
		}
	}
}

// TestScreens checks each screen's frame against a golden file.
func TestScreens(t *testing.T) {
	cases := []struct {
		name string
		w, h int
		do   func(m *Model)
	}{
		{"search-80x24", 80, 24, func(m *Model) { typeText(m, "/aur"); send(m, "enter", "j") }},
		{"search-narrow-40x15", 40, 15, func(m *Model) { typeText(m, "/cont"); send(m, "enter") }},
		{"search-empty", 80, 24, func(m *Model) { typeText(m, "/zzz") }},
		{"library-artists", 80, 24, func(m *Model) { send(m, "tab") }},
		{"library-albums", 80, 24, func(m *Model) { send(m, "tab", "enter") }},
		{"library-album-cover", 100, 30, func(m *Model) { send(m, "tab", "enter", "enter", "j") }},
		{"library-album-narrow", 50, 20, func(m *Model) { send(m, "tab", "enter", "enter") }},
		{"queue-empty", 80, 24, func(m *Model) { send(m, "tab", "tab") }},
		{"nowplaying", 100, 30, func(m *Model) {
			typeText(m, "/polar")
			send(m, "enter", "enter", "tab", "tab", "tab")
		}},
		{"help", 80, 24, func(m *Model) { send(m, "esc", "?") }},
		{"playlists-80x24", 80, 24, func(m *Model) { send(m, "tab", "tab", "tab", "tab") }},
		{"playlists-160x48", 160, 48, func(m *Model) { send(m, "tab", "tab", "tab", "tab") }},
		{"playlists-narrow-40x15", 40, 15, func(m *Model) { send(m, "tab", "tab", "tab", "tab") }},
		{"playlist-open-80x24", 80, 24, func(m *Model) { send(m, "tab", "tab", "tab", "tab", "enter", "j") }},
		{"playlist-open-160x48", 160, 48, func(m *Model) { send(m, "tab", "tab", "tab", "tab", "enter") }},
		{"playlists-help", 80, 24, func(m *Model) { send(m, "tab", "tab", "tab", "tab", "?") }},
		{"playlists-new-prompt", 80, 24, func(m *Model) { send(m, "tab", "tab", "tab", "tab", "N"); typeText(m, "Evening") }},
		{"picker-80x24", 80, 24, func(m *Model) { typeText(m, "/aur"); send(m, "enter", "s") }},
		{"help-small", 40, 15, func(m *Model) { send(m, "esc", "?") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := newDriven(t, fixture(), c.w, c.h)
			c.do(m)
			v := m.View()
			checkFrame(t, v, c.w, c.h)
			golden.RequireEqual(t, []byte(v))
		})
	}
}

// TestResize is acceptance 3 at the model level: any size, including
// absurd ones, gives a frame of exactly that size and no panic.
func TestResize(t *testing.T) {
	m := newDriven(t, fixture(), 80, 24)
	typeText(m, "/aur")
	send(m, "enter", "enter")
	for _, s := range [][2]int{{40, 15}, {200, 60}, {20, 5}, {59, 10}, {1, 1}, {80, 24}, {300, 100}} {
		for scr := range m.screens {
			m.active = scr
			m.Update(tea.WindowSizeMsg{Width: s[0], Height: s[1]})
			checkFrame(t, m.View(), s[0], s[1])
		}
	}
	m.Update(tea.WindowSizeMsg{Width: 0, Height: 0})
	if v := m.View(); v != "" {
		t.Fatalf("zero size frame = %q, want empty", v)
	}
}

// BenchmarkFirstFrame is the interface's own share of start-up: building
// the model, sizing it and drawing the first frame.
func BenchmarkFirstFrame(b *testing.B) {
	cat := fixture()
	for b.Loop() {
		pl := newFakePlayer()
		pl.ch = nil
		m := New(context.Background(), Options{Catalog: cat, Player: pl})
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		if m.View() == "" {
			b.Fatal("empty frame")
		}
	}
}

// coverless is the fixture with albums that have no cover (the origin
// answers 404).
type coverless struct{ *fakeCatalog }

func (coverless) Cover(context.Context, string) ([]byte, string, error) {
	return nil, "", fmt.Errorf("cover: %w", originclient.ErrNotFound)
}

// TestAlbumWithoutCover: an album with no cover lists its tracks from the
// left edge; they sat right of an empty third of the window.
func TestAlbumWithoutCover(t *testing.T) {
	pl := newFakePlayer()
	pl.ch = nil
	m := New(context.Background(), Options{Catalog: coverless{fixture()}, Player: pl})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	drive(m, m.Init())
	send(m, "tab", "enter", "enter") // Aurora Lane, Northern Lights
	v := m.View()
	if !strings.Contains(v, "\n›  1. Aurora") {
		t.Fatalf("an album with no cover: its tracks do not start at the left edge:\n%s", v)
	}
}
