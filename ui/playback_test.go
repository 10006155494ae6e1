package ui

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"segue/catalog"
	"segue/player"
	"segue/ui/action"
	"segue/ui/notice"
)

func queueTitles(m *Model) []string {
	var out []string
	for _, t := range m.queue.State().Tracks {
		out = append(out, t.Title)
	}
	return out
}

// TestAlbumRowActions: on an album row a adds the album's tracks, A puts
// them next and s offers them to a playlist, in the library (an artist's
// albums) and in search results; enter still opens the album. The notice
// names the album.
func TestAlbumRowActions(t *testing.T) {
	m := newDriven(t, fixture(), 80, 24)
	send(m, "tab", "enter") // Library: Aurora Lane's albums, Northern Lights selected
	send(m, "a")
	if got := queueTitles(m); !slices.Equal(got, []string{"Aurora", "Polar Night", "Solstice"}) {
		t.Fatalf("a on the album row queued %q, want the album's three tracks", got)
	}
	if v := m.View(); !strings.Contains(v, "added 3 tracks from Northern Lights to the queue: playing now") { // the queue was empty
		t.Fatalf("a on an album row: no notice naming the album:\n%s", v)
	}
	if !strings.Contains(m.View(), "Aurora Lane") || strings.Contains(m.View(), "Northern Lights — Aurora Lane") {
		t.Fatalf("a on an album row opened the album:\n%s", m.View())
	}
	send(m, "j", "A") // Tides next
	if got := queueTitles(m); !slices.Equal(got, []string{"Aurora", "Auroral Tide", "Polar Night", "Solstice"}) {
		t.Fatalf("A on the album row: queue %q, want Auroral Tide after the current track", got)
	}
	if v := m.View(); !strings.Contains(v, "“Auroral Tide” plays next") {
		t.Fatalf("A on an album row: no notice:\n%s", v)
	}
	send(m, "k", "s")
	if m.picker == nil || !strings.Contains(m.View(), "Add 3 tracks from Northern Lights to playlist") {
		t.Fatalf("s on an album row: no picker for the album's tracks:\n%s", m.View())
	}
	send(m, "esc")

	// search: the album row of "cont"
	typeText(m, "/cont")
	send(m, "enter", "j", "j", "j") // leave the input; Continuum I, II, the Albums heading is skipped
	if s := selectedLine(m); !strings.Contains(s, "Continuum · The Gapless Set") {
		t.Fatalf("selected %q, want the album row", s)
	}
	send(m, "a")
	if got := queueTitles(m); len(got) != 6 || got[4] != "Continuum I" || got[5] != "Continuum II" {
		t.Fatalf("a on a search album row: queue %q, want Continuum I and II at the end", got)
	}
	send(m, "enter")
	if m.active != libraryScreen || !strings.Contains(m.View(), "Continuum — The Gapless Set") {
		t.Fatalf("enter on a search album row does not open it:\n%s", m.View())
	}
}

// TestAddAfterEnd: once the queue has played out, adding a track plays
// that track, not the old queue from the top.
func TestAddAfterEnd(t *testing.T) {
	m := newDriven(t, fixture(), 80, 24)
	typeText(m, "/aur")
	send(m, "enter", "enter") // play Aurora
	send(m, "n")              // the queue runs out
	if m.status.HasTrack {
		t.Fatalf("after the last track: still playing %q", m.status.Track.Title)
	}
	typeText(m, "/")
	send(m, "ctrl+u")
	typeText(m, "polar")
	send(m, "enter", "a")
	if !m.status.HasTrack || m.status.Track.Title != "Polar Night" {
		t.Fatalf("a after the end plays %q (has track %v), want Polar Night", m.status.Track.Title, m.status.HasTrack)
	}
	if q := m.queue.State(); q.Index != 1 {
		t.Fatalf("queue index %d, want 1 (the added track)", q.Index)
	}
}

// TestSeek: seeking while paused keeps the track's length on screen; t
// asks for a time and jumps there; 5 jumps to half the track; a bad time
// or one past the end says so and does not seek.
func TestSeek(t *testing.T) {
	m := newDriven(t, fixture(), 80, 24)
	typeText(m, "/polar")
	send(m, "enter", "enter", " ") // play Polar Night (4:02), pause
	send(m, "right")
	bar := func() string { v := strings.Split(m.View(), "\n"); return v[len(v)-1] }
	if b := bar(); !strings.HasPrefix(b, "0:05 ") || !strings.HasSuffix(b, " 4:02") {
		t.Fatalf("after a seek while paused the progress line is %q, want 0:05 … 4:02", b)
	}
	send(m, "t")
	typeText(m, "3:30")
	send(m, "enter")
	if b := bar(); !strings.HasPrefix(b, "3:30 ") || !strings.HasSuffix(b, " 4:02") {
		t.Fatalf("t 3:30: progress line %q", b)
	}
	send(m, "5")
	if b := bar(); !strings.HasPrefix(b, "2:01 ") {
		t.Fatalf("5: progress line %q, want 2:01 (half of 4:02)", b)
	}
	send(m, "0")
	if b := bar(); !strings.HasPrefix(b, "0:00 ") {
		t.Fatalf("0: progress line %q, want the start", b)
	}
	pl := m.player.(*fakePlayer)
	before := len(pl.actions())
	send(m, "t")
	typeText(m, "9:99")
	send(m, "enter")
	if v := m.View(); !strings.Contains(v, "“9:99” is not a time: type MM:SS or H:MM:SS") {
		t.Fatalf("a bad time: no message:\n%s", v)
	}
	send(m, "t")
	typeText(m, "5:00")
	send(m, "enter")
	if v := m.View(); !strings.Contains(v, "5:00 is past the end of the track (4:02 long)") {
		t.Fatalf("a time past the end: no message:\n%s", v)
	}
	if n := len(pl.actions()); n != before {
		t.Fatalf("a refused time reached the player: %v", pl.actions()[before:])
	}
	want := []time.Duration{5 * time.Second, 210 * time.Second, 121 * time.Second, 0}
	var got []time.Duration
	for _, a := range pl.actions() {
		switch a.Kind {
		case action.SeekBy:
			got = append(got, a.By)
		case action.SeekTo:
			got = append(got, a.To)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("seeks sent %v, want %v", got, want)
	}
}

// TestShuffleToggle: z turns shuffle on (the queue screen says so and the
// tracks after the current one change order), z again turns it off and
// puts the queue back in its order; r cycles repeat off, all, one, off.
func TestShuffleToggle(t *testing.T) {
	m := newDriven(t, fixture(), 80, 24)
	send(m, "tab", "enter", "enter", "enter") // play Northern Lights from Aurora
	send(m, "h", "h", "j", "enter")           // The Gapless Set
	send(m, "a")                              // + Continuum I, II
	send(m, "h", "k", "enter", "j", "a")      // + Tides
	order := queueTitles(m)
	if len(order) != 6 {
		t.Fatalf("queue %q, want 6 tracks", order)
	}
	send(m, "tab", "z")
	shuffled := queueTitles(m)
	if !strings.Contains(m.View(), "shuffle on") || slices.Equal(shuffled, order) || shuffled[0] != order[0] {
		t.Fatalf("z: queue %q (was %q), want the tracks after the first in another order; screen:\n%s", shuffled, order, m.View())
	}
	send(m, "z")
	if got := queueTitles(m); !slices.Equal(got, order) || !strings.Contains(m.View(), "shuffle off") {
		t.Fatalf("z again: queue %q, want %q back; screen:\n%s", got, order, m.View())
	}
	for _, want := range []string{"repeat all", "repeat one", "repeat off"} {
		send(m, "r")
		if !strings.Contains(m.View(), want+" · shuffle off") {
			t.Fatalf("r: want %q on the queue screen:\n%s", want, m.View())
		}
	}
}

// TestNothingPlayingForgetsTheTrack: once the queue has run out, or is
// cleared, the bar shows no track's length, rendition, source or buffer
// (it showed "0:00 ──── 4:02" and "auto 320k · origin" under "nothing
// playing").
func TestNothingPlayingForgetsTheTrack(t *testing.T) {
	m := newDriven(t, fixture(), 100, 30)
	bar := func() (string, string) {
		v := strings.Split(m.View(), "\n")
		return v[len(v)-2], v[len(v)-1]
	}
	playing := func() {
		t.Helper()
		send(m, "enter") // play the selected search row
		id := m.status.Track.ID
		_, cmd := m.Update(events{list: []player.Event{
			player.SegmentEvent{TrackID: id, Rendition: "high", From: catalog.SourceOrigin, Bytes: 1000},
			player.RenditionEvent{TrackID: id, Rendition: "high", Kbps: 320},
			player.BufferEvent{TrackID: id, Ahead: 20 * time.Second},
		}})
		drive(m, cmd)
		if title, prog := bar(); !strings.Contains(title, "320k · origin · buf 20s") || !strings.HasSuffix(prog, " 4:02") {
			t.Fatalf("playing Polar Night, the bar is\n%s\n%s", title, prog)
		}
	}
	forgotten := func(after string) {
		t.Helper()
		title, prog := bar()
		if !strings.Contains(title, "nothing playing") || strings.Contains(title, "320k") ||
			strings.Contains(title, "origin") || strings.Contains(title, "buf") || !strings.HasSuffix(prog, " 0:00") {
			t.Fatalf("after %s the bar still shows the track that played:\n%s\n%s", after, title, prog)
		}
	}
	typeText(m, "/polar")
	send(m, "enter")
	playing()
	_, cmd := m.Update(events{list: []player.Event{player.EndEvent{}}})
	drive(m, cmd)
	forgotten("the queue ran out")

	playing()
	send(m, "tab", "tab", "C")
	forgotten("C cleared the queue")
}

// TestEmptyQueueKeysSaySo: C says how many tracks it took out of the queue
// (it emptied the queue without a word); on the empty queue enter, d, J, K
// and C say it is empty and how to fill it, and the help line offers only
// the modes. They did nothing under a help line that offered them.
func TestEmptyQueueKeysSaySo(t *testing.T) {
	m := newDriven(t, fixture(), 100, 30)
	send(m, "tab", "enter", "a", "tab") // Northern Lights: 3 tracks
	if got := queueTitles(m); len(got) != 3 {
		t.Fatalf("the queue holds %q, want Northern Lights' 3 tracks", got)
	}
	send(m, "C")
	if v := m.View(); !strings.Contains(v, "cleared the queue: 3 tracks taken out") || len(queueTitles(m)) != 0 {
		t.Fatalf("C does not say what it did, or left tracks:\n%s", v)
	}
	m.line.text = ""
	if h := m.shortHelp(); strings.Contains(h, "remove") || strings.Contains(h, "play") || !strings.Contains(h, "shuffle") {
		t.Errorf("the empty queue's help line is %q, want the modes and no play or remove", h)
	}
	eachSays(t, m, "the queue is empty: add tracks with a (add) or A (play next)", "enter", "d", "J", "K", "C")
}

// TestKeysOnAnArtistRowSaySo: a, A and s on an artist row (search, the
// Library's artist list) and O there say that they take an album or a
// track and to open the artist; they did nothing. The artist list's help
// line offers no "back": there is nothing above it.
func TestKeysOnAnArtistRowSaySo(t *testing.T) {
	m := newDriven(t, fixture(), 100, 30)
	want := "“Aurora Lane” is an artist: open it with enter"
	typeText(m, "/aurora")
	send(m, "enter", "G") // the artist row
	eachSays(t, m, want, "a", "A", "s")
	send(m, "tab") // the Library's artist list, Aurora Lane selected
	eachSays(t, m, want, "a", "A", "s", "O")
	if h := m.shortHelp(); strings.Contains(h, "back") {
		t.Errorf("the artist list's help line offers back: %q", h)
	}
	if got := queueTitles(m); len(got) != 0 || m.picker != nil {
		t.Fatalf("keys on an artist row queued %q or opened the picker", got)
	}
}

// TestPlaybackKeysWithNothingToPlay: with nothing playing and the queue
// empty, space, n and p say there is nothing to play and how to find some,
// and ←, →, 0-9 and t that nothing is playing, in the normal style, not
// as an error (t's was red); they all did nothing under a help line that
// offers them. With a track playing they reach the player.
func TestPlaybackKeysWithNothingToPlay(t *testing.T) {
	m := newDriven(t, fixture(), 100, 30)
	send(m, "tab", "tab", "tab") // Now Playing
	eachSays(t, m, "nothing to play: the queue is empty (/ searches, tab browses the library)", " ", "n", "p")
	eachSays(t, m, "nothing is playing: start a track, then ← → and 0-9 seek in it", "left", "right", "5")
	eachSays(t, m, "nothing is playing: start a track, then t jumps to a time in it", "t")
	if m.line.err {
		t.Errorf("t with nothing playing says so as an error, unlike ← → and 0-9")
	}
	pl := m.player.(*fakePlayer)
	for _, k := range pl.kinds() {
		if k != action.Refresh {
			t.Fatalf("with nothing to play the player was asked %v", pl.kinds())
		}
	}
	typeText(m, "/aur")
	send(m, "enter", "enter", "right", " ")
	if got := pl.kinds(); !slices.Contains(got, action.SeekBy) || !slices.Contains(got, action.TogglePause) {
		t.Fatalf("with a track playing → and space did not reach the player: %v", got)
	}
}

// TestAddWhenIdleSaysItPlays: a (or A) with nothing playing starts the
// track, and the notice says it plays now; it said "added … to the queue"
// (or "plays next") of the track already playing. With a track playing, a
// says it added.
func TestAddWhenIdleSaysItPlays(t *testing.T) {
	m := newDriven(t, fixture(), 100, 30)
	typeText(m, "/aur")
	send(m, "enter", "a")
	if v := m.View(); !strings.Contains(v, "added “Aurora” to the queue: playing now") || !strings.Contains(v, "▶ Aurora") {
		t.Fatalf("a with nothing playing does not say it plays:\n%s", v)
	}
	send(m, "j", "a")
	if v := m.View(); !strings.Contains(v, "added “Polar Night” to the queue") || strings.Contains(v, "playing now") {
		t.Fatalf("a with a track playing does not say it added:\n%s", v)
	}
	m = newDriven(t, fixture(), 100, 30)
	typeText(m, "/aur")
	send(m, "enter", "A")
	if v := m.View(); !strings.Contains(v, "playing “Aurora” now: nothing was playing") || strings.Contains(v, "plays next") {
		t.Fatalf("A with nothing playing does not say it plays:\n%s", v)
	}
}

// TestMoveAtTheEndsSaysSo: K on the first row and J on the last, of the
// queue and of an open playlist, say the track is already there and which
// key moves it; with one track, that there is nothing to move it past. No
// request goes out. They did nothing, silently, where every other refused
// key says why.
func TestMoveAtTheEndsSaysSo(t *testing.T) {
	m := newDriven(t, fixture(), 100, 30)
	fp := m.player.(*fakePlayer)
	send(m, "tab", "enter", "a", "tab") // Northern Lights: Aurora, Polar Night, Solstice
	if got := queueTitles(m); len(got) != 3 {
		t.Fatalf("the queue holds %q, want Northern Lights' 3 tracks", got)
	}
	send(m, "g") // its first row
	before := len(fp.kinds())
	eachSays(t, m, "“Aurora” is already first in the queue: J moves it down", "K")
	send(m, "G")
	eachSays(t, m, "“Solstice” is already last in the queue: K moves it up", "J")
	if k := fp.kinds(); len(k) != before {
		t.Errorf("K and J at the ends sent %v to the player", k[before:])
	}
	if got := queueTitles(m); got[0] != "Aurora" || got[2] != "Solstice" {
		t.Errorf("the queue moved: %q", got)
	}

	send(m, "tab", "tab", "enter") // playlists: Road Trip (Aurora, Continuum I, Polar Night)
	eachSays(t, m, "“Aurora” is already first in “Road Trip”: J moves it down", "K")
	send(m, "G")
	eachSays(t, m, "“Polar Night” is already last in “Road Trip”: K moves it up", "J")
	send(m, "h", "j", "enter") // Night Drive: Auroral Tide alone
	eachSays(t, m, "“Auroral Tide” is the only track in “Night Drive”: there is nothing to move it past", "J", "K")
	if got := titles(m.store.(*fakeStore).snapshot()[0]); got[0] != "Aurora" || got[2] != "Polar Night" {
		t.Errorf("the playlist moved: %q", got)
	}
}

// TestRestoredPausedSaysNothingBuffered: a queue restored paused at start
// (the player has fetched nothing and reported no buffer) shows "buf none
// yet" on the bar and "nothing buffered until it plays" on Now Playing; both
// said "0s", as if playback had run dry. Once the player reports a
// buffer, even 0 s, the figure shows.
func TestRestoredPausedSaysNothingBuffered(t *testing.T) {
	cat := fixture()
	pl := newFakePlayer()
	pl.ch = nil
	pl.q.Add(cat.albums[0].Tracks...)
	pl.q.Jump(1)
	pl.state, pl.pos = player.Paused, 6*time.Second
	m := New(context.Background(), Options{Catalog: cat, Player: pl})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	drive(m, m.Init())
	send(m, "tab", "tab", "tab") // Now Playing
	v := m.View()
	lines := strings.Split(v, "\n")
	title := lines[len(lines)-2]
	if !strings.Contains(title, "Polar Night") || !strings.Contains(title, "buf none yet") || strings.Contains(v, "0s") {
		t.Fatalf("restored paused, the bar says %q, want Polar Night and buf none yet, and no 0s anywhere:\n%s", title, v)
	}
	if !strings.Contains(v, "nothing buffered until it plays") {
		t.Fatalf("restored paused, Now Playing does not say nothing is buffered yet:\n%s", v)
	}
	m.Update(tea.WindowSizeMsg{Width: 40, Height: 20})
	if v := m.View(); !strings.Contains(v, "nothing buffered until it plays") {
		t.Fatalf("at 40 columns Now Playing cuts the buffer line:\n%s", v)
	}
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	id := m.status.Track.ID
	for _, c := range []struct {
		ahead time.Duration
		bar   string
		now   string
	}{{0, "buf 0s", "buffered 0s ahead"}, {20 * time.Second, "buf 20s", "buffered 20s ahead"}} {
		_, cmd := m.Update(events{list: []player.Event{player.BufferEvent{TrackID: id, Ahead: c.ahead}}})
		drive(m, cmd)
		if v := m.View(); !strings.Contains(v, c.bar) || !strings.Contains(v, c.now) || strings.Contains(v, "none yet") {
			t.Fatalf("after a buffer report of %v the frame does not say %q and %q:\n%s", c.ahead, c.bar, c.now, v)
		}
	}
}

// TestSearchWithoutResultsSaysSo: on the search screen as the interface
// opens, the line under the input says to press / first (it said "type to
// search", and typing did nothing); enter, l, a, A, s and R with no result
// rows say there are none and what brings some. They did nothing.
func TestSearchWithoutResultsSaysSo(t *testing.T) {
	m := newDriven(t, fixture(), 100, 30)
	if v := m.View(); !strings.Contains(v, "press / and type to search") {
		t.Fatalf("the search screen at start does not say to press /:\n%s", v)
	}
	eachSays(t, m, "no results yet: press / and type to search", "enter", "l", "a", "A", "s", "R")
	typeText(m, "/zzz")
	send(m, "esc")
	eachSays(t, m, "no matches for “zzz”: press / to change the search", "enter", "l", "a", "A", "s", "R")
	send(m, "/")
	if v := m.View(); !strings.Contains(v, "/ zzz") || strings.Contains(v, "press / and type") {
		t.Fatalf("/ does not take the query back into the input:\n%s", v)
	}
}

// TestSearchOfPunctuationAloneSaysSo: a query of punctuation alone ("*",
// a quote), which segue's origin does not search, says there is no word
// to search for; it said "no matches", as if the library had no such
// track.
func TestSearchOfPunctuationAloneSaysSo(t *testing.T) {
	m := newDriven(t, fixture(), 100, 30)
	typeText(m, "/*")
	if v := m.View(); !strings.Contains(v, "no word to search for: punctuation is not searched") {
		t.Fatalf("the search screen after typing * does not say there is no word to search for:\n%s", v)
	}
	send(m, "esc")
	eachSays(t, m, "no word to search for in “*”: punctuation is not searched; press / and type letters or digits", "enter", "a")
}

// TestEscGoesBack: esc goes back as h does, from an album to its artist
// and from an open playlist to the list, and the help line says so. It
// did nothing there, silently, where a new user presses it first.
func TestEscGoesBack(t *testing.T) {
	m := newDriven(t, fixture(), 100, 30)
	send(m, "tab", "enter", "enter") // Aurora Lane, Northern Lights
	if !strings.Contains(m.shortHelp(), "h/esc back") {
		t.Errorf("in an album the help line is %q, want h/esc back", m.shortHelp())
	}
	send(m, "esc")
	if v := m.View(); !strings.Contains(v, "2 albums") || strings.Contains(v, "Polar Night") {
		t.Fatalf("esc in an album did not go back to the artist:\n%s", v)
	}
	send(m, "esc")
	if v := m.View(); !strings.Contains(v, "2 artists") {
		t.Fatalf("esc on an artist did not go back to the artists:\n%s", v)
	}
	send(m, "shift+tab", "shift+tab", "enter") // Playlists: Road Trip
	send(m, "esc")
	if v := m.View(); !strings.Contains(v, "2 playlists") {
		t.Fatalf("esc in an open playlist did not go back to the list:\n%s", v)
	}
}

// TestRefusalGoesOnceAnActionSucceeds: the notice of a J or K refused at
// an end of the queue or of an open playlist goes once a later move or
// removal succeeds; it stayed, as if the K that moved the track did
// nothing. An error stays, and so does the refusal when an action asked
// before it is answered after it.
func TestRefusalGoesOnceAnActionSucceeds(t *testing.T) {
	m := newDriven(t, fixture(), 100, 30)
	send(m, "tab", "enter", "a", "tab") // the queue: Aurora, Polar Night, Solstice
	after := func(where, refused string, keys ...string) {
		t.Helper()
		send(m, keys[0])
		if !strings.Contains(m.line.text, refused) {
			t.Fatalf("%s: %s says %q, want %q", where, keys[0], m.line.text, refused)
		}
		send(m, keys[1:]...)
		if strings.Contains(m.line.text, refused) {
			t.Errorf("%s: %q stays after %v succeeded", where, m.line.text, keys[1:])
		}
	}
	ends := func(where, in string) {
		t.Helper()
		send(m, "G")
		after(where, "already last in "+in, "J", "K")
		send(m, "G")
		after(where, "already last in "+in, "J", "d")
		send(m, "g")
		after(where, "already first in "+in, "K", "J")
	}
	ends("queue", "the queue")

	// a move asked before the refusal and answered after it leaves it
	early := m.request(action.Action{Kind: action.Move, Index: 0, Delta: 1})
	send(m, "G", "J")
	drive(m, early)
	if !strings.Contains(m.line.text, "already last in the queue") {
		t.Errorf("a move asked before the refusal took it away: the line says %q", m.line.text)
	}

	m.Update(notice.Msg{Text: "play: the origin is unreachable", Err: true})
	send(m, "K")
	if m.line.text != "play: the origin is unreachable" {
		t.Errorf("an error gave way to a move: the line says %q", m.line.text)
	}

	send(m, "tab", "tab", "enter") // playlists: Road Trip (Aurora, Continuum I, Polar Night)
	ends("playlist", "“Road Trip”")
}
