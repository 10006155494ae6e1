package ui

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"segue/player"
	"segue/ui/keys"
)

// TestHelpNoDuplicates: on every screen (and every level of the library
// and playlists) the help lists each binding once and no key means two
// things.
func TestHelpNoDuplicates(t *testing.T) {
	for _, c := range []struct {
		name string
		keys []string
	}{
		{"search", []string{"esc"}},
		{"library-artists", []string{"tab"}},
		{"library-album", []string{"tab", "enter", "enter"}},
		{"queue", []string{"tab", "tab"}},
		{"nowplaying", []string{"tab", "tab", "tab"}},
		{"playlists", []string{"tab", "tab", "tab", "tab"}},
		{"playlist-open", []string{"tab", "tab", "tab", "tab", "enter"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := newDriven(t, fixture(), 200, 60)
			send(m, c.keys...)
			send(m, "?")
			lines := map[string]bool{}
			for _, l := range m.helpLines() {
				if lines[l] {
					t.Errorf("help lists %q twice", l)
				}
				lines[l] = true
			}
			meaning := map[string]string{}
			for _, g := range m.helpGroups() {
				for _, b := range g {
					for _, k := range b.Keys() {
						if d, ok := meaning[k]; ok && d != b.Help().Desc {
							t.Errorf("key %q means both %q and %q here", k, d, b.Help().Desc)
						}
						meaning[k] = b.Help().Desc
					}
				}
			}
			all := strings.Split(m.View(), "\n")
			v := strings.Join(all[1:len(all)-4], "\n") // the overlay, not the status line's hints
			for _, d := range []string{"next track", "seek to a time", "reload"} {
				if n := strings.Count(v, d); n != 1 {
					t.Errorf("the help shows %q %d times, want once:\n%s", d, n, v)
				}
			}
		})
	}
}

// TestHelpScrolls: when the help does not fit it scrolls with ↑↓ and
// page keys, shows where it is, reaches the last line, and any other key
// closes it.
func TestHelpScrolls(t *testing.T) {
	m := newDriven(t, fixture(), 40, 15)
	send(m, "esc", "?")
	total := len(m.helpLines())
	room := helpRoom(m.bodyHeight())
	if total <= room {
		t.Fatalf("%d help lines fit in %d: nothing to scroll", total, room)
	}
	if v := m.View(); !strings.Contains(v, fmt.Sprintf("Keys 1-%d of %d", room, total)) {
		t.Fatalf("help at 40x15 does not say it scrolls:\n%s", v)
	}
	golden.RequireEqual(t, []byte(m.View()))
	send(m, "j")
	if v := m.View(); !strings.Contains(v, fmt.Sprintf("Keys 2-%d of %d", room+1, total)) {
		t.Fatalf("j does not scroll the help:\n%s", v)
	}
	for range total {
		send(m, "pgdown")
	}
	v := m.View()
	if !strings.Contains(v, fmt.Sprintf("Keys %d-%d of %d", total-room+1, total, total)) {
		t.Fatalf("page down does not reach the end:\n%s", v)
	}
	last := regexp.MustCompile(`\s+`).ReplaceAllString(m.helpLines()[total-1], " ")
	if !strings.Contains(regexp.MustCompile(`\s+`).ReplaceAllString(v, " "), last) {
		t.Fatalf("the last binding %q is not on screen:\n%s", last, v)
	}
	send(m, "x")
	if m.help {
		t.Fatal("x did not close the help")
	}
}

// TestHelpListsEveryKeyOfTheScreen: a key a screen reacts to (it asks for
// something, or its view changes) is in that screen's help overlay, so
// "? shows the keys of the screen you are on" holds for all of them. The
// README's examples: R (radio from here) on Search, Library and Queue.
func TestHelpListsEveryKeyOfTheScreen(t *testing.T) {
	km := keys.Default()
	var all []key.Binding
	v := reflect.ValueOf(km)
	for i := range v.NumField() {
		if b, ok := v.Field(i).Interface().(key.Binding); ok {
			all = append(all, b)
		}
	}
	for _, c := range []struct {
		name string
		keys []string
		want []string // keys the README names for this screen
	}{
		{"search", []string{"/", "a", "u", "r", "esc"}, []string{"R", "s", "a", "A"}},
		{"library-artists", []string{"tab"}, nil},
		{"library-album", []string{"tab", "enter", "enter"}, []string{"R", "s", "O", "a", "A"}},
		{"queue", []string{"/", "a", "u", "r", "esc", "enter", "tab", "tab"}, []string{"R", "s", "J", "K", "d", "C", "z", "r"}},
		{"nowplaying", []string{"tab", "tab", "tab"}, nil},
		{"playlists", []string{"tab", "tab", "tab", "tab"}, []string{"N", "r", "D", "S", "O"}},
		{"playlist-open", []string{"tab", "tab", "tab", "tab", "enter"}, []string{"J", "K", "d", "S"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			at := func() *Model {
				m := newDriven(t, fixture(), 200, 60)
				send(m, c.keys...)
				return m
			}
			m := at()
			listed := map[string]bool{}
			for _, g := range m.helpGroups() {
				for _, b := range g {
					for _, k := range b.Keys() {
						listed[k] = true
					}
				}
			}
			for _, k := range c.want {
				if !listed[k] {
					t.Errorf("the help does not list %q", k)
				}
			}
			for _, b := range all {
				k := b.Keys()[0]
				if listed[k] {
					continue
				}
				m := at()
				before := m.View()
				cmd := m.screens[m.active].Update(keyMsg(k))
				if cmd != nil || m.View() != before {
					t.Errorf("%q (%s) works here but the help does not list it", k, b.Help().Desc)
				}
			}
		})
	}
}

// TestHelpLeavesOutKeysThatDoNothing: Now Playing has no list, so its help
// lists no movement keys; h (back) goes back only in the Library and an
// open playlist, so only those list it. Help listed both everywhere. The
// Queue's rows open nothing (l and enter play them): its help listed
// "l/enter open" beside "enter play", and so did Search, where both keys
// play a track row and open an album or artist row.
func TestHelpLeavesOutKeysThatDoNothing(t *testing.T) {
	for _, c := range []struct {
		name     string
		keys     []string
		back     bool // lists h/esc back
		movement bool // lists ↑/k up, g top, pgdn page down
		open     bool // lists l/enter open
	}{
		{"search", []string{"esc"}, false, true, false},
		{"library-album", []string{"tab", "enter", "enter"}, true, true, true},
		{"queue", []string{"tab", "tab"}, false, true, false},
		{"nowplaying", []string{"tab", "tab", "tab"}, false, false, false},
		{"playlist-open", []string{"tab", "tab", "tab", "tab", "enter"}, true, true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := newDriven(t, fixture(), 200, 60)
			send(m, c.keys...)
			listed := map[string]bool{}
			for _, g := range m.helpGroups() {
				for _, b := range g {
					listed[b.Help().Desc] = true
				}
			}
			if listed["back"] != c.back {
				t.Errorf("help lists back: %v, want %v", listed["back"], c.back)
			}
			if listed["open"] != c.open {
				t.Errorf("help lists open: %v, want %v", listed["open"], c.open)
			}
			for _, d := range []string{"up", "top", "page down"} {
				if listed[d] != c.movement {
					t.Errorf("help lists %q: %v, want %v", d, listed[d], c.movement)
				}
			}
		})
	}
}

// TestSearchHelpLineSaysWhatEnterDoes: while typing, enter goes to the
// results, and on the results it plays a track or opens an album or
// artist; the help line said "enter play" for both.
func TestSearchHelpLineSaysWhatEnterDoes(t *testing.T) {
	m := newDriven(t, fixture(), 120, 30)
	typeText(m, "/aur")
	if h := m.shortHelp(); strings.Contains(h, "enter play") || !strings.Contains(h, "enter/↓ to the results") {
		t.Errorf("typing: the help line is %q, want enter/↓ to the results", h)
	}
	send(m, "enter", "G") // the artist row
	if h := m.shortHelp(); !strings.Contains(h, "enter play or open") {
		t.Errorf("on the results: the help line is %q, want enter play or open", h)
	}
	send(m, "enter")
	if v := m.View(); !strings.Contains(v, "Aurora Lane\n") && !strings.Contains(v, "2 albums") {
		t.Fatalf("enter on the artist row did not open it:\n%s", v)
	}
}

// TestEmptyLibraryHelpLine: offline with nothing pinned the artist list
// has no rows, and its help line offered "l/enter open", which opened
// nothing; it offers ctrl+r (load again) instead.
func TestEmptyLibraryHelpLine(t *testing.T) {
	m := offlineLibrary(80, 20)
	if h := m.shortHelp(); strings.Contains(h, "open") || !strings.Contains(h, "ctrl+r") {
		t.Fatalf("the empty artist list's help line is %q, want ctrl+r and no open", h)
	}
}

// TestSearchHelpLineAfterAnError: while typing after a failed search the
// help line said "enter/↓ to the results", though enter asks again; it
// says "enter try again".
func TestSearchHelpLineAfterAnError(t *testing.T) {
	cat := fixture()
	m := newDriven(t, cat, 120, 30)
	cat.setOffline(true)
	typeText(m, "/aur")
	if h := m.shortHelp(); !strings.Contains(h, "enter try again") {
		t.Errorf("typing after a failed search: the help line is %q, want enter try again", h)
	}
}

// A search that finds nothing: the help line offered "enter/↓ to the
// results" while typing and, after esc, "enter play or open • a add to
// queue" over an empty list, keys that then did nothing. Typing, it offers
// leaving the input; after it, a new search.
func TestSearchHelpWithoutResults(t *testing.T) {
	m := newDriven(t, fixture(), 120, 30)
	typeText(m, "/zzzzqqq")
	if h := m.shortHelp(); strings.Contains(h, "to the results") || !strings.Contains(h, "esc leave input") {
		t.Errorf("typing a search that finds nothing: the help line is %q, want esc leave input and no results to go to", h)
	}
	send(m, "esc")
	if h := m.shortHelp(); strings.Contains(h, "add to queue") || strings.Contains(h, "play or open") || !strings.Contains(h, "/ search") {
		t.Errorf("no results, out of the input: the help line is %q, want / search and no row keys", h)
	}
}

// TestPauseKeyNamesBoth: space plays a paused track as well as pausing a
// playing one, and the help line and the help say so; they said "space
// pause" while the bar showed a track paused.
func TestPauseKeyNamesBoth(t *testing.T) {
	m := newDriven(t, fixture(), 120, 30)
	typeText(m, "/polar")
	send(m, "enter", "enter", " ", "tab", "tab", "tab") // paused, on Now Playing
	if m.status.State != player.Paused {
		t.Fatalf("space did not pause: %v", m.status.State)
	}
	if h := m.shortHelp(); !strings.Contains(h, "space play/pause") {
		t.Errorf("paused, the help line is %q, want space play/pause", h)
	}
	send(m, "?")
	if v := m.View(); !strings.Contains(v, "space play/pause") {
		t.Errorf("paused, the help does not say space play/pause:\n%s", v)
	}
}

// TestHelpInColumnsClosesOnAnyKey: help laid out in columns that fit says
// any key closes it, and j does (it moved a scroll that did not show, and
// the help stayed); the status line under it says how to close it, not
// the screen's keys, which do not act while it is open. Help that scrolls
// says ↑↓ scroll there.
func TestHelpInColumnsClosesOnAnyKey(t *testing.T) {
	m := newDriven(t, fixture(), 80, 24)
	send(m, "tab", "?")
	v := m.View()
	if !strings.Contains(v, "Keys — Library (any key closes)") || len(m.helpLines()) <= helpRoom(m.bodyHeight()) {
		t.Fatalf("at 80x24 the Library's help is not in columns taller as one (%d lines, room %d):\n%s", len(m.helpLines()), helpRoom(m.bodyHeight()), v)
	}
	if h := m.shortHelp(); !strings.Contains(h, "any key closes the help") || strings.Contains(h, "open") {
		t.Errorf("under the help the status line is %q, want how to close it", h)
	}
	send(m, "j")
	if m.help {
		t.Fatalf("j did not close the help that said any key closes it:\n%s", m.View())
	}
	m.Update(tea.WindowSizeMsg{Width: 40, Height: 15})
	send(m, "?")
	if h := m.shortHelp(); !strings.Contains(h, "↑↓ scroll") {
		t.Errorf("under help that scrolls the status line is %q, want ↑↓ scroll", h)
	}
	send(m, "j")
	if !m.help || !strings.Contains(m.View(), "Keys 2-") {
		t.Fatalf("j did not scroll the help that scrolls:\n%s", m.View())
	}
}
