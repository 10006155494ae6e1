package origin

import (
	"context"
	"errors"
	"log/slog"
	"slices"
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

	if _, _, err := AdoptLocal(ctx, w.db, "tok-none"); !errors.Is(err, ErrNotFound) {
		t.Errorf("AdoptLocal to an unknown token: %v; want ErrNotFound", err)
	}
	if _, _, err := AdoptLocal(ctx, w.db, old.ID); !errors.Is(err, ErrRevokedToken) {
		t.Errorf("AdoptLocal to a revoked token: %v; want ErrRevokedToken", err)
	}
	moved, to, err := AdoptLocal(ctx, w.db, tok.ID)
	if err != nil || moved != (Owned{Playlists: 1, Plays: 1}) || to != (Adopter{ID: tok.ID}) {
		t.Fatalf("AdoptLocal = %+v to %+v, %v; want 1 playlist and 1 play to the token", moved, to, err)
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
	if again, _, err := AdoptLocal(ctx, w.db, tok.ID); err != nil || again != (Owned{}) {
		t.Errorf("AdoptLocal again = %+v, %v; want nothing moved", again, err)
	}
	if left, err := LocalOwned(ctx, w.db); err != nil || left != (Owned{}) {
		t.Errorf("LocalOwned after adopting = %+v, %v; want nothing", left, err)
	}

	// A household listening with Subsonic apps: a Subsonic user, by name
	// or by ID, adopts what local made since (AdoptLocal took token IDs
	// only, and the user's name was "not found").
	if _, err := w.db.ExecContext(ctx, `INSERT INTO subsonic_users (name, id, pass_sealed, api_key_sha, created_at) VALUES (?, ?, NULL, ?, ?)`,
		"alice", "su-alice", "sha-of-alices-key", time.Now().UnixMilli()); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"alice", "su-alice"} {
		porch, err := NewPlaylists(w.db).Create(ctx, LocalOwner, "Porch by "+who)
		if err != nil {
			t.Fatal(err)
		}
		moved, to, err := AdoptLocal(ctx, w.db, who)
		if err != nil || moved != (Owned{Playlists: 1}) || to != (Adopter{ID: "su-alice", Name: "alice"}) || to.String() != "Subsonic user alice" {
			t.Fatalf("AdoptLocal(%q) = %+v to %+v, %v; want 1 playlist to Subsonic user alice (su-alice)", who, moved, to, err)
		}
		pls, err := NewPlaylists(w.db).List(ctx, "su-alice")
		if err != nil || !slices.ContainsFunc(pls, func(p catalog.Playlist) bool { return p.ID == porch.ID }) {
			t.Errorf("after AdoptLocal(%q), the Subsonic user's playlists are %+v (%v); want %s among them", who, pls, err, porch.Name)
		}
	}
}

// TestReplaceToken: a token's successor takes its playlists and plays, and
// the old one is revoked, on both engines; revoked first (the host saw the
// leak), its playlists were seen by nobody with no way to hand them over.
// An unknown old ID is ErrNotFound and creates no token.
func TestReplaceToken(t *testing.T) { forEachEngine(t, testReplaceToken) }

func testReplaceToken(t *testing.T, e engine) {
	ctx := context.Background()
	db, err := OpenCatalogAt(ctx, e.catalog(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	old, _, err := CreateToken(ctx, db, "laptop")
	if err != nil {
		t.Fatal(err)
	}
	pl, err := NewPlaylists(db).Create(ctx, old.ID, "Kitchen")
	if err != nil {
		t.Fatal(err)
	}
	if err := RevokeToken(ctx, db, old.ID); err != nil {
		t.Fatal(err)
	}
	if left, err := OwnedBy(ctx, db, old.ID); err != nil || left != (Owned{Playlists: 1}) {
		t.Errorf("OwnedBy the revoked token = %+v, %v; want 1 playlist", left, err)
	}
	if _, _, _, err := ReplaceToken(ctx, db, "tok-none", "phone"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ReplaceToken of an unknown token: %v; want ErrNotFound", err)
	}
	tok, secret, moved, err := ReplaceToken(ctx, db, old.ID, "household")
	if err != nil || moved != (Owned{Playlists: 1}) || tok.Name != "household" {
		t.Fatalf("ReplaceToken = %+v, %+v, %v; want household with 1 playlist", tok, moved, err)
	}
	if got, err := CheckToken(ctx, db, secret); err != nil || got.ID != tok.ID {
		t.Errorf("CheckToken of the new secret = %+v, %v", got, err)
	}
	if pls, err := NewPlaylists(db).List(ctx, tok.ID); err != nil || len(pls) != 1 || pls[0].ID != pl.ID {
		t.Errorf("the new token's playlists: %+v %v; want Kitchen", pls, err)
	}
	if tokens, err := ListTokens(ctx, db); err != nil || len(tokens) != 2 {
		t.Errorf("tokens: %+v %v; want laptop and household, none for phone", tokens, err)
	}
}
