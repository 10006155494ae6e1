package subsonic

import (
	"maps"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"segue/origin"
)

// TestBookmarks: createBookmark keeps a user's position (and comment) in
// a song, again replaces it keeping when it was created, deleteBookmark
// deletes it, getBookmarks answers the user's own, the last changed
// first, leaving out songs removed from the catalog; refused bookmarks
// change nothing; removing the user removes its bookmarks. All three were unknown methods (code 70). XML answers
// validate against the XSD. On SQLite and on PostgreSQL.
func TestBookmarks(t *testing.T) {
	onEachEngine(t, func(t *testing.T, f *fixture) {
		sun, tide := f.tracks["Sunrise Over Water"].ID, f.tracks["Morning Tide"].ID
		marks := func(when string, q url.Values) []Bookmark {
			t.Helper()
			r := f.jsonCall(t, "getBookmarks", maps.Clone(q)) // not q: it would set f=json in it
			mustOK(t, "getBookmarks "+when, r)
			if r.Bookmarks == nil {
				t.Fatalf("getBookmarks %s: no bookmarks", when)
			}
			_, body := f.xmlCall(t, "getBookmarks", q)
			validateXML(t, "getBookmarks "+when, body)
			return r.Bookmarks.Bookmarks
		}
		if bs := marks("before any", nil); len(bs) != 0 {
			t.Fatalf("before any bookmark: %+v", bs)
		}
		mustOK(t, "createBookmark", f.jsonCall(t, "createBookmark", url.Values{"id": {sun}, "position": {"90500"}, "comment": {"chapter 3"}}))
		time.Sleep(5 * time.Millisecond)
		mustOK(t, "createBookmark", f.jsonCall(t, "createBookmark", url.Values{"id": {tide}, "position": {"1000"}}))
		if _, _, err := AddUser(t.Context(), f.srv.Catalog(), f.data, "bob", "bob-pw", false); err != nil {
			t.Fatal(err)
		}
		bob := url.Values{"u": {"bob"}, "p": {"bob-pw"}}
		mustOK(t, "createBookmark", f.jsonCall(t, "createBookmark", url.Values{"u": {"bob"}, "p": {"bob-pw"}, "id": {sun}, "position": {"7"}}))

		bs := marks("after two", nil)
		if len(bs) != 2 || bs[0].Entry.ID != tide || bs[1].Entry.ID != sun {
			t.Fatalf("alice's bookmarks %+v, want Morning Tide then Sunrise Over Water", bs)
		}
		if b := bs[1]; b.Position != 90500 || b.Comment != "chapter 3" || b.Username != alice || b.Entry.Title != "Sunrise Over Water" || b.Created == "" || b.Created != b.Changed {
			t.Errorf("alice's first bookmark %+v, want 90500 ms, its comment, created when changed", b)
		}
		first := bs[1].Created
		if bs := marks("bob's", bob); len(bs) != 1 || bs[0].Position != 7 || bs[0].Username != "bob" {
			t.Errorf("bob's bookmarks %+v, want his own alone", bs)
		}

		// again: replaced, created kept; now the last changed
		time.Sleep(5 * time.Millisecond)
		mustOK(t, "createBookmark", f.jsonCall(t, "createBookmark", url.Values{"id": {sun}, "position": {"120000"}}))
		bs = marks("after a second of the same song", nil)
		if len(bs) != 2 || bs[0].Entry.ID != sun || bs[0].Position != 120000 || bs[0].Comment != "" || bs[0].Created != first || bs[0].Changed <= first {
			t.Errorf("after bookmarking the song again: %+v, want it first at 120000 ms, no comment, created %s and changed since", bs, first)
		}

		for _, bad := range []struct {
			q    url.Values
			code int
		}{
			{url.Values{"id": {"tnothing"}, "position": {"1"}}, CodeNotFound},
			{url.Values{"id": {tide}}, CodeMissingParam},
			{url.Values{"position": {"1"}}, CodeMissingParam},
			{url.Values{"id": {tide}, "position": {"-1"}}, CodeGeneric},
			{url.Values{"id": {tide}, "position": {"5"}, "comment": {strings.Repeat("x", maxComment+1)}}, CodeGeneric},
		} {
			if r := f.jsonCall(t, "createBookmark", bad.q); r.Error == nil || r.Error.Code != bad.code {
				t.Errorf("createBookmark %.80s: %+v, want error %d", bad.q.Encode(), r.Error, bad.code)
			}
		}
		if bs := marks("after refused ones", nil); len(bs) != 2 || bs[1].Position != 1000 {
			t.Errorf("refused bookmarks changed something: %+v", bs)
		}

		mustOK(t, "deleteBookmark", f.jsonCall(t, "deleteBookmark", url.Values{"id": {tide}}))
		mustOK(t, "deleteBookmark again", f.jsonCall(t, "deleteBookmark", url.Values{"id": {tide}}))
		if bs := marks("after a delete", nil); len(bs) != 1 || bs[0].Entry.ID != sun {
			t.Errorf("after deleting Morning Tide's: %+v, want Sunrise Over Water's alone", bs)
		}

		// a song removed from the catalog is left out
		mustOK(t, "createBookmark", f.jsonCall(t, "createBookmark", url.Values{"id": {f.tracks["Moonlight Highway"].ID}, "position": {"3"}}))
		lib := filepath.Join(filepath.Dir(ingestedTemplate(t)), "lib")
		if _, err := origin.RemoveFolder(t.Context(), filepath.Join(lib, "Beta Band"), origin.IngestOptions{DataDir: f.data, Catalog: f.catalogURL}); err != nil {
			t.Fatal(err)
		}
		if bs := marks("after its song was removed", nil); len(bs) != 1 || bs[0].Entry.ID != sun {
			t.Errorf("after Moonlight Highway was removed: %+v, want Sunrise Over Water's alone", bs)
		}

		if _, err := RemoveUser(t.Context(), f.srv.Catalog(), alice); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := f.srv.Catalog().QueryRow(`SELECT count(*) FROM bookmarks`).Scan(&n); err != nil || n != 1 {
			t.Errorf("after removing alice: %d bookmarks (%v), want bob's 1", n, err)
		}
	})
}
