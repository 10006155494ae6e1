package ui

import (
	"context"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
)

// TestOfflineLibraryAndSearch: with the origin down the interface comes up;
// the Library shows the artists of the pinned albums (Tides and Continuum,
// not the unpinned Northern Lights), each with its pinned albums, and the
// pinned playlist, from the stored documents; the playlist opens on the
// Playlists screen, which lists only it; search says it is offline and
// drops the rows of the query before.
func TestOfflineLibraryAndSearch(t *testing.T) {
	cat := fixture()
	cat.offline = true
	pl := newFakePlayer()
	pl.ch = nil
	store := seededStore(cat)
	done := make(chan struct{})
	close(done)
	pins := &fakePinner{pinned: []string{"al2", "al3", "pl2", "t1"}, release: done}
	m := New(context.Background(), Options{Catalog: cat, Player: pl, Playlists: store, Opener: store, Pinner: pins})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	drive(m, m.Init())

	send(m, "tab")
	v := m.View()
	if !strings.Contains(v, "offline: 2 artists with pinned albums, 1 pinned playlist") || !strings.Contains(v, "Aurora Lane") ||
		!strings.Contains(v, "The Gapless Set") || !strings.Contains(v, "Night Drive") {
		t.Fatalf("the offline library does not show the pinned artists:\n%s", v)
	}
	if strings.Contains(v, "127.0.0.1") || strings.Contains(v, "could not") {
		t.Fatalf("the offline library shows an error:\n%s", v)
	}
	t.Run("library", func(t *testing.T) { golden.RequireEqual(t, []byte(v)) })
	send(m, "enter") // Aurora Lane: only Tides is pinned
	if v := m.View(); !strings.Contains(v, "Tides") || strings.Contains(v, "Northern Lights") {
		t.Fatalf("the offline artist shows other than its pinned albums:\n%s", v)
	}
	send(m, "enter") // Tides
	if v := m.View(); !strings.Contains(v, "Auroral Tide") {
		t.Fatalf("the pinned album does not open from its document:\n%s", v)
	}

	send(m, "h", "h", "j", "j", "enter") // the pinned playlist opens on the Playlists screen
	if v := m.View(); m.active != playlistsScreen || !strings.Contains(v, "Night Drive") || !strings.Contains(v, "1. Auroral Tide") {
		t.Fatalf("the pinned playlist does not open from the library:\n%s", v)
	}
	send(m, "h") // the list
	if v := m.View(); !strings.Contains(v, "offline: 1 pinned playlist") || !strings.Contains(v, "Night Drive") || strings.Contains(v, "Road Trip") {
		t.Fatalf("the offline playlists are not the pinned one:\n%s", v)
	}

	// search while the origin is up, then down: the old rows go
	cat.setOffline(false)
	typeText(m, "/aur")
	if v := m.View(); !strings.Contains(v, "Polar Night") {
		t.Fatalf("online search shows no results:\n%s", v)
	}
	cat.setOffline(true)
	typeText(m, "o")
	v = m.View()
	if !strings.Contains(v, "offline: search needs the origin; the Library shows what is pinned") {
		t.Fatalf("search does not say it is offline:\n%s", v)
	}
	if strings.Contains(v, "Polar Night") || strings.Contains(v, "Tracks (") {
		t.Fatalf("search shows the results of the query before:\n%s", v)
	}
	t.Run("search", func(t *testing.T) { golden.RequireEqual(t, []byte(v)) })
}
