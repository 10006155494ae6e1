package cli

import (
	"encoding/json"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"segue/cache"
	"segue/catalog"
)

// Issue 11's acceptance 2: a pinned playlist renamed and given a track on
// the origin follows it the next time segue runs with the origin up:
// `offline list` shows the new name, two tracks, complete; the new track's
// segments were downloaded and pinned, and no segment was downloaded twice
// (counted in the origin's access log).
func TestPinFollowsPlaylist(t *testing.T) {
	o := newTestOrigin(t)
	url := "http://" + o.addr
	env := clientEnv(t, url)
	tracks := tones(t, url)
	first, second := tracks[0], tracks[1]
	var pl catalog.Playlist
	if err := json.Unmarshal([]byte(segueOK(t, append(env, "playlist", "create", "Commute", first.ID, "--json")...)), &pl); err != nil {
		t.Fatal(err)
	}
	_, progress, code := segue(t, append(env, "offline", "add", pl.ID, "--quality", "low")...)
	if code != 0 {
		t.Fatalf("offline add: exit %d\n%s", code, progress)
	}
	// Progress from the first second, manifests included (a pipe: lines).
	at := -1
	for _, want := range []string{"reading the track list", "1 manifest read", "0% (", "100% ("} {
		i := strings.Index(progress, want)
		if i <= at {
			t.Fatalf("offline add progress lacks %q after what came before:\n%s", want, progress)
		}
		at = i
	}
	// The test origin's album has no cover: nothing pinned waits for one.
	var st cache.Stats
	if err := json.Unmarshal([]byte(segueOK(t, append(env, "cache", "stats", "--json")...)), &st); err != nil {
		t.Fatal(err)
	}
	if st.PinsWaiting != 0 || st.PinnedBytes == 0 {
		t.Fatalf("cache stats after offline add: %d pins waiting, %d pinned bytes; want 0 waiting", st.PinsWaiting, st.PinnedBytes)
	}
	pinned := o.access.requests("/chunks/", http.StatusOK)
	if len(pinned) == 0 {
		t.Fatal("offline add downloaded no segment")
	}

	segueOK(t, append(env, "playlist", "rename", pl.ID, "Evening Commute")...)
	segueOK(t, append(env, "playlist", "add", pl.ID, second.ID)...)
	var list []offlineEntry
	out, following, code := segue(t, append(env, "offline", "list", "--json")...)
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != 0 {
		t.Fatalf("offline list --json: exit %d, %v\n%s", code, err, following)
	}
	// the download of what the pin now holds shows, as offline add's does
	if !strings.Contains(following, "offline Evening Commute: 100% (") {
		t.Errorf("offline list's stderr while it followed the playlist:\n%s\nwant its download's progress", following)
	}
	if len(list) != 1 || list[0].Name != "Evening Commute" || len(list[0].Tracks) != 2 || list[0].State != "complete" ||
		!strings.Contains(list[0].Changed, `renamed from "Commute"`) {
		t.Fatalf("offline list after rename and add: %+v; want \"Evening Commute\", 2 tracks, complete, renamed", list)
	}
	after := o.access.requests("/chunks/", http.StatusOK)
	for path, n := range after {
		if n > 1 {
			t.Errorf("%s downloaded %d times, want once", path, n)
		}
	}
	var m catalog.Manifest
	getJSON(t, url+"/api/v1/tracks/"+second.ID+"/manifest", &m)
	for _, s := range m.Rendition("low").Segments {
		if after["/chunks/"+s.Hash] != 1 {
			t.Errorf("segment %.12s of the added track was downloaded %d times, want once", s.Hash, after["/chunks/"+s.Hash])
		}
	}

	// Nothing changed since: the next run downloads nothing and says so.
	before := maps.Clone(o.access.requests("/chunks/", 0))
	out = segueOK(t, append(env, "offline", "list")...)
	if !strings.Contains(out, "Evening Commute") || strings.Contains(out, "updated") {
		t.Fatalf("second offline list:\n%s", out)
	}
	if got := o.access.requests("/chunks/", 0); !maps.Equal(got, before) {
		t.Fatalf("an unchanged pin requested segments: %v", slices.Collect(maps.Keys(got)))
	}

	// Its segments are pinned: with the origin down the whole playlist plays.
	o.stop()
	wav := filepath.Join(t.TempDir(), "pl.wav")
	segueOK(t, append(env, "play", pl.ID, "--quality", "low", "--output", "wav:"+wav, "--fast")...)
	if fi, err := os.Stat(wav); err != nil || fi.Size() < 1000 {
		t.Fatalf("offline play of the followed playlist: %v", err)
	}
}
