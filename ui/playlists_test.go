package ui

import (
	"context"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"segue/catalog"
	"segue/ui/action"
	"segue/ui/playlists"
)

func (s *fakeStore) snapshot() []catalog.Playlist {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]catalog.Playlist, len(s.pls))
	for i := range s.pls {
		out[i] = answer(&s.pls[i])
	}
	return out
}

func titles(p catalog.Playlist) []string {
	var out []string
	for _, t := range p.Tracks {
		out = append(out, t.Title)
	}
	return out
}

// TestPlaylistEdits: every edit key of the playlists screen reaches the
// origin and the screen shows what it answered; enter on a track plays the
// playlist from there; D asks first and only y deletes.
func TestPlaylistEdits(t *testing.T) {
	cat := fixture()
	m := newDriven(t, cat, 100, 30)
	store := m.store.(*fakeStore)
	send(m, "tab", "tab", "tab", "tab")

	prompted(m, "r", "Long Road")
	if got := store.snapshot()[0].Name; got != "Long Road" {
		t.Fatalf("rename: name %q", got)
	}
	if v := m.View(); !strings.Contains(v, "renamed to “Long Road”") || !strings.Contains(v, "› Long Road") {
		t.Fatalf("rename not shown:\n%s", v)
	}

	send(m, "enter") // open: Aurora, Continuum I, Polar Night
	send(m, "J")     // Aurora moves down
	if got := titles(store.snapshot()[0]); !slices.Equal(got, []string{"Continuum I", "Aurora", "Polar Night"}) {
		t.Fatalf("after J: %v", got)
	}
	send(m, "K") // and back up
	if got := titles(store.snapshot()[0]); !slices.Equal(got, []string{"Aurora", "Continuum I", "Polar Night"}) {
		t.Fatalf("after K: %v", got)
	}
	send(m, "j", "d") // remove Continuum I
	if got := titles(store.snapshot()[0]); !slices.Equal(got, []string{"Aurora", "Polar Night"}) {
		t.Fatalf("after d: %v", got)
	}
	if v := m.View(); !strings.Contains(v, "2 tracks") || strings.Contains(v, "2. Continuum I") {
		t.Fatalf("the open playlist does not show the removal:\n%s", v)
	}
	send(m, "enter") // plays from the cursor: Polar Night
	if !m.status.HasTrack || m.status.Track.Title != "Polar Night" || len(m.queue.State().Tracks) != 1 {
		t.Fatalf("enter played %q with queue %d", m.status.Track.Title, len(m.queue.State().Tracks))
	}

	send(m, "h", "D")
	if !strings.Contains(m.View(), "Delete playlist “Long Road”?") {
		t.Fatalf("D does not ask:\n%s", m.View())
	}
	send(m, "n") // anything but y cancels
	if len(store.snapshot()) != 2 {
		t.Fatal("D deleted without a yes")
	}
	send(m, "D", "y")
	if pls := store.snapshot(); len(pls) != 1 || pls[0].Name != "Night Drive" {
		t.Fatalf("after D y: %+v", pls)
	}
	if v := m.View(); !strings.Contains(v, "deleted playlist “Long Road”") || !strings.Contains(v, "1 playlist ") {
		t.Fatalf("deletion not shown:\n%s", v)
	}

	// N makes a playlist here; n is next track here as everywhere
	prompted(m, "N", "Fresh")
	if pls := store.snapshot(); len(pls) != 2 || pls[1].Name != "Fresh" {
		t.Fatalf("N: %+v", pls)
	}
	before := len(m.player.(*fakePlayer).kinds())
	send(m, "n")
	if k := m.player.(*fakePlayer).kinds(); len(k) != before+1 || k[before] != action.Next {
		t.Fatalf("n on the playlists screen sent %v to the player, want next", k[before:])
	}
}

// TestAddFromEverywhere: s on a track in the library and the queue opens
// the picker; its first row makes a new playlist holding the track; esc
// cancels; O on an album asks to pin it.
func TestAddFromEverywhere(t *testing.T) {
	cat := fixture()
	m := newDriven(t, cat, 100, 30)
	store := m.store.(*fakeStore)

	send(m, "tab", "enter", "enter", "j", "s") // library: Aurora Lane, Northern Lights, Polar Night
	if !strings.Contains(m.View(), "Add “Polar Night” to playlist") {
		t.Fatalf("s in an album does not open the picker:\n%s", m.View())
	}
	send(m, "k", "enter") // + New playlist…
	typeText(m, "Cold")
	send(m, "enter")
	if pls := store.snapshot(); len(pls) != 3 || pls[2].Name != "Cold" || !slices.Equal(titles(pls[2]), []string{"Polar Night"}) {
		t.Fatalf("new playlist from the picker: %+v", pls)
	}

	send(m, "a", "tab", "s") // queue it, then s on the queue
	if !strings.Contains(m.View(), "Add “Polar Night” to playlist") {
		t.Fatalf("s in the queue does not open the picker:\n%s", m.View())
	}
	send(m, "esc")
	if m.picker != nil || len(store.snapshot()[2].Tracks) != 1 {
		t.Fatal("esc did not cancel the picker")
	}
	if k := m.player.(*fakePlayer).kinds(); !slices.Contains(k, action.Add) {
		t.Fatalf("a did not queue: %v", k)
	}

	send(m, "shift+tab", "O") // library album: pin it
	if _, busy := m.pins.Percent("al1"); !busy && !m.pins.Pinned("al1") {
		t.Fatal("O on an album did not start pinning it")
	}
}

// TestPlaylistsWithoutStore: with no origin for playlists the screen says
// so instead of failing.
func TestPlaylistsWithoutStore(t *testing.T) {
	m := newWith(t, Options{Catalog: fixture()}, 80, 24)
	send(m, "tab", "tab", "tab", "tab", "N", "S", "O")
	if v := m.View(); !strings.Contains(v, "playlists are not available here") {
		t.Fatalf("no notice:\n%s", v)
	}
	typeText(m, "/aur")
	send(m, "enter", "s")
	if m.picker != nil || !strings.Contains(m.View(), "playlists are not available: no origin") {
		t.Fatalf("s without a store:\n%s", m.View())
	}
}

// TestStaleListAfterShare: a list of playlists asked for before a share
// (the screen reloads as it comes into view) and answered after it does
// not take the share URL away: o on that URL names the playlist. Under
// load, TestTUIPlaylists saw "playing 1 track from Pane Songs" for "Mix".
func TestStaleListAfterShare(t *testing.T) {
	cat := fixture()
	m := newDriven(t, cat, 120, 40)
	stale := m.lists.Init()() // asked before the share, answered after it
	store := m.store.(*fakeStore)
	l, err := store.SharePlaylist(context.Background(), "pl2")
	if err != nil {
		t.Fatal(err)
	}
	_, cmd := m.Update(playlists.Shared{ID: "pl2", Name: "Night Drive", URL: l.String()})
	drive(m, cmd)
	_, cmd = m.Update(stale)
	drive(m, cmd)
	if got := m.lists.SharedName(l.Token); got != "Night Drive" {
		t.Errorf("after a list asked for before the share: the share URL names %q, want \"Night Drive\"", got)
	}
}

// TestPlaylistKeysInAnOpenPlaylist: help on an open playlist lists N, r
// and D, and each does there what it does on the list (they did nothing):
// r renames the open playlist, N asks for a new one, D deletes it and goes
// back to the list.
func TestPlaylistKeysInAnOpenPlaylist(t *testing.T) {
	m := newDriven(t, fixture(), 100, 30)
	store := m.store.(*fakeStore)
	send(m, "shift+tab", "enter") // open Road Trip
	if !strings.Contains(m.View(), "3 tracks") {
		t.Fatalf("Road Trip did not open:\n%s", m.View())
	}
	prompted(m, "r", "Long Road")
	if got := store.snapshot()[0].Name; got != "Long Road" {
		t.Fatalf("r in the open playlist: name %q, want Long Road", got)
	}
	if v := m.View(); !strings.Contains(v, "renamed to “Long Road”") || !strings.Contains(v, "1. Aurora") {
		t.Fatalf("r in the open playlist: rename not shown, or the playlist closed:\n%s", v)
	}
	prompted(m, "N", "Fresh")
	if pls := store.snapshot(); len(pls) != 3 || pls[2].Name != "Fresh" {
		t.Fatalf("N in the open playlist: %+v", pls)
	}
	send(m, "D")
	if !strings.Contains(m.View(), "Delete playlist “Long Road”?") {
		t.Fatalf("D in the open playlist does not ask:\n%s", m.View())
	}
	send(m, "y")
	if pls := store.snapshot(); len(pls) != 2 || pls[0].Name == "Long Road" || pls[1].Name == "Long Road" {
		t.Fatalf("after D y in the open playlist: %+v", pls)
	}
	if v := m.View(); !strings.Contains(v, "deleted playlist “Long Road”") || !strings.Contains(v, "2 playlists") {
		t.Fatalf("deletion not shown, or still in the playlist:\n%s", v)
	}
}

// prompted presses key and answers the prompt it opens with text, in place
// of what the prompt held.
func prompted(m *Model, key, text string) {
	send(m, key, "ctrl+u")
	typeText(m, text)
	send(m, "enter")
}

// TestEmptyPlaylistKeysSaySo: with no playlists the keys that act on a row
// (enter, r, D, S, O) say there is none and how to make one, and the help
// line offers N and o instead of them; in an open playlist with no tracks
// enter, a, d, J and K say it is empty and how to fill it, and the help
// line leaves them out. They all did nothing, under a help line that
// offered them.
func TestEmptyPlaylistKeysSaySo(t *testing.T) {
	pl := newFakePlayer()
	pl.ch = nil
	cat := fixture()
	store := newFakeStore(cat)
	m := New(context.Background(), Options{Catalog: cat, Player: pl, Playlists: store, Opener: store})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	drive(m, m.Init())
	send(m, "shift+tab")
	if h := m.shortHelp(); strings.Contains(h, "rename") || !strings.Contains(h, "N new playlist") || !strings.Contains(h, "o open URL") {
		t.Errorf("no playlists: the help line is %q, want N and o and no rename", h)
	}
	eachSays(t, m, "no playlists yet: N makes one, o opens a shared playlist URL", "enter", "r", "D", "S", "O")

	prompted(m, "N", "Mix")
	send(m, "enter")
	if v := m.View(); !strings.Contains(v, "Mix") || !strings.Contains(v, "empty —") {
		t.Fatalf("the new playlist did not open:\n%s", v)
	}
	if h := m.shortHelp(); strings.Contains(h, "enter play") || strings.Contains(h, "remove") || !strings.Contains(h, "back") {
		t.Errorf("an empty playlist: the help line is %q, want back and no play or remove", h)
	}
	eachSays(t, m, "playlist “Mix” is empty: press s on a track", "enter", "a", "d", "J", "K")
}

// eachSays presses each key on its own and checks the status line says want.
func eachSays(t *testing.T, m *Model, want string, keys ...string) {
	t.Helper()
	for _, k := range keys {
		m.line.text = ""
		send(m, k)
		if v := m.View(); !strings.Contains(v, want) {
			t.Fatalf("%s does not say %q:\n%s", k, want, v)
		}
	}
}

// TestDeleteCancelledSaysKept: D then any key but y keeps the playlist and
// says so; the question just went, and a listener who pressed n could not
// tell whether anything happened.
func TestDeleteCancelledSaysKept(t *testing.T) {
	m := newDriven(t, fixture(), 100, 30)
	store := m.store.(*fakeStore)
	send(m, "shift+tab", "D")
	if !strings.Contains(m.View(), "Delete playlist “Road Trip”?") {
		t.Fatalf("D does not ask:\n%s", m.View())
	}
	send(m, "n")
	if v := m.View(); !strings.Contains(v, "kept playlist “Road Trip”") || len(store.snapshot()) != 2 {
		t.Fatalf("n after D: no word that the playlist was kept, or it went (%d left):\n%s", len(store.snapshot()), v)
	}
}

// TestEmptyAnswerSaysNothingDone: enter on a prompt left empty (a new
// playlist's name, a rename) closes it saying nothing was done and makes
// or renames nothing; the question just went, without a word.
func TestEmptyAnswerSaysNothingDone(t *testing.T) {
	m := newDriven(t, fixture(), 100, 30)
	store := m.store.(*fakeStore)
	send(m, "shift+tab")
	prompted(m, "N", "  ")
	if v := m.View(); !strings.Contains(v, "New playlist name: nothing typed, so nothing done") || len(store.snapshot()) != 2 {
		t.Fatalf("an empty name for N: no word, or a playlist made (%d):\n%s", len(store.snapshot()), v)
	}
	prompted(m, "r", "")
	if v := m.View(); !strings.Contains(v, "nothing typed, so nothing done") || store.snapshot()[0].Name != "Road Trip" {
		t.Fatalf("an empty name for r: no word, or renamed to %q:\n%s", store.snapshot()[0].Name, v)
	}
}

// TestDeletePinnedPlaylistUnpinsIt: D on a playlist pinned for offline asks
// to delete it and its offline copy, and y unpins it too. Its copy stayed
// pinned, taking cache room for a playlist that was gone.
func TestDeletePinnedPlaylistUnpinsIt(t *testing.T) {
	m := newDriven(t, fixture(), 100, 30)
	store, pins := m.store.(*fakeStore), m.pinner.(*fakePinner)
	send(m, "shift+tab", "j", "D") // Night Drive, pinned
	if !strings.Contains(m.View(), "Delete playlist “Night Drive” and its offline copy?") {
		t.Fatalf("D on a pinned playlist does not say its offline copy goes too:\n%s", m.View())
	}
	send(m, "y")
	if got, _ := pins.Pinned(); len(store.snapshot()) != 1 || len(got) != 0 || m.pins.Pinned("pl2") {
		t.Fatalf("after D y: %d playlists, pinned %v (state %v), want 1 and none", len(store.snapshot()), got, m.pins.Pinned("pl2"))
	}
	if v := m.View(); !strings.Contains(v, "deleted playlist “Night Drive” is no longer pinned for offline") {
		t.Fatalf("the unpin is not said:\n%s", v)
	}
	send(m, "D") // Road Trip, not pinned: the question as before
	if !strings.Contains(m.View(), "Delete playlist “Road Trip”? y to confirm") {
		t.Fatalf("D on a playlist not pinned:\n%s", m.View())
	}
}

// TestQueuePlaylistFromItsRow: a on a playlist row adds its tracks to the
// queue and A plays them next, as on an album row, saying so; on an empty
// playlist they say there is nothing to queue. They did nothing.
func TestQueuePlaylistFromItsRow(t *testing.T) {
	m := newDriven(t, fixture(), 100, 30)
	send(m, "shift+tab", "a") // Road Trip: Aurora, Continuum I, Polar Night
	if got := queueTitles(m); !slices.Equal(got, []string{"Aurora", "Continuum I", "Polar Night"}) {
		t.Fatalf("a on Road Trip queued %q", got)
	}
	if v := m.View(); !strings.Contains(v, "3 tracks from Road Trip to the queue") {
		t.Fatalf("a on a playlist row does not say what it added:\n%s", v)
	}
	send(m, "j", "A") // Night Drive: Auroral Tide, next
	if got := queueTitles(m); len(got) != 4 || got[1] != "Auroral Tide" {
		t.Fatalf("A on Night Drive: the queue is %q, want Auroral Tide second", got)
	}
	prompted(m, "N", "Blank")
	send(m, "g")
	eachSays(t, m, "playlist “Blank” is empty: nothing to add", "a", "A")
	if len(queueTitles(m)) != 4 {
		t.Fatalf("an empty playlist changed the queue: %q", queueTitles(m))
	}
}
