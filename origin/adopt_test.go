package origin

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
)

// TestLocalPlaylistsAdopted: a household made a playlist (shared) and
// played a track while its origin ran open, then turned tokens on
// (--require-token): its token saw no playlist at all, since they belong
// to "local", which no token speaks for, and nothing said so. The origin
// now warns at start, naming the command; AdoptLocal hands the playlist
// (share link kept) and the play to a live token, once.
func TestLocalPlaylistsAdopted(t *testing.T) { forEachEngine(t, testLocalPlaylistsAdopted) }

func testLocalPlaylistsAdopted(t *testing.T, e engine) {
	w := newWorldOn(t, e)
	ctx := context.Background()
	open := startServer(t, ServerOptions{DataDir: w.dir, Catalog: w.catalog}, "127.0.0.1:0")
	home := clientFor(t, open.base, "")
	pl, err := home.CreatePlaylist(ctx, "Kitchen", []string{w.formation, w.joga})
	if err != nil {
		t.Fatal(err)
	}
	link, err := home.SharePlaylist(ctx, pl.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := home.PostEvents(ctx, []catalog.PlayEvent{{ID: "e1", TrackID: w.joga, PlayedMS: 1100, Completed: true, At: time.Now(), Session: "s1"}}); err != nil {
		t.Fatal(err)
	}
	open.stop()

	tok, secret, err := CreateToken(ctx, w.db, "household")
	if err != nil {
		t.Fatal(err)
	}
	old, _, _ := CreateToken(ctx, w.db, "old laptop")
	if err := RevokeToken(ctx, w.db, old.ID); err != nil {
		t.Fatal(err)
	}
	var log testkit.Buffer
	secured := startServer(t, ServerOptions{DataDir: w.dir, Catalog: w.catalog, RequireToken: true, Logger: slog.New(slog.NewTextHandler(&log, nil))}, "127.0.0.1:0")
	if s := log.String(); !strings.Contains(s, "segue origin token adopt-local") || !strings.Contains(s, "playlists=1") {
		t.Errorf("the origin requiring tokens logged:\n%s\nwant a warning about 1 playlist of local, naming adopt-local", s)
	}
	household := clientFor(t, secured.base, secret)
	if got, err := household.Playlists(ctx); err != nil || len(got) != 0 {
		t.Fatalf("before adopting, the token lists %+v (%v); want none", got, err)
	}

	if _, err := AdoptLocal(ctx, w.db, "tok-none"); !errors.Is(err, ErrNotFound) {
		t.Errorf("AdoptLocal to an unknown token: %v; want ErrNotFound", err)
	}
	if _, err := AdoptLocal(ctx, w.db, old.ID); !errors.Is(err, ErrRevokedToken) {
		t.Errorf("AdoptLocal to a revoked token: %v; want ErrRevokedToken", err)
	}
	moved, err := AdoptLocal(ctx, w.db, tok.ID)
	if err != nil || moved != (Owned{Playlists: 1, Plays: 1}) {
		t.Fatalf("AdoptLocal = %+v, %v; want 1 playlist and 1 play", moved, err)
	}
	got, err := household.Playlists(ctx)
	if err != nil || len(got) != 1 || got[0].ID != pl.ID || got[0].TrackCount != 2 {
		t.Fatalf("after adopting, the token lists %+v (%v); want Kitchen with 2 tracks", got, err)
	}
	if shared, err := clientFor(t, secured.base, link.Token).SharedPlaylist(ctx, link.Token); err != nil || shared.ID != pl.ID {
		t.Errorf("the share link after adopting: %+v %v", shared, err)
	}
	var plays []catalog.PlayEvent
	if err := NewEvents(w.db).Each(ctx, tok.ID, func(ev catalog.PlayEvent) error { plays = append(plays, ev); return nil }); err != nil || len(plays) != 1 || plays[0].TrackID != w.joga {
		t.Errorf("the token's plays: %+v %v; want the play of local", plays, err)
	}
	if again, err := AdoptLocal(ctx, w.db, tok.ID); err != nil || again != (Owned{}) {
		t.Errorf("AdoptLocal again = %+v, %v; want nothing moved", again, err)
	}
	if left, err := LocalOwned(ctx, w.db); err != nil || left != (Owned{}) {
		t.Errorf("LocalOwned after adopting = %+v, %v; want nothing", left, err)
	}
}
