package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"segue/player"
	"segue/ui/action"
)

// TestQualityKeyAndSwitches: b asks the player to cycle the quality; the
// bar shows the rendition playing with the setting, marks a switch with
// its direction, and a stall is told when it starts and when it ends.
func TestQualityKeyAndSwitches(t *testing.T) {
	cat, pl := fixture(), newFakePlayer()
	pl.ch = nil
	m := New(context.Background(), Options{Catalog: cat, Player: pl})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 24})
	drive(m, m.Init())
	m.active = queueScreen
	send(m, "b")
	if got := pl.kinds(); len(got) == 0 || got[len(got)-1] != action.CycleQuality {
		t.Fatalf("b sent %v, want CycleQuality last", got)
	}
	tr := cat.albums[0].Tracks[0]
	m.status.Preference = string(player.QualityAuto)
	drive(m, m.apply([]player.Event{
		player.TrackEvent{Track: tr, Duration: time.Minute},
		player.RenditionEvent{TrackID: tr.ID, Rendition: "low", Kbps: 96},
		player.RenditionEvent{TrackID: tr.ID, Index: 4, Rendition: "high", Kbps: 320, Switch: true},
	}))
	if v := m.View(); !strings.Contains(v, "auto 320k↑") {
		t.Errorf("after a switch up to high at auto the bar lacks %q:\n%s", "auto 320k↑", v)
	}
	drive(m, m.apply([]player.Event{player.RenditionEvent{TrackID: tr.ID, Index: 9, Rendition: "normal", Kbps: 160, Switch: true}}))
	if v := m.View(); !strings.Contains(v, "auto 160k↓") {
		t.Errorf("after a switch down the bar lacks %q:\n%s", "auto 160k↓", v)
	}
	drive(m, m.apply([]player.Event{player.StallEvent{TrackID: tr.ID}}))
	if v := m.View(); !strings.Contains(v, "waiting for the network") {
		t.Errorf("a stall began and the screen does not say so:\n%s", v)
	}
	drive(m, m.apply([]player.Event{player.StallEvent{TrackID: tr.ID, Duration: 31 * time.Second, Ended: true}}))
	if v := m.View(); !strings.Contains(v, "playing again after 31 s") {
		t.Errorf("a stall ended and the screen does not say so:\n%s", v)
	}
}

// TestStallNoteStaysWhileWaiting: the note that playback waits for the
// network stays on the status line for as long as it waits (it faded
// after 6 s, leaving a bare "…" on the bar through a minute-long outage),
// and goes as other notices do once the wait ends or the listener pauses.
func TestStallNoteStaysWhileWaiting(t *testing.T) {
	cat := fixture()
	m := newDriven(t, cat, 100, 24)
	tr := cat.albums[0].Tracks[0]
	drive(m, m.apply([]player.Event{player.TrackEvent{Track: tr, Duration: time.Minute}, player.StateEvent{State: player.Playing}}))
	fadeOut := func() { // what the notice's two timers deliver
		for step := 1; step <= 2; step++ {
			m.Update(fade{id: m.line.id, step: step})
		}
	}
	const waiting = "waiting for the network"
	drive(m, m.apply([]player.Event{player.StateEvent{State: player.Buffering}, player.StallEvent{TrackID: tr.ID}}))
	fadeOut()
	if v := m.View(); !strings.Contains(v, waiting) {
		t.Errorf("a stall still going on after its notice's time: the screen does not say so:\n%s", v)
	}
	m.apply([]player.Event{player.StateEvent{State: player.Paused}}) // paused while it waited
	fadeOut()
	if v := m.View(); strings.Contains(v, waiting) {
		t.Errorf("paused during a stall, the note stays:\n%s", v)
	}
	// The origin not answering at all: the track is skipped unless it is
	// back soon, which the note says instead of promising the track goes
	// on (it said so, then the track was skipped not available offline).
	drive(m, m.apply([]player.Event{player.StateEvent{State: player.Buffering}, player.StallEvent{TrackID: tr.ID, Unreachable: true}}))
	if v := m.View(); !strings.Contains(v, "waiting for the origin, which does not answer: unless it is back") || strings.Contains(v, "goes on by itself") {
		t.Errorf("a stall with the origin unreachable: the screen does not say the track is skipped unless it is back:\n%s", v)
	}
	drive(m, m.apply([]player.Event{player.StateEvent{State: player.Buffering}, player.StallEvent{TrackID: tr.ID}}))
	drive(m, m.apply([]player.Event{player.StateEvent{State: player.Playing}, player.StallEvent{TrackID: tr.ID, Duration: 40 * time.Second, Ended: true}}))
	if v := m.View(); !strings.Contains(v, "playing again after 40 s") {
		t.Errorf("a stall ended and the screen does not say so:\n%s", v)
	}
	fadeOut()
	if v := m.View(); strings.Contains(v, "playing again") || strings.Contains(v, waiting) {
		t.Errorf("the stall's notes stay after it ended:\n%s", v)
	}
}
