package ui

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// An open playlist whose first track another device removed meanwhile:
// d on the track shown second removed, by position, the track after it
// (the second track now). The interface names the track it shows; the
// store refuses, nothing is removed, the line says what the position holds
// now, and the playlist is shown as it is.
func TestPlaylistEditFromAStaleViewRemovesNothing(t *testing.T) {
	m := newDriven(t, fixture(), 100, 30)
	store := m.store.(*fakeStore)
	send(m, "tab", "tab", "tab", "tab", "enter")                                            // open: Aurora, Continuum I, Polar Night
	if _, err := store.RemoveFromPlaylist(context.Background(), "pl1", 0, ""); err != nil { // another device removes Aurora
		t.Fatal(err)
	}
	send(m, "j", "d") // remove Continuum I, as shown
	if got := titles(store.snapshot()[0]); !slices.Equal(got, []string{"Continuum I", "Polar Night"}) {
		t.Fatalf("after d on a stale view: %v; want Continuum I, Polar Night (Polar Night was removed instead)", got)
	}
	v := m.View()
	if !strings.Contains(v, "position 2 now holds “Polar Night”") || !strings.Contains(v, "reload") {
		t.Fatalf("the line does not say what the position holds now:\n%s", v)
	}
	if !strings.Contains(v, "2 tracks") || strings.Contains(v, ". Aurora ") {
		t.Fatalf("the playlist is not shown as it is now:\n%s", v)
	}
}
