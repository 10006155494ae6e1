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
	m, cat, _ := offlinePinned(80, 24, "al2", "al3", "pl2", "t1")

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

// TestOfflinePlaylistRowKeys: on a pinned playlist listed in the offline
// Library, a queues its tracks, s opens the picker for them and O unpins
// it, as on an album row; they did nothing there.
func TestOfflinePlaylistRowKeys(t *testing.T) {
	m, _, pins := offlinePinned(100, 30, "al2", "al3", "pl2")
	send(m, "tab", "j", "j") // Aurora Lane, The Gapless Set, Night Drive
	if s := selectedLine(m); !strings.Contains(s, "Night Drive") {
		t.Fatalf("selected %q, want the pinned playlist Night Drive", s)
	}
	send(m, "a")
	if got := queueTitles(m); len(got) != 1 || got[0] != "Auroral Tide" {
		t.Fatalf("a on the pinned playlist queued %q, want Auroral Tide", got)
	}
	send(m, "s")
	if m.picker == nil || !strings.Contains(m.View(), "Add “Auroral Tide” to playlist") {
		t.Fatalf("s on the pinned playlist opened no picker:\n%s", m.View())
	}
	send(m, "esc", "O")
	if got, _ := pins.Pinned(); len(got) != 2 || m.pins.Pinned("pl2") {
		t.Fatalf("O on the pinned playlist left pinned %v", got)
	}
}

// offlinePinned is a model of w x h with the origin down, seededStore's
// playlists and refs pinned.
func offlinePinned(w, h int, refs ...string) (*Model, *fakeCatalog, *fakePinner) {
	cat := fixture()
	cat.offline = true
	pl := newFakePlayer()
	pl.ch = nil
	store := seededStore(cat)
	done := make(chan struct{})
	close(done)
	pins := &fakePinner{pinned: refs, release: done}
	m := New(context.Background(), Options{Catalog: cat, Player: pl, Playlists: store, Opener: store, Pinner: pins})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	drive(m, m.Init())
	return m, cat, pins
}
