package ui

import (
	"context"
	"strings"
	"testing"
)

// TestOpenedNamesWhatTheLinkIs: what o opened is named by what the ref is,
// never by the album its tracks share: the user's playlist "Road trip",
// whose one track is from Tides, by its name however its link is pasted
// (it said "playing 1 track from Tides" for a link not byte for byte the
// listed one), a link of a playlist not in the list as a shared playlist,
// a track by its title, an album by its title.
func TestOpenedNamesWhatTheLinkIs(t *testing.T) {
	m := newDriven(t, fixture(), 120, 30)
	store := m.store.(*fakeStore)
	ctx := context.Background()
	store.CreatePlaylist(ctx, "Road trip", []string{"t4"}) // pl3
	l, err := store.SharePlaylist(ctx, "pl3")
	if err != nil {
		t.Fatal(err)
	}
	drive(m, m.lists.Init())
	store.CreatePlaylist(ctx, "Their mix", []string{"t6"}) // pl4: someone else's, not listed here
	theirs, err := store.SharePlaylist(ctx, "pl4")
	if err != nil {
		t.Fatal(err)
	}
	url := l.String()
	for _, c := range []struct{ ref, want string }{
		{url, "playing 1 track from Road trip"},
		{url + "/", "playing 1 track from Road trip"},
		{"<" + url + ">", "playing 1 track from Road trip"},
		{url + ".m3u8", "playing 1 track from Road trip"},
		{strings.Replace(url, "music.test", "MUSIC.TEST", 1), "playing 1 track from Road trip"},
		{"pl3", "playing 1 track from Road trip"},
		{theirs.String(), "playing 1 track from the shared playlist"},
		{"t4", "playing “Auroral Tide”"},
		{"al3", "playing 2 tracks from Continuum"},
	} {
		prompted(m, "o", c.ref)
		if m.line.text != c.want {
			t.Errorf("o %s: the status line says %q, want %q", c.ref, m.line.text, c.want)
		}
	}
}
