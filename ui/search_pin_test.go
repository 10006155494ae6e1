package ui

import (
	"context"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// TestSearchPinsAlbums: O on an album row of the search results did
// nothing (the Library's album rows pin with O; the search's help did not
// list it), nor on a track row. Now O on an album row pins the album, its
// row marked "● offline", and again unpins it; on a track row it pins the
// track's album, as O does on a track of an album in the Library.
func TestSearchPinsAlbums(t *testing.T) {
	done := make(chan struct{})
	close(done)
	pins := &fakePinner{release: done}
	pl := newFakePlayer()
	pl.ch = nil
	m := New(context.Background(), Options{Catalog: fixture(), Player: pl, Pinner: pins})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	drive(m, m.Init())
	typeText(m, "/contin")
	send(m, "enter", "j", "j") // Continuum I, Continuum II, the album Continuum
	if s := selectedLine(m); !strings.Contains(s, "Continuum · The Gapless Set") {
		t.Fatalf("selected %q, want the album row", s)
	}
	send(m, "O")
	if p, _ := pins.Pinned(); !slices.Equal(p, []string{"al3"}) || !strings.Contains(selectedLine(m), "● offline") {
		t.Fatalf("O on the album row: pinned %v, row %q; want al3 pinned and marked", p, selectedLine(m))
	}
	if v := m.View(); !strings.Contains(v, "album “Continuum” is available offline") {
		t.Fatalf("O on the album row does not say it pinned it:\n%s", v)
	}
	send(m, "O")
	if p, _ := pins.Pinned(); len(p) != 0 || strings.Contains(selectedLine(m), "● offline") {
		t.Fatalf("O again on the album row: pinned %v, row %q; want it unpinned", p, selectedLine(m))
	}
	send(m, "k", "O") // Continuum II: its album
	if p, _ := pins.Pinned(); !slices.Equal(p, []string{"al3"}) {
		t.Fatalf("O on a track row: pinned %v, want its album al3", p)
	}
	send(m, "?")
	if v := m.View(); !strings.Contains(v, "offline on/off") {
		t.Fatalf("the search's help does not list O:\n%s", v)
	}
}
