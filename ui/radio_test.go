package ui

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"segue/catalog"
	"segue/internal/testkit"
	"segue/net/originclient"
	"segue/player"
)

// fakeRadio answers radios with fn and records the seeds. mu guards seeds.
type fakeRadio struct {
	fn    func(seed string) []catalog.Track
	mu    sync.Mutex
	seeds []string
}

func (r *fakeRadio) Radio(_ context.Context, seed string, _ int) ([]catalog.Track, error) {
	r.mu.Lock()
	r.seeds = append(r.seeds, seed)
	r.mu.Unlock()
	return r.fn(seed), nil
}

// TestRadioFromRowAndAutoplay: R on a search row plays its radio, marked
// "~" in the queue; when the queue ends, autoplay continues with a radio
// after the last track; with autoplay off the queue just ends.
func TestRadioFromRowAndAutoplay(t *testing.T) {
	cat, pl := fixture(), newFakePlayer()
	byID := map[string]catalog.Track{}
	for _, al := range cat.albums {
		for _, tr := range al.Tracks {
			byID[tr.ID] = tr
		}
	}
	radio := &fakeRadio{fn: func(seed string) []catalog.Track {
		if seed == "t1" {
			return []catalog.Track{byID["t5"], byID["t6"]}
		}
		return []catalog.Track{byID["t4"]}
	}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tm := teatest.NewTestModel(t, New(ctx, Options{Catalog: cat, Player: pl, Radio: radio, Autoplay: true, NoticeFor: time.Hour}),
		teatest.WithInitialTermSize(80, 24))
	waitFor(t, tm, "type to search")
	tm.Type("/aurora")
	waitFor(t, tm, "Northern Lights")
	tm.Send(keyMsg("enter")) // leave the input, first track (Aurora, t1) selected
	tm.Send(keyMsg("R"))
	waitFor(t, tm, "▶ Continuum I · The Gapless Set")
	tm.Send(keyMsg("tab"))
	tm.Send(keyMsg("tab"))
	waitFor(t, tm, "~ Continuum II")
	pl.ch <- player.EndEvent{} // the queue ran out
	waitFor(t, tm, "▶ Auroral Tide · Aurora Lane")
	tm.Send(keyMsg("q"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	radio.mu.Lock()
	seeds := slices.Clone(radio.seeds)
	radio.mu.Unlock()
	if !slices.Equal(seeds, []string{"t1", "t5"}) {
		t.Fatalf("radio seeds = %v, want [t1 t5]: R on Aurora, then autoplay after Continuum I", seeds)
	}
	golden.RequireEqual(t, []byte(tm.FinalModel(t).View()))
}

// R on the Playlists screen: on a playlist row the radio is seeded by the
// whole playlist (the origin's radio takes playlist IDs), on a track of an
// open playlist by that track.
func TestRadioFromPlaylists(t *testing.T) {
	cat, pl := fixture(), newFakePlayer()
	store := newFakeStore(cat)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := store.CreatePlaylist(ctx, "Trip", []string{"t1", "t2"}); err != nil {
		t.Fatal(err)
	}
	radio := &fakeRadio{fn: func(seed string) []catalog.Track {
		if seed == "t2" {
			return []catalog.Track{store.track("t6")}
		}
		return []catalog.Track{store.track("t5")}
	}}
	pr, pw := io.Pipe()
	defer pw.Close()
	out := &testkit.Buffer{}
	go Run(ctx, Options{Catalog: cat, Player: pl, Playlists: store, Radio: radio, NoticeFor: time.Hour},
		RunOptions{Input: pr, Output: out, Width: 100, Height: 30})
	tm := &pane{t: t, in: pw, out: out}

	tm.wait("type to search")
	tm.press("\t", "\t", "\t", "\t")
	tm.wait("Trip")
	tm.keys("R")
	tm.wait("▶ Continuum I ")
	tm.press("\r") // open Trip
	tm.wait("Polar")
	tm.press("j", "R")
	tm.wait("▶ Continuum II ")

	radio.mu.Lock()
	seeds := slices.Clone(radio.seeds)
	radio.mu.Unlock()
	if !slices.Equal(seeds, []string{"pl1", "t2"}) {
		t.Fatalf("radio seeds = %v, want [pl1 t2]: the playlist, then its second track", seeds)
	}
}

// A queue the listener cleared (c, segue ctl queue clear) ended by choice:
// autoplay starts no radio after it, as it does after a queue that ran out.
func TestAutoplayNotAfterAClear(t *testing.T) {
	cat, pl := fixture(), newFakePlayer()
	radio := &fakeRadio{fn: func(string) []catalog.Track { return nil }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tm := teatest.NewTestModel(t, New(ctx, Options{Catalog: cat, Player: pl, Radio: radio, Autoplay: true, NoticeFor: time.Hour}),
		teatest.WithInitialTermSize(80, 24))
	waitFor(t, tm, "type to search")
	tr := cat.albums[0].Tracks[0]
	pl.ch <- player.TrackEvent{Track: tr, Duration: time.Minute}
	pl.ch <- player.EndEvent{Cleared: true}
	pl.ch <- player.EndEvent{} // events come in order: the radio after this one is the first
	if seeds := seedsAfterAutoplay(t, tm, radio); !slices.Equal(seeds, []string{tr.ID}) {
		t.Errorf("radio seeds = %v, want [%s]: one radio, after the queue ran out, none after the clear", seeds, tr.ID)
	}
}

// TestRadioFromAnArtist: R on an artist row, in search and in the
// Library's artist list, plays the radio seeded by that artist (the
// origin's radio takes artist IDs); it did nothing in both, under a help
// that lists "R radio from here".
func TestRadioFromAnArtist(t *testing.T) {
	cat := fixture()
	radio := &fakeRadio{fn: func(string) []catalog.Track { return cat.albums[2].Tracks }}
	pl := newFakePlayer()
	pl.ch = nil
	m := New(context.Background(), Options{Catalog: cat, Player: pl, Radio: radio})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	drive(m, m.Init())
	typeText(m, "/gapless")
	send(m, "enter", "G", "R") // the last row: the artist The Gapless Set
	send(m, "tab", "j", "R")   // the Library's second artist: The Gapless Set
	radio.mu.Lock()
	seeds := slices.Clone(radio.seeds)
	radio.mu.Unlock()
	if !slices.Equal(seeds, []string{"ar2", "ar2"}) {
		t.Fatalf("radio seeds = %v, want [ar2 ar2]: R on the artist in search, then in the Library", seeds)
	}
	if v := m.View(); !strings.Contains(v, "▶ Continuum I") {
		t.Fatalf("the artist's radio does not play:\n%s", v)
	}
}

// TestNowPlayingKeysActOnTheTrack: on Now Playing, s opens the picker for
// the playing track and R starts a radio from it, and the help line offers
// both; with nothing playing they say so. They did nothing there.
func TestNowPlayingKeysActOnTheTrack(t *testing.T) {
	m := newDriven(t, fixture(), 120, 30)
	send(m, "tab", "tab", "tab") // Now Playing, nothing playing
	eachSays(t, m, "nothing is playing: s and R here act on the playing track", "s", "R")
	send(m, "shift+tab", "shift+tab", "shift+tab")
	typeText(m, "/polar")
	send(m, "enter", "enter", "tab", "tab", "tab")
	if h := m.shortHelp(); !strings.Contains(h, "s add to playlist • R radio from here") {
		t.Errorf("playing, Now Playing's help line is %q, want s and R", h)
	}
	send(m, "s")
	if m.picker == nil || !strings.Contains(m.View(), "Add “Polar Night” to playlist") {
		t.Fatalf("s on Now Playing opened no picker for the playing track:\n%s", m.View())
	}
	send(m, "esc")
	if m.picker != nil || m.active != nowScreen {
		t.Fatalf("esc left the picker open (%v) or Now Playing (%d)", m.picker != nil, m.active)
	}
	radio := &fakeRadio{fn: func(string) []catalog.Track { return []catalog.Track{m.store.(*fakeStore).track("t6")} }}
	m.radio = radio
	send(m, "R")
	if !slices.Equal(radio.seeds, []string{"t2"}) || m.status.Track.ID != "t6" {
		t.Fatalf("R on Now Playing: radio seeds %v and %q playing, want seed t2 (Polar Night) and its radio's t6", radio.seeds, m.status.Track.ID)
	}
}

// goneRadio answers every radio with err.
type goneRadio struct{ err error }

func (r goneRadio) Radio(context.Context, string, int) ([]catalog.Track, error) { return nil, r.err }

// TestRadioUnknownSeedWording: R on a track the origin no longer knows
// says so as segue radio does, "track t2 not found on the origin at HOST";
// the interface said "could not radio after “Polar Night”: it is not on the
// origin", naming neither the track's ID nor where it was looked for.
func TestRadioUnknownSeedWording(t *testing.T) {
	m := newDriven(t, fixture(), 120, 30)
	typeText(m, "/polar")
	send(m, "enter")
	answer := &originclient.StatusError{Code: http.StatusNotFound, Status: "404 Not Found", Message: "seed t2 not found"}
	m.radio = goneRadio{&originclient.NotFoundError{Kind: "track", ID: "t2", Source: "the origin at origin.test", Err: answer}}
	send(m, "R")
	want := "no radio after “Polar Night”: track t2 not found on the origin at origin.test"
	if v := m.View(); !strings.Contains(v, want) {
		t.Fatalf("R on a track the origin does not know; want %q:\n%s", want, v)
	}
}

// TestRemovedTrackSaidAndNoRadioFromIt: a track the player found removed
// from the origin's catalog is said on the status line in the player's
// one sentence (it was "play “X”, skipped it: get manifest of track ...");
// a queue that ends with every track removed says so and starts no radio,
// and no radio is seeded by a removed track: the origin no longer has it.
func TestRemovedTrackSaidAndNoRadioFromIt(t *testing.T) {
	cat, pl := fixture(), newFakePlayer()
	radio := &fakeRadio{fn: func(string) []catalog.Track { return nil }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tm := teatest.NewTestModel(t, New(ctx, Options{Catalog: cat, Player: pl, Radio: radio, Autoplay: true, NoticeFor: time.Hour}),
		teatest.WithInitialTermSize(160, 24))
	waitFor(t, tm, "type to search")
	gone, kept := cat.albums[0].Tracks[0], cat.albums[0].Tracks[1]
	pl.ch <- player.TrackEvent{Track: gone, Duration: time.Minute}
	pl.ch <- player.ErrorEvent{TrackID: gone.ID, Err: &player.GoneError{Track: gone, Segment: 2, Source: player.DefaultSourceName}, Fatal: true}
	waitFor(t, tm, fmt.Sprintf("%q was removed from the origin's catalog while it played", gone.Title))
	pl.ch <- player.EndEvent{Gone: true}
	waitFor(t, tm, "every track of the queue was removed from the origin's catalog")
	pl.ch <- player.TrackEvent{Track: kept, Duration: time.Minute}
	pl.ch <- player.EndEvent{} // ran out after a track still there: the radio goes on from it
	if seeds := seedsAfterAutoplay(t, tm, radio); !slices.Equal(seeds, []string{kept.ID}) {
		t.Errorf("radio seeds = %v, want [%s]: none from the removed track", seeds, kept.ID)
	}
}

// seedsAfterAutoplay waits for the interface to start a radio, quits it
// and returns the seeds the radio was asked for.
func seedsAfterAutoplay(t *testing.T, tm *teatest.TestModel, radio *fakeRadio) []string {
	t.Helper()
	testkit.Wait(t, 10*time.Second, "autoplay after the queue ran out", func() bool {
		radio.mu.Lock()
		defer radio.mu.Unlock()
		return len(radio.seeds) > 0
	})
	tm.Send(keyMsg("q"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	radio.mu.Lock()
	defer radio.mu.Unlock()
	return slices.Clone(radio.seeds)
}
