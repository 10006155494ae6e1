package subsonic

import (
	"encoding/json"
	"net/url"
	"testing"
)

// TestEmptyListsAreEmptyArrays: the list of a single item's answer is
// there in JSON when it holds nothing, as an empty array: getPlaylist of
// an empty playlist answers "entry": []. Apps index it without a null
// check: Tempo's playlist page (PlaylistPageFragment: Play and Shuffle
// call songs.subList, Download songs.stream) threw on the missing list,
// where an empty one starts an empty queue. Before, the handler set an
// empty list but the field's omitempty dropped it. Listings leave the
// list out (getPlaylists has no entries), as before.
func TestEmptyListsAreEmptyArrays(t *testing.T) {
	f := newFixture(t)
	created := f.jsonCall(t, "createPlaylist", url.Values{"name": {"Empty"}})
	mustOK(t, "createPlaylist", created)
	for _, c := range []struct {
		method, list string
		q            url.Values
		path         []string // to the object holding the list
	}{
		{"getPlaylist", "entry", url.Values{"id": {created.Playlist.ID}}, []string{"playlist"}},
		{"createPlaylist", "entry", url.Values{"name": {"Another"}}, []string{"playlist"}},
	} {
		q := url.Values{"f": {"json"}}
		for k, v := range c.q {
			q[k] = v
		}
		_, body := f.call(t, c.method, q)
		var doc map[string]map[string]json.RawMessage
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatalf("%s: %v in %s", c.method, err, body)
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(doc["subsonic-response"][c.path[0]], &obj); err != nil {
			t.Fatalf("%s: no %s in %s", c.method, c.path[0], body)
		}
		if got := string(obj[c.list]); got != "[]" {
			t.Errorf("%s %s: %s.%s is %q, want []\n%s", c.method, c.q.Encode(), c.path[0], c.list, got, body)
		}
	}
	_, body := f.call(t, "getPlaylists", url.Values{"f": {"json"}})
	var doc struct {
		R struct {
			Playlists struct {
				Playlist []map[string]json.RawMessage `json:"playlist"`
			} `json:"playlists"`
		} `json:"subsonic-response"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || len(doc.R.Playlists.Playlist) != 2 {
		t.Fatalf("getPlaylists: %v, %s; want 2 playlists", err, body)
	}
	for _, p := range doc.R.Playlists.Playlist {
		if _, ok := p["entry"]; ok {
			t.Errorf("getPlaylists lists entries: %s", body)
		}
	}
}
