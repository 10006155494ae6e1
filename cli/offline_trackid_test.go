package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"segue/catalog"
)

// A pinned album's or playlist's tracks play with the origin down by their
// own IDs too, as its tracks do when the album's ID is given: only a pin of
// one track stored that track's document, so segue play TRACK_ID (as segue
// library lists it, or a script's) of a pinned album failed "not available
// offline: no copy is stored here", exit 1, while its segments, manifest and
// album were all pinned. offline list with the origin up says nothing
// changed (no "re-encoded on the origin").
func TestPinnedAlbumTracksPlayByID(t *testing.T) {
	o := newTestOrigin(t)
	url := "http://" + o.addr
	env := clientEnv(t, url)
	var res catalog.SearchResult
	getJSON(t, url+"/api/v1/search?q=play&limit=5", &res)
	if len(res.Albums) != 1 || len(res.Tracks) != 2 {
		t.Fatalf("search found %d albums, %d tracks", len(res.Albums), len(res.Tracks))
	}
	album, track := res.Albums[0].ID, res.Tracks[1].ID
	pl := struct{ ID string }{}
	out := segueOK(t, append(env, "playlist", "create", "Pinned", track, "--json")...)
	if err := json.Unmarshal([]byte(out), &pl); err != nil {
		t.Fatal(err)
	}
	segueOK(t, append(env, "offline", "add", album, pl.ID)...)
	out, errOut, code := segue(t, append(env, "offline", "list", "--json")...)
	var list []offlineEntry
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != 0 || len(list) != 2 {
		t.Fatalf("offline list --json: exit %d, %v\n%s", code, err, errOut)
	}
	for _, e := range list {
		if e.State != "complete" || e.Changed != "" {
			t.Errorf("offline list right after offline add: %s %s, changed %q; want complete, nothing changed", e.Kind, e.State, e.Changed)
		}
	}
	o.stop()
	for _, id := range []string{res.Tracks[0].ID, track} {
		wav := filepath.Join(t.TempDir(), "out.wav")
		_, errOut, code := segue(t, append(env, "play", "--output", "wav:"+wav, "--fast", id)...)
		if code != 0 {
			t.Errorf("play %s (a track of a pinned album) with the origin down: exit %d, %s; want it played from the pin",
				id, code, strings.TrimSpace(errOut))
		}
	}
}
