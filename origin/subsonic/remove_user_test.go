package subsonic

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
	"segue/origin"
	"segue/origin/pgtest"
)

// fixtureOn is newFixture on engine: "sqlite" (a copy of the template's
// data dir) or "postgres" (the template's library ingested into a fresh
// database of the package's PostgreSQL cluster).
func fixtureOn(t *testing.T, engine string) *fixture {
	t.Helper()
	if engine == "sqlite" {
		return newFixture(t)
	}
	o := origin.ServerOptions{DataDir: filepath.Join(t.TempDir(), "data"), Catalog: pgtest.Database(t)}
	lib := filepath.Join(filepath.Dir(ingestedTemplate(t)), "lib")
	if sum, err := origin.Ingest(context.Background(), lib, origin.IngestOptions{DataDir: o.DataDir, Catalog: o.Catalog, Jobs: 2}); err != nil || len(sum.Skipped) > 0 {
		t.Fatalf("ingest into PostgreSQL: %v, skipped %+v", err, sum.Skipped)
	}
	return serve(t, o)
}

// onEachEngine runs test on a fixture on SQLite, then on one on
// PostgreSQL (fixtureOn), each a subtest named after its engine.
func onEachEngine(t *testing.T, test func(t *testing.T, f *fixture)) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) { test(t, fixtureOn(t, engine)) })
	}
}

// TestRemoveUserTakesItsThings: removing a Subsonic user removes its
// playlists (their tracks and share links with them), its plays and its
// stars, says how many went, and leaves another user's alone; a user
// added again under the same name starts with nothing of
// the removed one's. Before, the playlists and plays stayed, and the new
// user got them, share links and all. On SQLite and on PostgreSQL.
func TestRemoveUserTakesItsThings(t *testing.T) {
	onEachEngine(t, func(t *testing.T, f *fixture) {
		db := f.srv.Catalog()
		a, b := f.tracks["Sunrise Over Water"].ID, f.tracks["Moonlight Highway"].ID
		if _, _, err := AddUser(t.Context(), db, f.data, "bob", "bob-pw", false); err != nil {
			t.Fatal(err)
		}
		bob := url.Values{"u": {"bob"}, "p": {"bob-pw"}}
		as := func(who url.Values, more url.Values) url.Values {
			q := url.Values{}
			for k, v := range who {
				q[k] = v
			}
			for k, v := range more {
				q[k] = v
			}
			return q
		}
		for _, who := range []url.Values{nil, bob} {
			mustOK(t, "createPlaylist", f.jsonCall(t, "createPlaylist", as(who, url.Values{"name": {"Mine"}, "songId": {a, b}})))
			mustOK(t, "star", f.jsonCall(t, "star", as(who, url.Values{"id": {a}, "albumId": {f.tracks["Sunrise Over Water"].AlbumID}})))
			mustOK(t, "scrobble", f.jsonCall(t, "scrobble", as(who, url.Values{"id": {a, b}, "time": {"1700000000000", "1700000300000"}})))
		}
		mine := f.jsonCall(t, "getPlaylists", nil).Playlists.Playlists
		if len(mine) != 1 {
			t.Fatalf("alice's playlists: %+v, want one", mine)
		}
		aliceID := f.aliceID
		token, err := f.srv.Playlists().Share(t.Context(), aliceID, mine[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		shared := func() int {
			req, _ := http.NewRequest("GET", f.base+"/p/"+token, nil)
			resp, _ := testkit.Do(t, nil, req)
			return resp.StatusCode
		}
		if got := shared(); got != http.StatusOK {
			t.Fatalf("alice's share link before: HTTP %d, want 200", got)
		}

		gone, err := RemoveUser(t.Context(), db, alice)
		if err != nil {
			t.Fatal(err)
		}
		if want := (Removed{Playlists: 1, Plays: 2, Stars: 2}); gone != want {
			t.Errorf("RemoveUser said %+v went, want %+v", gone, want)
		}
		if got := shared(); got != http.StatusNotFound {
			t.Errorf("alice's share link after she was removed: HTTP %d, want 404", got)
		}
		for _, q := range []string{
			`SELECT count(*) FROM playlists WHERE owner = '` + aliceID + `'`,
			`SELECT count(*) FROM events WHERE listener = '` + aliceID + `'`,
			`SELECT count(*) FROM stars WHERE owner = '` + aliceID + `'`,
			`SELECT count(*) FROM playlist_tracks WHERE playlist_id NOT IN (SELECT id FROM playlists)`,
		} {
			var n int
			if err := db.QueryRowContext(t.Context(), q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("after removing alice, %s: %d rows left, want 0", q, n)
			}
		}
		if _, err := RemoveUser(t.Context(), db, alice); !errors.Is(err, ErrNoUser) {
			t.Errorf("removing alice again: %v, want ErrNoUser", err)
		}

		// a new alice: none of the old one's things
		if _, _, err := AddUser(t.Context(), db, f.data, alice, alicePassword, false); err != nil {
			t.Fatal(err)
		}
		if r := f.jsonCall(t, "getPlaylists", nil); len(r.Playlists.Playlists) != 0 {
			t.Errorf("the new alice's playlists: %+v, want none", r.Playlists.Playlists)
		}
		if r := f.jsonCall(t, "getStarred2", nil); len(r.Starred2.Songs)+len(r.Starred2.Albums) != 0 {
			t.Errorf("the new alice's stars: %+v, want none", r.Starred2)
		}
		if r := f.jsonCall(t, "getAlbumList2", url.Values{"type": {"recent"}}); len(r.AlbumList2.Albums) != 0 {
			t.Errorf("the new alice's recent albums: %+v, want none", r.AlbumList2.Albums)
		}
		// bob keeps his
		if r := f.jsonCall(t, "getPlaylists", bob); len(r.Playlists.Playlists) != 1 || r.Playlists.Playlists[0].SongCount != 2 {
			t.Errorf("bob's playlists: %+v, want his one of 2 songs", r.Playlists.Playlists)
		}
		if r := f.jsonCall(t, "getStarred2", bob); len(r.Starred2.Songs) != 1 || len(r.Starred2.Albums) != 1 {
			t.Errorf("bob's stars: %+v, want a song and an album", r.Starred2)
		}
		if r := f.jsonCall(t, "getAlbumList2", as(bob, url.Values{"type": {"recent"}})); len(r.AlbumList2.Albums) != 2 {
			t.Errorf("bob's recent albums: %+v, want 2", r.AlbumList2.Albums)
		}
	})
}

// TestReaddedUserGetsNoLateWrites: a request that signed in before
// "origin user remove" ran may still write after it, under the removed
// user's ID (a star, a rating, a scrobble, a playlist, a play queue, a
// bookmark). Those in the Subsonic API's own tables (stars, ratings, the
// play queue, bookmarks) are not stored, as the user is gone; and a user
// added again under the same name gets a fresh ID, so it sees none of
// any; before, its ID was derived from its name, the same, and it
// inherited them all. On SQLite and on PostgreSQL.
func TestReaddedUserGetsNoLateWrites(t *testing.T) {
	onEachEngine(t, func(t *testing.T, f *fixture) {
		ctx, db := t.Context(), f.srv.Catalog()
		song := f.tracks["Sunrise Over Water"]
		old := f.aliceID
		if _, err := RemoveUser(ctx, db, alice); err != nil {
			t.Fatal(err)
		}
		// what requests in flight wrote for alice after her removal
		now := time.Now()
		if err := f.api.store.star(ctx, old, []string{song.ID, song.AlbumID}, now); err != nil {
			t.Fatal(err)
		}
		if err := f.api.store.setRating(ctx, old, song.ID, 5, now); err != nil {
			t.Fatal(err)
		}
		if err := f.api.store.savePlayQueue(ctx, old, playQueue{trackIDs: []string{song.ID}, current: song.ID, changed: now, changedBy: "late"}); err != nil {
			t.Fatal(err)
		}
		if err := f.api.store.saveBookmark(ctx, old, bookmark{trackID: song.ID, positionMS: 1000, created: now, changed: now}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.srv.Events().Add(ctx, old, []catalog.PlayEvent{{TrackID: song.ID, PlayedMS: song.DurationMS, Completed: true, At: now, Session: scrobbleSession}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.srv.Playlists().Create(ctx, old, "Late"); err != nil {
			t.Fatal(err)
		}

		// the Subsonic API's own tables keep none of them: a write stores
		// only while its user is there
		for _, table := range []string{"stars", "ratings", "play_queues", "bookmarks"} {
			var n int
			if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE owner = ?`, old).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("%s: %d rows of the removed alice written after her removal, want none", table, n)
			}
		}

		again, _, err := AddUser(ctx, db, f.data, alice, alicePassword, false)
		if err != nil {
			t.Fatal(err)
		}
		if again.ID == old {
			t.Errorf("alice added again has the removed alice's ID %s, want a fresh one", old)
		}
		if r := f.jsonCall(t, "getStarred2", nil); len(r.Starred2.Songs)+len(r.Starred2.Albums) != 0 {
			t.Errorf("the new alice's stars: %+v, want none", r.Starred2)
		}
		if r := f.jsonCall(t, "getSong", url.Values{"id": {song.ID}}); r.Song == nil || r.Song.UserRating != 0 {
			t.Errorf("the new alice's rating of the song: %+v, want none", r.Song)
		}
		if r := f.jsonCall(t, "getPlayQueue", nil); r.PlayQueue != nil && len(r.PlayQueue.Entries) != 0 {
			t.Errorf("the new alice's play queue: %+v, want none", r.PlayQueue)
		}
		if r := f.jsonCall(t, "getBookmarks", nil); len(r.Bookmarks.Bookmarks) != 0 {
			t.Errorf("the new alice's bookmarks: %+v, want none", r.Bookmarks)
		}
		if r := f.jsonCall(t, "getAlbumList2", url.Values{"type": {"recent"}}); len(r.AlbumList2.Albums) != 0 {
			t.Errorf("the new alice's recent albums: %+v, want none", r.AlbumList2.Albums)
		}
		if r := f.jsonCall(t, "getPlaylists", nil); len(r.Playlists.Playlists) != 0 {
			t.Errorf("the new alice's playlists: %+v, want none", r.Playlists.Playlists)
		}
		// she signs in in another case still, and her name in another
		// case is still taken
		if r := f.jsonCall(t, "ping", url.Values{"u": {"ALICE"}, "p": {alicePassword}}); r.Status != "ok" {
			t.Errorf("ping as ALICE: %+v", r.Error)
		}
		if _, _, err := AddUser(ctx, db, f.data, "Alice", "pw", false); !errors.Is(err, ErrUserExists) {
			t.Errorf("adding Alice beside alice: %v, want ErrUserExists", err)
		}
	})
}
