package ui

import (
	"context"
	"strings"
	"testing"

	"segue/catalog"
)

// TestPlaylistRefresh: playlists made or changed elsewhere (the command
// line) show when the Playlists screen comes back into view; ctrl+r
// reloads the open playlist, the library and the search results.
func TestPlaylistRefresh(t *testing.T) {
	cat := fixture()
	m := newDriven(t, cat, 80, 24)
	store := m.store.(*fakeStore)
	ctx := context.Background()
	send(m, "tab", "tab", "tab", "tab")
	if v := m.View(); !strings.Contains(v, "2 playlists") {
		t.Fatalf("playlists at start:\n%s", v)
	}
	store.CreatePlaylist(ctx, "From The CLI", []string{"t3"})
	send(m, "tab", "shift+tab") // away and back
	if v := m.View(); !strings.Contains(v, "3 playlists") || !strings.Contains(v, "From The CLI") {
		t.Fatalf("coming back does not show the playlist made meanwhile:\n%s", v)
	}

	send(m, "enter") // open Road Trip
	store.RenamePlaylist(ctx, "pl1", "Road Trip II")
	store.AddToPlaylist(ctx, "pl1", []string{"t6"}, -1)
	send(m, "j", "ctrl+r")
	v := m.View()
	if !strings.Contains(v, "Road Trip II") || !strings.Contains(v, "4 tracks") || !strings.Contains(v, "Continuum II") {
		t.Fatalf("ctrl+r does not reload the open playlist:\n%s", v)
	}
	if s := selectedLine(m); !strings.Contains(s, "2. Continuum I") {
		t.Fatalf("ctrl+r moved the cursor: selected %q, want the second track still", s)
	}
	store.DeletePlaylist(ctx, "pl1")
	send(m, "ctrl+r")
	if v := m.View(); !strings.Contains(v, "playlist “Road Trip II” is gone from the origin") || strings.Contains(v, "Continuum II") {
		t.Fatalf("ctrl+r on a playlist deleted elsewhere:\n%s", v)
	}

	send(m, "tab", "tab") // Library: artists
	cat.artists = append(cat.artists, catalog.Artist{ID: "ar3", Name: "Late Arrival"})
	send(m, "ctrl+r")
	if v := m.View(); !strings.Contains(v, "3 artists") || !strings.Contains(v, "Late Arrival") {
		t.Fatalf("ctrl+r does not reload the library:\n%s", v)
	}

	typeText(m, "/late")
	cat.mu.Lock()
	n := len(cat.queries)
	cat.mu.Unlock()
	send(m, "ctrl+r")
	cat.mu.Lock()
	again := len(cat.queries) == n+1 && cat.queries[n] == "late"
	cat.mu.Unlock()
	if !again {
		t.Fatalf("ctrl+r on the search screen did not ask again")
	}
}
