package subsonic

import (
	"slices"
	"strings"
	"testing"
	"time"

	"segue/catalog"
	client "segue/net/subsonic"
)

// TestSegueClient: segue's own Subsonic client (net/subsonic, written
// against gonic and supysonic) reads this origin through its Subsonic API
// as it reads any Subsonic server: search, artists, albums, songs, cover,
// playlists, a radio (getSimilarSongs) and scrobbles, signed in with a
// password and with an API key.
func TestSegueClient(t *testing.T) {
	f := newFixture(t)
	host := strings.TrimPrefix(f.base, "http://")
	for _, c := range []struct{ url, secret string }{
		{"subsonic+http://" + alice + "@" + host, alicePassword},
		{"subsonic+http://" + host, f.apiKey},
	} {
		t.Run(c.url, func(t *testing.T) {
			cl, err := client.New(c.url, client.Options{Password: c.secret})
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			ctx := t.Context()
			found, err := cl.Search(ctx, "morning", 10)
			if err != nil || len(found.Tracks) != 1 || found.Tracks[0].Title != "Morning Tide" || found.Tracks[0].Album != "First Light" {
				t.Fatalf("search: %+v, %v", found, err)
			}
			tr := found.Tracks[0]
			al, err := cl.Album(ctx, tr.AlbumID)
			if err != nil || al.Title != "First Light" || len(al.Tracks) != 2 || al.Tracks[1].Title != "Morning Tide" {
				t.Fatalf("album: %+v, %v", al, err)
			}
			artists, err := cl.Artists(ctx)
			var names []string
			for _, a := range artists {
				names = append(names, a.Name)
			}
			if err != nil || !slices.Equal(names, []string{"Alpha Artist", "Beta Band"}) {
				t.Errorf("artists: %v, %v", names, err)
			}
			img, mime, err := cl.Cover(ctx, tr.AlbumID)
			if err != nil || mime != "image/jpeg" || len(img) == 0 {
				t.Errorf("cover: %d bytes %q, %v", len(img), mime, err)
			}
			pl, err := cl.CreatePlaylist(ctx, "From segue", []string{tr.ID})
			if err != nil || pl.Name != "From segue" || len(pl.Tracks) != 1 || pl.Tracks[0].Title != "Morning Tide" {
				t.Fatalf("create playlist: %+v, %v", pl, err)
			}
			if pls, err := cl.Playlists(ctx); err != nil || len(pls) != 1 {
				t.Errorf("playlists: %+v, %v", pls, err)
			}
			// A radio from a song, and from a playlist (its last song):
			// the recommender's songs (it said the server does not support
			// this, asking nothing).
			for _, seed := range []string{tr.ID, pl.ID} {
				radio, err := cl.Radio(ctx, seed, 5)
				if err != nil || len(radio) == 0 {
					t.Errorf("radio from %s: %+v, %v; want the recommender's songs", seed, radio, err)
				}
				for _, r := range radio {
					if !strings.HasPrefix(r.ID, catalog.PrefixTrack+"_") || r.Title == "" {
						t.Errorf("radio from %s: song %+v", seed, r)
					}
				}
			}
			if err := cl.DeletePlaylist(ctx, pl.ID); err != nil {
				t.Errorf("delete playlist: %v", err)
			}
			at := time.Now().UTC().Truncate(time.Millisecond)
			if err := cl.PostEvents(ctx, []catalog.PlayEvent{{TrackID: tr.ID, Completed: true, At: at, PlayedMS: 4000}}); err != nil {
				t.Fatalf("scrobble: %v", err)
			}
			var heard bool
			f.srv.Events().Each(ctx, f.aliceID, func(ev catalog.PlayEvent) error {
				heard = heard || ev.At.Equal(at) && ev.TrackID == f.tracks["Morning Tide"].ID
				return nil
			})
			if !heard {
				t.Errorf("the scrobble at %v is no play event of alice", at)
			}
		})
	}
}

// TestSegueClientShares: segue's Subsonic client shares a playlist through
// this origin's createShare and gets the link getShares lists, a segue
// share link (segue play takes it); sharing again gives the same. It said
// the server does not support this.
func TestSegueClientShares(t *testing.T) {
	f := newFixture(t)
	cl, err := client.New("subsonic+http://"+alice+"@"+strings.TrimPrefix(f.base, "http://"), client.Options{Password: alicePassword})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx := t.Context()
	found, err := cl.Search(ctx, "morning", 1)
	if err != nil || len(found.Tracks) != 1 {
		t.Fatalf("search: %+v, %v", found, err)
	}
	pl, err := cl.CreatePlaylist(ctx, "For Bob", []string{found.Tracks[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	l, err := cl.SharePlaylist(ctx, pl.ID)
	if err != nil || l.Origin != f.base || l.Page != "" {
		t.Fatalf("SharePlaylist = %+v, %v; want a segue share link of %s", l, err, f.base)
	}
	r := f.jsonCall(t, "getShares", nil)
	mustOK(t, "getShares", r)
	if r.Shares == nil || len(r.Shares.Shares) != 1 || r.Shares.Shares[0].URL != l.String() {
		t.Fatalf("getShares = %+v; want the one share %s", r.Shares, l)
	}
	if again, err := cl.SharePlaylist(ctx, pl.ID); err != nil || again != l {
		t.Errorf("SharePlaylist again = %+v, %v; want the same %s", again, err, l)
	}
}
