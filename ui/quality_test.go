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
