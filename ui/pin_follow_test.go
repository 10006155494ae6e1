package ui

import (
	"context"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// TestPinnedPlaylistMoveFollowsQuietly: J in a pinned playlist makes its
// offline copy follow the new order (pinned again), and says nothing of
// it: the line said "the offline copy of playlist “Road Trip” is up to
// date" after every J and K, of a change that downloads nothing. An edit
// with a note of its own says the note and that the copy is up to date.
func TestPinnedPlaylistMoveFollowsQuietly(t *testing.T) {
	cat := fixture()
	done := make(chan struct{})
	close(done)
	pins := &fakePinner{pinned: []string{"pl1"}, release: done}
	pl := newFakePlayer()
	pl.ch = nil
	store := seededStore(cat)
	m := New(context.Background(), Options{Catalog: cat, Player: pl, Playlists: store, Pinner: pins})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	drive(m, m.Init())
	send(m, "shift+tab", "enter") // Road Trip: Aurora, Continuum I, Polar Night
	send(m, "J")
	if p, _ := pins.Pinned(); len(p) != 2 {
		t.Fatalf("J in the pinned playlist: pins %v; want pl1 pinned again (following the move)", p)
	}
	if v := m.View(); strings.Contains(v, "up to date") || strings.Contains(v, "downloading") || !strings.Contains(v, "● offline") {
		t.Fatalf("a move's follow is said, or the mark is gone:\n%s", v)
	}
	send(m, "d")
	if v := m.View(); !strings.Contains(v, "removed “Aurora” from “Road Trip”; its offline copy is up to date") {
		t.Fatalf("d in the pinned playlist does not say the copy followed:\n%s", v)
	}
}

// TestEditOfPlaylistDeletedElsewhere: d in an open playlist that another
// device deleted meanwhile said "could not remove “Aurora” from playlist
// “Road Trip”: it is not on the origin", as if the track were missing,
// and stayed on the playlist. It says the playlist is gone and goes back
// to the list, which no longer shows it.
func TestEditOfPlaylistDeletedElsewhere(t *testing.T) {
	cat := fixture()
	pl := newFakePlayer()
	pl.ch = nil
	store := seededStore(cat)
	m := New(context.Background(), Options{Catalog: cat, Player: pl, Playlists: store})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	drive(m, m.Init())
	send(m, "shift+tab", "enter") // Road Trip
	if err := store.DeletePlaylist(context.Background(), "pl1"); err != nil {
		t.Fatal(err)
	}
	send(m, "d")
	v := m.View()
	if !strings.Contains(v, "playlist “Road Trip” is gone from the origin") || strings.Contains(v, "Road Trip ") || !strings.Contains(v, "1 playlist") {
		t.Fatalf("d in a playlist deleted elsewhere: want it said gone and the list without it:\n%s", v)
	}
}
