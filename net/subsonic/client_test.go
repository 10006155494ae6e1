package subsonic_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"segue/catalog"
	"segue/net/subsonic"
	"segue/net/subsonic/subsonictest"
)

// servers starts both real servers over one library.
func servers(t *testing.T) []subsonictest.Server {
	lib := subsonictest.Library(t)
	return []subsonictest.Server{subsonictest.Supysonic(t, lib), subsonictest.Gonic(t, lib)}
}

func client(t *testing.T, s subsonictest.Server, o subsonic.Options) *subsonic.Client {
	t.Helper()
	if o.Password == "" {
		o.Password = s.Password
	}
	c, err := subsonic.New(s.URL(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestBrowse runs search, library browsing, covers, playlists and the
// scrobble against supysonic (password auth) and gonic (token auth).
func TestBrowse(t *testing.T) {
	ctx := context.Background()
	for _, s := range servers(t) {
		t.Run(s.Name, func(t *testing.T) {
			c := client(t, s, subsonic.Options{})
			res, err := c.Search(ctx, "tone", 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Tracks) != 2 {
				t.Fatalf("search tone: %d tracks, want 2 (Morning Tone, Evening Tone): %+v", len(res.Tracks), res.Tracks)
			}
			artists, err := c.Artists(ctx)
			if err != nil || len(artists) != 3 {
				t.Fatalf("Artists = %+v, %v; want Alpha Band, Beta Duo and Gamma Trio", artists, err)
			}
			var alpha catalog.Artist
			for _, a := range artists {
				if a.Name == "Alpha Band" {
					alpha = a
				}
			}
			ar, err := c.Artist(ctx, alpha.ID)
			if err != nil || len(ar.Albums) != 1 || ar.Albums[0].Title != "First Light" {
				t.Fatalf("Artist(%s) = %+v, %v; want the album First Light", alpha.ID, ar, err)
			}
			al, err := c.Album(ctx, ar.Albums[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(al.Tracks) != 2 || al.Tracks[0].Title != "Morning Tone" || al.Tracks[1].TrackNo != 2 || !al.HasCover || al.Year != 2021 {
				t.Fatalf("Album = %+v; want Morning Tone then Evening Tone (track 2), a cover, 2021", al)
			}
			if al.Tracks[0].DurationMS != 3000 {
				t.Errorf("Morning Tone lasts %d ms, want 3000 (3.3 s in whole seconds)", al.Tracks[0].DurationMS)
			}
			img, mime, err := c.Cover(ctx, al.ID)
			if err != nil || !bytes.HasPrefix(img, []byte{0xFF, 0xD8}) {
				t.Fatalf("Cover = %d bytes %q, %v; want the JPEG", len(img), mime, err)
			}
			tr, err := c.Track(ctx, al.Tracks[1].ID)
			if err != nil || tr.Title != "Evening Tone" || tr.AlbumID != al.ID {
				t.Fatalf("Track = %+v, %v", tr, err)
			}

			pl, err := c.CreatePlaylist(ctx, "Tones", []string{al.Tracks[0].ID, al.Tracks[1].ID})
			if err != nil || len(pl.Tracks) != 2 || pl.Name != "Tones" {
				t.Fatalf("CreatePlaylist = %+v, %v", pl, err)
			}
			breeze, err := c.Search(ctx, "breeze", 5)
			if err != nil || len(breeze.Tracks) != 1 {
				t.Fatalf("search breeze = %+v, %v", breeze, err)
			}
			pl, err = c.AddToPlaylist(ctx, pl.ID, []string{breeze.Tracks[0].ID}, 0)
			if err != nil || titles(pl) != "Breeze,Morning Tone,Evening Tone" {
				t.Fatalf("AddToPlaylist at 1: %s, %v", titles(pl), err)
			}
			pl, err = c.MoveInPlaylist(ctx, pl.ID, 0, 2, breeze.Tracks[0].ID)
			if err != nil || titles(pl) != "Morning Tone,Evening Tone,Breeze" {
				t.Fatalf("MoveInPlaylist 1 to 3: %s, %v", titles(pl), err)
			}
			// a view from before the move, which had Morning Tone at 2:
			// refused, and nothing removed
			if _, err := c.RemoveFromPlaylist(ctx, pl.ID, 1, al.Tracks[0].ID); !errors.Is(err, catalog.ErrPlaylistChanged) || !strings.Contains(err.Error(), "reload") {
				t.Fatalf("RemoveFromPlaylist 2 expecting Morning Tone = %v; want ErrPlaylistChanged saying to reload", err)
			}
			pl, err = c.RemoveFromPlaylist(ctx, pl.ID, 1, al.Tracks[1].ID)
			if err != nil || titles(pl) != "Morning Tone,Breeze" {
				t.Fatalf("RemoveFromPlaylist 2: %s, %v", titles(pl), err)
			}
			pl, err = c.RenamePlaylist(ctx, pl.ID, "Two Tones")
			if err != nil || pl.Name != "Two Tones" {
				t.Fatalf("RenamePlaylist = %+v, %v", pl, err)
			}
			pls, err := c.Playlists(ctx)
			if err != nil || len(pls) != 1 || pls[0].ID != pl.ID {
				t.Fatalf("Playlists = %+v, %v", pls, err)
			}
			if err := c.DeletePlaylist(ctx, pl.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Playlist(ctx, pl.ID); !errors.Is(err, subsonic.ErrNotFound) {
				t.Fatalf("Playlist after delete: %v, want ErrNotFound", err)
			}
			if err := c.NowPlaying(ctx, tr.ID); err != nil {
				t.Fatalf("NowPlaying: %v", err)
			}
			if err := c.PostEvents(ctx, []catalog.PlayEvent{{TrackID: tr.ID, Completed: true, At: time.Now()}}); err != nil {
				t.Fatalf("PostEvents: %v", err)
			}
		})
	}
}

func titles(pl catalog.Playlist) string {
	var b []byte
	for i, t := range pl.Tracks {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, t.Title...)
	}
	return string(b)
}

// TestWrongPassword: a wrong password is ErrUnauthorized, in one sentence
// naming the server, with either auth.
func TestWrongPassword(t *testing.T) {
	for _, s := range servers(t) {
		t.Run(s.Name, func(t *testing.T) {
			c := client(t, s, subsonic.Options{Password: "not it"})
			_, err := c.Artists(context.Background())
			if !errors.Is(err, subsonic.ErrUnauthorized) {
				t.Fatalf("Artists with a wrong password: %v, want ErrUnauthorized", err)
			}
			t.Log(err)
		})
	}
}
