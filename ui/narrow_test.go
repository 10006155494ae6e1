package ui

import (
	"context"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"segue/catalog"
)

// Names longer than any row, with East Asian wide characters and emoji (two
// cells each), and figures no other row shows.
const (
	longArtist = "Ensemble Intercontemporain 東京事変 🎻 Orchestra of the Night"
	longAlbum  = "Symphonie fantastique 交響曲第九番 🎼 Deluxe Remaster Edition"
	longTrack  = "Variations on a Theme 夜明けの歌 🎸 Extended Twelve Inch Mix"
	longList   = "Songs for the Long Drive Home 長い夜のドライブ 🚗 Volume Two"
)

// longFixture is one artist with one album of three tracks (7:41, 6:52,
// 8:30: 23:03 together, from 1987), every name longer than a row.
func longFixture() *fakeCatalog {
	tr := func(id, title string, no int, sec int64) catalog.Track {
		return catalog.Track{ID: id, Title: title, ArtistID: "ar1", Artist: longArtist, AlbumID: "al1", Album: longAlbum, TrackNo: no, Year: 1987, DurationMS: sec * 1000}
	}
	al := catalog.Album{ID: "al1", Title: longAlbum, ArtistID: "ar1", Artist: longArtist, Year: 1987, HasCover: true, Tracks: []catalog.Track{
		tr("t1", longTrack, 1, 461), tr("t2", longTrack+" II", 2, 412), tr("t3", longTrack+" III", 3, 510),
	}}
	al.TrackCount = len(al.Tracks)
	return &fakeCatalog{albums: []catalog.Album{al}, artists: []catalog.Artist{{ID: "ar1", Name: longArtist, Albums: []catalog.Album{al}}}}
}

// TestNarrowRowsKeepTheirFigures: on every list screen, with names longer
// than the row, the name is cut and the figures beside it (track numbers,
// lengths, counts, years) stay down to 40 columns; at every width from 100
// to 20 each line of the frame is exactly the window's width in cells, wide
// characters and emoji included, and an album's, a playlist's and the
// queue's heading keep their length. At 40 columns a playlist row was all
// name: its track count and length were gone.
func TestNarrowRowsKeepTheirFigures(t *testing.T) {
	toPlaylists := func(m *Model) { send(m, "tab", "tab", "tab", "tab") }
	cases := []struct {
		name    string
		offline bool
		do      func(m *Model)
		figures []string // shown at 40 columns and wider
		at20    []string // the length in the heading, shown down to 20 columns
	}{
		{"search", false, func(m *Model) { typeText(m, "/ens"); send(m, "enter") }, []string{"7:41", "1987"}, nil},
		{"library-artist", false, func(m *Model) { send(m, "tab", "enter") }, []string{"1987", "3 tracks"}, nil},
		{"library-album", false, func(m *Model) { send(m, "tab", "enter", "enter") }, []string{" 1. ", "7:41", " 3. ", "8:30"}, []string{"23:03"}},
		{"queue", false, func(m *Model) { send(m, "tab", "enter", "enter", "enter", "tab") }, []string{"7:41", "8:30", "23:03"}, []string{"23:03"}},
		{"now-playing", false, func(m *Model) { send(m, "tab", "enter", "enter", "enter", "tab", "tab") }, []string{"7:41", "1987"}, nil},
		{"playlists", false, toPlaylists, []string{"3 tracks", "23:03"}, nil},
		{"playlist-open", false, func(m *Model) { toPlaylists(m); send(m, "enter") }, []string{" 1. ", "7:41", " 3. ", "8:30"}, []string{"23:03"}},
		{"picker", false, func(m *Model) { send(m, "tab", "enter", "enter", "s") }, []string{"3 tracks", "23:03"}, nil},
		{"offline-library", true, func(m *Model) { send(m, "tab") }, []string{"3 tracks"}, nil},
		{"offline-artist", true, func(m *Model) { send(m, "tab", "enter") }, []string{"1987", "3 tracks"}, nil},
		{"offline-playlists", true, toPlaylists, []string{"3 tracks", "23:03"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cat := longFixture()
			cat.offline = c.offline
			pl := newFakePlayer()
			pl.ch = nil
			store := newFakeStore(cat)
			store.CreatePlaylist(context.Background(), longList, []string{"t1", "t2", "t3"})
			done := make(chan struct{})
			close(done)
			pins := &fakePinner{pinned: []string{"al1", "pl1"}, release: done}
			m := New(context.Background(), Options{Catalog: cat, Player: pl, Playlists: store, Opener: store, Pinner: pins})
			m.Update(tea.WindowSizeMsg{Width: 100, Height: 24})
			drive(m, m.Init())
			c.do(m)
			for _, w := range []int{100, 60, 40, 30, 20} {
				m.Update(tea.WindowSizeMsg{Width: w, Height: 24})
				v := m.View()
				checkFrame(t, v, w, 24)
				for _, f := range c.at20 {
					if !strings.Contains(v, f) {
						t.Errorf("at %d columns the heading lost %q:\n%s", w, f, v)
					}
				}
				if w < 40 {
					continue
				}
				for _, f := range c.figures {
					if !strings.Contains(v, f) {
						t.Errorf("at %d columns %q is not shown:\n%s", w, f, v)
					}
				}
			}
		})
	}
}

// TestEmptyNotesWhole: the note of an empty queue, of no playlists and of
// an empty playlist says what to do; in a narrow window it wraps into the
// empty list's rows rather than being cut ("…or the qu…" at 60 columns).
func TestEmptyNotesWhole(t *testing.T) {
	flat := func(v string) string { return strings.Join(strings.Fields(v), " ") }
	for _, c := range []struct {
		name, note string
		do         func(m *Model)
	}{
		{"queue", "empty — add tracks with a (add) or A (play next) from search or the library", func(m *Model) { send(m, "tab", "tab") }},
		{"no-playlists", "none yet — N makes one, o opens a shared playlist URL", func(m *Model) { send(m, "shift+tab") }},
		{"empty-playlist", "empty — press s on a track in search, the library or the queue to add it here", func(m *Model) {
			send(m, "shift+tab")
			prompted(m, "N", "Mix")
			send(m, "enter")
		}},
	} {
		for _, w := range []int{100, 60, 40, 30} {
			pl := newFakePlayer()
			pl.ch = nil
			cat := fixture()
			store := newFakeStore(cat)
			m := New(context.Background(), Options{Catalog: cat, Player: pl, Playlists: store, Opener: store})
			m.Update(tea.WindowSizeMsg{Width: w, Height: 20})
			drive(m, m.Init())
			c.do(m)
			m.line.text = ""
			v := m.View()
			checkFrame(t, v, w, 20)
			if !strings.Contains(flat(v), c.note) {
				t.Errorf("%s at %d columns: the note %q is not whole:\n%s", c.name, w, c.note, v)
			}
		}
	}
}

// TestOfflineNotesWhole: offline with nothing pinned, the Library's note
// (what to pin and when) and search's (that it needs the origin) wrap into
// the empty rows at 40 columns; they were cut there.
func TestOfflineNotesWhole(t *testing.T) {
	flat := func(v string) string { return strings.Join(strings.Fields(v), " ") }
	m := offlineLibrary(40, 20)
	m.line.text = ""
	if v := m.View(); !strings.Contains(flat(v), "offline: nothing pinned here (O pins an album while online)") {
		t.Errorf("the offline Library's note is not whole:\n%s", v)
	}
	typeText(m, "/aur")
	m.line.text = ""
	if v := m.View(); !strings.Contains(flat(v), "offline: search needs the origin; the Library shows what is pinned") {
		t.Errorf("offline search's note is not whole:\n%s", v)
	}
}

// offlineLibrary is a model of w x h with the origin down and nothing
// pinned, on the Library.
func offlineLibrary(w, h int) *Model {
	cat := fixture()
	cat.offline = true
	pl := newFakePlayer()
	pl.ch = nil
	done := make(chan struct{})
	close(done)
	m := New(context.Background(), Options{Catalog: cat, Player: pl, Pinner: &fakePinner{release: done}})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	drive(m, m.Init())
	send(m, "tab")
	return m
}
