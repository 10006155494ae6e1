package subsonic

import (
	"context"
	"net/url"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"segue/origin"
)

// TestPlayQueue: savePlayQueue keeps the user's queue (songs in order,
// the current one and the position in it, the app that saved it) and
// getPlayQueue answers it, so an app resumes where another left off; each
// user has its own, a save replaces it, a save without songs clears it,
// and a song removed from the catalog since is left out. Removing the user
// removes its queue. Both were unknown methods (code 70), and apps that
// sync the queue said so at every song. On SQLite and on PostgreSQL.
func TestPlayQueue(t *testing.T) {
	onEachEngine(t, func(t *testing.T, f *fixture) {
		a, b, c := f.tracks["Sunrise Over Water"].ID, f.tracks["Morning Tide"].ID, f.tracks["Moonlight Highway"].ID
		if r := f.jsonCall(t, "getPlayQueue", nil); r.Status != "ok" || r.PlayQueue != nil {
			t.Fatalf("getPlayQueue before any save: %+v %+v, want ok and no queue", r.Error, r.PlayQueue)
		}
		before := time.Now().Add(-time.Second)
		mustOK(t, "savePlayQueue", f.jsonCall(t, "savePlayQueue", url.Values{"id": {c, a, b}, "current": {a}, "position": {"61500"}, "c": {"Symfonium"}}))
		mustOK(t, "star", f.jsonCall(t, "star", url.Values{"id": {a}}))
		r := f.jsonCall(t, "getPlayQueue", nil)
		mustOK(t, "getPlayQueue", r)
		q := r.PlayQueue
		if q == nil {
			t.Fatal("getPlayQueue after a save: no playQueue")
		}
		if ids := songIDs(q.Entries); !slices.Equal(ids, []string{c, a, b}) {
			t.Errorf("queue %v, want %v", ids, []string{c, a, b})
		}
		if q.Current != a || q.Position != 61500 || q.Username != alice {
			t.Errorf("current %q position %d username %q, want %s 61500 %s", q.Current, q.Position, q.Username, a, alice)
		}
		if at, err := time.Parse(time.RFC3339, q.Changed); err != nil || at.Before(before) || q.ChangedBy == "" {
			t.Errorf("changed %q by %q (%v), want now by the app", q.Changed, q.ChangedBy, err)
		}
		if q.Entries[1].Starred == "" {
			t.Error("the starred song of the queue is not marked starred")
		}
		if x, body := f.xmlCall(t, "getPlayQueue", nil); x.PlayQueue == nil || len(x.PlayQueue.Entries) != 3 || x.PlayQueue.Current != a {
			t.Errorf("getPlayQueue as XML: %s", body)
		}

		// bob's queue is his own
		if _, _, err := AddUser(t.Context(), f.srv.Catalog(), f.data, "bob", "bob-pw", false); err != nil {
			t.Fatal(err)
		}
		bob := url.Values{"u": {"bob"}, "p": {"bob-pw"}}
		if r := f.jsonCall(t, "getPlayQueue", bob); r.PlayQueue != nil {
			t.Errorf("bob sees a queue: %+v", r.PlayQueue)
		}

		// a save replaces the queue; refused ones change nothing
		mustOK(t, "savePlayQueue", f.jsonCall(t, "savePlayQueue", url.Values{"id": {b, a}}))
		for _, bad := range []url.Values{
			{"id": {a}, "position": {"-5"}},
			{"id": {"no such id!"}},
			{"id": {a}, "current": {"x y"}},
		} {
			if r := f.jsonCall(t, "savePlayQueue", bad); r.Error == nil {
				t.Errorf("savePlayQueue %s: ok, want it refused", bad.Encode())
			}
		}
		q = f.jsonCall(t, "getPlayQueue", nil).PlayQueue
		if q == nil || !slices.Equal(songIDs(q.Entries), []string{b, a}) || q.Current != "" || q.Position != 0 {
			t.Errorf("after the second save: %+v, want [%s %s] and no current", q, b, a)
		}

		// a removed song is left out
		mustOK(t, "savePlayQueue", f.jsonCall(t, "savePlayQueue", url.Values{"id": {c, a}, "current": {a}}))
		lib := filepath.Join(filepath.Dir(ingestedTemplate(t)), "lib")
		if _, err := origin.RemoveFolder(context.Background(), filepath.Join(lib, "Beta Band"), origin.IngestOptions{DataDir: f.data, Catalog: f.catalogURL}); err != nil {
			t.Fatal(err)
		}
		if q := f.jsonCall(t, "getPlayQueue", nil).PlayQueue; q == nil || !slices.Equal(songIDs(q.Entries), []string{a}) || q.Current != a {
			t.Errorf("after its first song was removed: %+v, want [%s]", q, a)
		}

		// no songs: cleared
		mustOK(t, "savePlayQueue", f.jsonCall(t, "savePlayQueue", nil))
		if r := f.jsonCall(t, "getPlayQueue", nil); r.PlayQueue != nil {
			t.Errorf("after a save without songs: %+v, want no queue", r.PlayQueue)
		}

		mustOK(t, "savePlayQueue", f.jsonCall(t, "savePlayQueue", url.Values{"id": {a}}))
		if _, err := RemoveUser(t.Context(), f.srv.Catalog(), alice); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := f.srv.Catalog().QueryRow(`SELECT count(*) FROM play_queues`).Scan(&n); err != nil || n != 0 {
			t.Errorf("after removing alice: %d queues (%v), want 0", n, err)
		}
	})
}
