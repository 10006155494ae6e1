package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"segue/catalog"
	"segue/internal/testkit"
	"segue/net/originclient"
	"segue/net/subsonic"
	"segue/player"
	"segue/ui/notice"
)

// subsonicStore is fakeStore answering an unknown playlist as a Subsonic
// server's client does (error 70: subsonic.ErrNotFound, which is
// originclient.ErrNotFound and subsonic.ErrServer).
type subsonicStore struct{ *fakeStore }

func subsonicMissing(method string, err error) error {
	if errors.Is(err, originclient.ErrNotFound) {
		return fmt.Errorf("subsonic server music.test: %s: %w (Playlist not found)", method, subsonic.ErrNotFound)
	}
	return err
}

func (s subsonicStore) Playlist(ctx context.Context, id string) (catalog.Playlist, error) {
	p, err := s.fakeStore.Playlist(ctx, id)
	return p, subsonicMissing("getPlaylist", err)
}

func (s subsonicStore) AddToPlaylist(ctx context.Context, id string, ids []string, pos int) (catalog.Playlist, error) {
	p, err := s.fakeStore.AddToPlaylist(ctx, id, ids, pos)
	return p, subsonicMissing("updatePlaylist", err)
}

// saysSubsonic fails unless the status line says want and names no
// origin.
func saysSubsonic(t *testing.T, m *Model, what, want string) {
	t.Helper()
	if got := m.line.text; !strings.Contains(got, want) || strings.Contains(got, "origin") {
		t.Fatalf("%s: the line says\n%q\nwant %q, and no origin; the frame:\n%s", what, got, want, m.View())
	}
}

// TestPlaylistGoneNamesTheSubsonicServer: a playlist a Subsonic server no
// longer has is said gone from the Subsonic server, on ctrl+r in it and
// when the picker adds to it; both said "gone from the origin".
func TestPlaylistGoneNamesTheSubsonicServer(t *testing.T) {
	ctx := context.Background()
	t.Run("reload", func(t *testing.T) {
		cat := fixture()
		store := seededStore(cat)
		m := newWith(t, Options{Catalog: cat, Playlists: subsonicStore{store}, SourceName: "the Subsonic server"}, 120, 30)
		send(m, "shift+tab", "enter") // Road Trip
		if err := store.DeletePlaylist(ctx, "pl1"); err != nil {
			t.Fatal(err)
		}
		send(m, "ctrl+r")
		saysSubsonic(t, m, "ctrl+r on a playlist deleted elsewhere", "playlist “Road Trip” is gone from the Subsonic server")
	})
	t.Run("picker", func(t *testing.T) {
		cat := fixture()
		store := seededStore(cat)
		m := newWith(t, Options{Catalog: cat, Playlists: subsonicStore{store}, SourceName: "the Subsonic server"}, 160, 30)
		typeText(m, "/polar")
		send(m, "enter", "s")
		if m.picker == nil {
			t.Fatalf("s on a search row opened no picker:\n%s", m.View())
		}
		if err := store.DeletePlaylist(ctx, "pl1"); err != nil {
			t.Fatal(err)
		}
		send(m, "enter") // Road Trip, the picker's first playlist
		saysSubsonic(t, m, "adding to a playlist deleted elsewhere", "playlist “Road Trip” is gone from the Subsonic server (deleted elsewhere)")
	})
}

// TestRadioNamesTheSubsonicServer: a radio a Subsonic server does not
// answer says that a radio needs the Subsonic server, and so does R with
// no radio at all; both said "the origin".
func TestRadioNamesTheSubsonicServer(t *testing.T) {
	down, err := subsonic.New("subsonic+http://ann@"+testkit.RefusedAddr(t), subsonic.Options{Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	_, refused := down.Radio(context.Background(), "t_2", radioBatch)
	if !notice.Unreachable(refused) {
		t.Fatalf("the Subsonic client's radio on a refused address: %v, want unreachable", refused)
	}
	t.Run("unreachable", func(t *testing.T) {
		m := newDriven(t, fixture(), 120, 30)
		typeText(m, "/polar")
		send(m, "enter")
		m.radio = goneRadio{refused}
		send(m, "R")
		saysSubsonic(t, m, "R with the Subsonic server down", "no radio after “Polar Night”: a radio needs the Subsonic server, which is unreachable")
	})
	t.Run("none", func(t *testing.T) {
		m := newWith(t, Options{Catalog: fixture(), SourceName: "the Subsonic server"}, 120, 30)
		typeText(m, "/polar")
		send(m, "enter", "R")
		saysSubsonic(t, m, "R with no radio", "radio needs the Subsonic server: it is not available here")
	})
}

// TestNoPlaylistsNamesTheSubsonicServer: s with no playlists for a
// Subsonic source says "no Subsonic server", where it said "no origin".
func TestNoPlaylistsNamesTheSubsonicServer(t *testing.T) {
	m := newWith(t, Options{Catalog: fixture(), SourceName: "the Subsonic server"}, 120, 30)
	typeText(m, "/polar")
	send(m, "enter", "s")
	if m.picker != nil {
		t.Fatal("s with no store opened the picker")
	}
	saysSubsonic(t, m, "s with no store", "playlists are not available: no Subsonic server")
}

// TestSubsonicBytesAreTheServers: the bar and the now-playing screen named
// a Subsonic server's segments "origin" ("320k · origin", "from origin",
// "played 0 B cache · 0 B peer · 1000 B origin"); they name the server.
func TestSubsonicBytesAreTheServers(t *testing.T) {
	for _, c := range []struct{ source, want string }{
		{"", "origin"},
		{"the Subsonic server", "Subsonic server"},
	} {
		m := newWith(t, Options{Catalog: fixture(), SourceName: c.source}, 160, 30)
		typeText(m, "/polar")
		send(m, "enter", "enter")
		id := m.status.Track.ID
		_, cmd := m.Update(events{list: []player.Event{
			player.SegmentEvent{TrackID: id, Rendition: "high", From: catalog.SourceOrigin, Bytes: 1000},
			player.RenditionEvent{TrackID: id, Rendition: "high", Kbps: 320},
		}})
		drive(m, cmd)
		v := strings.Split(m.View(), "\n")
		if title := v[len(v)-2]; !strings.Contains(title, "320k · "+c.want+" ·") {
			t.Errorf("source %q: the bar's title line is %q, want the source said %q", c.source, title, c.want)
		}
		m.show(slices.Index(m.screens, Screen(m.now)))
		frame := m.View()
		for _, want := range []string{"from " + c.want, "played 0 B cache · 0 B peer · 1000 B " + c.want} {
			if !strings.Contains(frame, want) {
				t.Errorf("source %q: the now-playing screen lacks %q:\n%s", c.source, want, frame)
			}
		}
		if c.want != "origin" && strings.Contains(frame, "origin") {
			t.Errorf("source %q: the now-playing screen says origin:\n%s", c.source, frame)
		}
	}
}
