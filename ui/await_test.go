package ui

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"segue/catalog"
	"segue/ui/action"
)

// typedFast sends keys one right after another, as a fast typist or a
// script does: each reaches the interface before what the one before it
// started has come back. Then what they started runs, in order.
func typedFast(m *Model, keys ...string) {
	var cmds []tea.Cmd
	for _, k := range keys {
		_, cmd := m.Update(keyMsg(k))
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		drive(m, cmd)
	}
}

// requestsSince returns the player requests after the first n.
func requestsSince(m *Model, n int) []action.Kind {
	return m.player.(*fakePlayer).kinds()[n:]
}

// onPolarNight is a driven model with “Polar Night” found and selected in
// search, after keys more; n is how many requests the player had then.
func onPolarNight(t *testing.T, keys ...string) (m *Model, n int) {
	m = newDriven(t, fixture(), 100, 30)
	typeText(m, "/polar")
	send(m, append([]string{"enter"}, keys...)...)
	return m, len(m.player.(*fakePlayer).kinds())
}

// newWith is a model of o, with a fake player that sends no events, in a
// w x h window, its start done.
func newWith(t *testing.T, o Options, w, h int) *Model {
	t.Helper()
	pl := newFakePlayer()
	pl.ch = nil
	o.Player = pl
	m := New(context.Background(), o)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	drive(m, m.Init())
	return m
}

// promptHolds fails unless the prompt is open, asks label and holds value.
func promptHolds(t *testing.T, m *Model, label, value string) {
	t.Helper()
	if m.prompt == nil {
		t.Fatalf("no prompt is open, want %q holding %q:\n%s", label, value, m.View())
	}
	if got := m.prompt.View(m.st, 200); !strings.Contains(got, label) {
		t.Fatalf("the prompt asks %q, want %q", got, label)
	}
	if got := m.prompt.Value(); got != value {
		t.Fatalf("the prompt holds %q, want %q", got, value)
	}
}

// TestKeysTypedBeforeThePickerOpens: s on a track, then k, enter and a
// name typed fast, went to the search screen (k focused the input) and
// the player (b cycles the quality, n skips, space pauses) before the
// picker opened. They now go to the picker, then to the name prompt its
// "+ New playlist…" row opens.
func TestKeysTypedBeforeThePickerOpens(t *testing.T) {
	m, n := onPolarNight(t)
	typedFast(m, "s", "k", "enter", "b", "n", " ")
	promptHolds(t, m, "New playlist with “Polar Night”:", "bn ")
	if got := requestsSince(m, n); len(got) != 0 {
		t.Fatalf("keys typed for the picker reached the player: %v", got)
	}
}

// TestKeysTypedBeforeTheNamePrompt: enter on the picker's "+ New
// playlist…" row and a name typed right after it: the name went to the
// screen and the player before the prompt opened.
func TestKeysTypedBeforeTheNamePrompt(t *testing.T) {
	m, n := onPolarNight(t, "s", "k")
	typedFast(m, "enter", "b", "p")
	promptHolds(t, m, "New playlist with “Polar Night”:", "bp")
	if got := requestsSince(m, n); len(got) != 0 {
		t.Fatalf("the name reached the player: %v", got)
	}
}

// TestKeysTypedBeforePlaylistPrompts: N, r and D on the playlists screen
// open their prompts by a message; what was typed right after went to
// the list and the player.
func TestKeysTypedBeforePlaylistPrompts(t *testing.T) {
	for _, c := range []struct{ keys, label, value string }{
		{"Nbn", "New playlist name:", "bn"},
		{"r 2", "Rename “Road Trip” to:", "Road Trip 2"},
	} {
		t.Run(c.keys[:1], func(t *testing.T) {
			m := newDriven(t, fixture(), 100, 30)
			send(m, "shift+tab")
			n := len(m.player.(*fakePlayer).kinds())
			typedFast(m, strings.Split(c.keys, "")...)
			promptHolds(t, m, c.label, c.value)
			if got := requestsSince(m, n); len(got) != 0 {
				t.Fatalf("the name reached the player: %v", got)
			}
		})
	}
	t.Run("D", func(t *testing.T) {
		m := newDriven(t, fixture(), 100, 30)
		store := m.store.(*fakeStore)
		send(m, "shift+tab")
		typedFast(m, "D", "y")
		if m.prompt != nil {
			t.Fatalf("D y left the question open:\n%s", m.View())
		}
		if pls := store.snapshot(); len(pls) != 1 || pls[0].Name != "Night Drive" {
			t.Fatalf("after D y typed fast: %+v", pls)
		}
	})
}

// TestKeysTypedBeforeTheNowPlayingPicker: s on Now Playing, then n: the
// n skipped the track playing before the picker opened over it.
func TestKeysTypedBeforeTheNowPlayingPicker(t *testing.T) {
	m, n := onPolarNight(t, "enter", "tab", "tab", "tab")
	if m.active != nowScreen || !m.status.HasTrack {
		t.Fatalf("not on Now Playing with a track: screen %d", m.active)
	}
	typedFast(m, "s", "n", "enter")
	if got := requestsSince(m, n); len(got) != 0 {
		t.Fatalf("keys typed for the picker reached the player: %v", got)
	}
	if pls := m.store.(*fakeStore).snapshot(); len(pls[0].Tracks) != 4 {
		t.Fatalf("enter in the picker did not add to “Road Trip”: %+v", pls[0])
	}
}

// noAlbums is a catalog whose albums cannot be read.
type noAlbums struct{ *fakeCatalog }

func (noAlbums) Album(context.Context, string) (catalog.Album, error) {
	return catalog.Album{}, errors.New("the origin answered 500")
}

// TestKeysTypedBeforeAPickerThatFails: s on an album whose tracks cannot
// be loaded, then n n: the picker never opens, and the keys meant for it
// are dropped, which the status line says, instead of skipping tracks.
func TestKeysTypedBeforeAPickerThatFails(t *testing.T) {
	cat := noAlbums{fixture()}
	m := newWith(t, Options{Catalog: cat, Playlists: seededStore(cat.fakeCatalog)}, 120, 30)
	typeText(m, "/tides")
	send(m, "enter")
	n := len(m.player.(*fakePlayer).kinds())
	typedFast(m, "s", "n", "n")
	if got := requestsSince(m, n); len(got) != 0 {
		t.Fatalf("keys typed for the picker reached the player: %v", got)
	}
	if m.picker != nil || m.prompt != nil {
		t.Fatal("a picker or prompt opened")
	}
	if v := m.View(); !strings.Contains(v, "; 2 keys typed after s were dropped") {
		t.Fatalf("the status line does not say the keys were dropped:\n%s", v)
	}
}

// TestEscBeforeThePromptOpens: esc right after N cancels at once; the
// prompt does not open when its message comes, and n after esc is next
// track again.
func TestEscBeforeThePromptOpens(t *testing.T) {
	m, n := onPolarNight(t, "enter", "shift+tab")
	typedFast(m, "N", "b", "esc", "n")
	if m.prompt != nil {
		t.Fatalf("the prompt opened after esc, holding %q", m.prompt.Value())
	}
	if got := requestsSince(m, n); !slices.Equal(got, []action.Kind{action.Next}) {
		t.Fatalf("requests after N b esc n: %v, want only next", got)
	}
}

// TestHeldKeysAreBounded: at most maxHeld keys wait for a prompt; the
// rest are dropped and the status line says how many.
func TestHeldKeysAreBounded(t *testing.T) {
	m := newDriven(t, fixture(), 100, 30)
	send(m, "shift+tab")
	keys := []string{"N"}
	for range maxHeld + 3 {
		keys = append(keys, "x")
	}
	typedFast(m, keys...)
	promptHolds(t, m, "New playlist name:", strings.Repeat("x", maxHeld))
	if got := m.line.text; got != "3 keys typed after N dropped: at most 256 wait for what it opens" {
		t.Fatalf("status line %q", got)
	}
}

// TestKeysReadTogetherWithS: s and k read in one go (one message), then
// enter and b apart, as tmux send-keys delivers them: k went to the
// picker after enter and b, which had waited for it, so enter added to
// the first playlist and k ended up in nothing.
func TestKeysReadTogetherWithS(t *testing.T) {
	m, n := onPolarNight(t)
	typedFast(m, "sk", "enter", "b")
	promptHolds(t, m, "New playlist with “Polar Night”:", "b")
	if got := requestsSince(m, n); len(got) != 0 {
		t.Fatalf("keys typed for the picker reached the player: %v", got)
	}
}

// TestKeysTypedWhileADocumentOpens: enter on an artist or a playlist
// loads it before it shows; j and enter typed right after moved and
// opened in the list it was leaving. Typed fast, they now do what they do
// typed slowly: in the library, open the artist, then its second row;
// on Playlists, open Road Trip, then play from its second track; on an
// album found in search, open it in the library, then play its second
// track.
func TestKeysTypedWhileADocumentOpens(t *testing.T) {
	for _, c := range []struct {
		name   string
		screen string // the key that goes to the screen
	}{{"library", "tab"}, {"playlists", "shift+tab"}, {"search album", "G"}} {
		t.Run(c.name, func(t *testing.T) {
			slow, fast := newDriven(t, fixture(), 100, 30), newDriven(t, fixture(), 100, 30)
			if c.screen == "G" { // the last row of the results: an album
				typeText(slow, "/tides")
				typeText(fast, "/tides")
				send(slow, "enter")
				send(fast, "enter")
			}
			send(slow, c.screen, "enter", "j", "enter")
			send(fast, c.screen)
			typedFast(fast, "enter", "j", "enter")
			if got, want := fast.View(), slow.View(); got != want {
				t.Fatalf("enter j enter typed fast shows\n%s\ntyped slowly\n%s", got, want)
			}
			if got, want := fast.player.(*fakePlayer).kinds(), slow.player.(*fakePlayer).kinds(); !slices.Equal(got, want) {
				t.Fatalf("typed fast the player got %v, typed slowly %v", got, want)
			}
		})
	}
}

// TestKeysTypedBeforeAPickerWithNoOrigin: s without playlists says why,
// at once; the keys typed after it are dropped, said after that reason
// rather than in place of it.
func TestKeysTypedBeforeAPickerWithNoOrigin(t *testing.T) {
	m := newWith(t, Options{Catalog: fixture()}, 120, 30)
	typeText(m, "/polar")
	send(m, "enter")
	n := len(m.player.(*fakePlayer).kinds())
	typedFast(m, "s", "n")
	if got := requestsSince(m, n); len(got) != 0 {
		t.Fatalf("a key typed for the picker reached the player: %v", got)
	}
	if got := m.line.text; got != "playlists are not available: no origin; 1 key typed after s was dropped" {
		t.Fatalf("status line %q", got)
	}
}

// TestKeysTypedBeforeTheResults: a query, enter to leave the input and
// enter to play, typed fast: the second enter came before the results
// and played nothing (or a row of the query before). It now waits for
// them, and plays the first track found, as typed slowly.
func TestKeysTypedBeforeTheResults(t *testing.T) {
	keys := []string{"/", "a", "u", "r", "enter", "enter"}
	slow, fast := newDriven(t, fixture(), 100, 30), newDriven(t, fixture(), 100, 30)
	send(slow, keys...)
	typedFast(fast, keys...)
	if got, want := fast.player.(*fakePlayer).kinds(), slow.player.(*fakePlayer).kinds(); !slices.Equal(got, want) || want[len(want)-1] != action.PlayNow {
		t.Fatalf("typed fast the player got %v, typed slowly %v (ending with play)", got, want)
	}
	if got, want := fast.status.Track.Title, slow.status.Track.Title; got != want {
		t.Fatalf("typed fast %q plays, typed slowly %q", got, want)
	}
}
