package ui

import (
	"context"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"segue/catalog"
)

// TestBidiNamesShownStripped: names from the origin holding invisible
// text-direction characters (a right-to-left override, an isolate, a mark:
// stored before the origin refused them, or in a file's tags) show without
// them on every screen, in the picker and in the notice line, as the CLI's
// tables show them. They reached the terminal as stored, where an override
// shows the rest of the row reversed.
func TestBidiNamesShownStripped(t *testing.T) {
	const (
		artist = "Aurora\u202e Lane"
		album  = "Northern\u2066 Lights\u2069"
		track  = "Polar\u200f Night\u061c"
		plName = "Road\u202a Trip\u202c"
	)
	cat := fixture()
	fix := func(s string) string {
		return strings.NewReplacer("Aurora Lane", artist, "Northern Lights", album, "Polar Night", track).Replace(s)
	}
	for i := range cat.albums {
		a := &cat.albums[i]
		a.Title, a.Artist = fix(a.Title), fix(a.Artist)
		for j := range a.Tracks {
			tr := &a.Tracks[j]
			tr.Title, tr.Artist, tr.Album = fix(tr.Title), fix(tr.Artist), fix(tr.Album)
		}
	}
	for i := range cat.artists {
		ar := &cat.artists[i]
		ar.Name = fix(ar.Name)
		for j := range ar.Albums {
			ar.Albums[j] = cat.albums[j+2*i] // same order as fixture
		}
	}
	pl := newFakePlayer()
	pl.ch = nil
	store := newFakeStore(cat)
	store.CreatePlaylist(context.Background(), plName, []string{"t1", "t2"})
	m := New(context.Background(), Options{Catalog: cat, Player: pl, Playlists: store, Opener: store})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	drive(m, m.Init())

	check := func(where string, want ...string) {
		t.Helper()
		v := m.View()
		checkFrame(t, v, 120, 30)
		if i := strings.IndexFunc(v, catalog.IsBidiControl); i >= 0 {
			t.Errorf("%s: the frame holds U+%04X:\n%s", where, []rune(v[i:])[0], v)
		}
		for _, w := range want {
			if !strings.Contains(v, w) {
				t.Errorf("%s: %q is not shown:\n%s", where, w, v)
			}
		}
	}
	send(m, "tab")
	check("artists", "Aurora Lane")
	send(m, "enter")
	check("artist", "Aurora Lane", "Northern Lights")
	send(m, "enter")
	check("album", "Northern Lights", "Polar Night")
	send(m, "j", "enter")
	check("playing", "Polar Night")
	send(m, "tab")
	check("queue", "Polar Night", "Aurora Lane")
	send(m, "tab")
	check("now playing", "Polar Night", "Aurora Lane", "Northern Lights")
	send(m, "tab")
	check("playlists", "Road Trip")
	send(m, "enter")
	check("playlist", "Road Trip", "Polar Night")
	send(m, "esc", "esc", "esc")
	typeText(m, "/polar")
	send(m, "enter")
	check("search", "Polar Night", "Aurora Lane")
	send(m, "s")
	check("picker", "Add “Polar Night” to playlist", "Road Trip")
	send(m, "enter")
	check("notice", "to “Road Trip”")
}

// TestRenameStartsWithoutBidi: renaming a playlist whose stored name holds
// a text-direction character starts from the name as shown, without it:
// the answer kept the invisible character, and the origin refused every
// rename that did not delete it blind.
func TestRenameStartsWithoutBidi(t *testing.T) {
	pl := newFakePlayer()
	pl.ch = nil
	cat := fixture()
	store := newFakeStore(cat)
	store.CreatePlaylist(context.Background(), "Road\u202e Trip", []string{"t1"})
	m := New(context.Background(), Options{Catalog: cat, Player: pl, Playlists: store, Opener: store})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	drive(m, m.Init())
	send(m, "shift+tab", "r")
	if m.prompt == nil {
		t.Fatalf("r opened no prompt:\n%s", m.View())
	}
	if m.prompt.Value() != "Road Trip" {
		t.Fatalf("the rename starts from %q, want \"Road Trip\"", m.prompt.Value())
	}
	typeText(m, " 2")
	send(m, "enter")
	if got := store.snapshot()[0].Name; got != "Road Trip 2" {
		t.Fatalf("renamed to %q, want \"Road Trip 2\"", got)
	}
}
