package cli

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"segue/catalog"
	"segue/config"
)

// TestOfflineProgressCountsTheDownloadAlone: a pin that follows its
// playlist on the origin reports what it downloads, not the collection.
// After a rename alone offline list printed "offline NAME: 0% ... 100%"
// over segments the cache held, downloading none; now it prints no
// progress, and after a track is added the report's total is that track's
// segments, not the playlist's.
func TestOfflineProgressCountsTheDownloadAlone(t *testing.T) {
	o := newTestOrigin(t)
	url := "http://" + o.addr
	env := clientEnv(t, url)
	tracks := tones(t, url)
	var pl catalog.Playlist
	if err := json.Unmarshal([]byte(segueOK(t, append(env, "playlist", "create", "Commute", tracks[0].ID, "--json")...)), &pl); err != nil {
		t.Fatal(err)
	}
	segueOK(t, append(env, "offline", "add", pl.ID, "--quality", "low")...)

	segueOK(t, append(env, "playlist", "rename", pl.ID, "Evening Commute")...)
	out, errOut, code := segue(t, append(env, "offline", "list")...)
	if code != 0 || !strings.Contains(out, "renamed from") {
		t.Fatalf("offline list after a rename: exit %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(errOut, "%") {
		t.Errorf("offline list after a rename alone (nothing to download) reported progress:\n%s", errOut)
	}

	segueOK(t, append(env, "playlist", "rename", pl.ID, "Late Commute")...)
	segueOK(t, append(env, "playlist", "add", pl.ID, tracks[1].ID)...)
	_, errOut, code = segue(t, append(env, "offline", "list")...)
	if code != 0 {
		t.Fatalf("offline list after an added track: exit %d\n%s", code, errOut)
	}
	var m catalog.Manifest
	getJSON(t, url+"/api/v1/tracks/"+tracks[1].ID+"/manifest", &m)
	var added int64
	for _, s := range m.Rendition("low").Segments {
		added += s.Size
	}
	want := fmt.Sprintf("offline Late Commute: 100%% (%s of %s)", config.FormatBytes(added), config.FormatBytes(added))
	if !strings.Contains(errOut, want) {
		t.Errorf("offline list after a track was added printed:\n%s\nwant %q, the added track's bytes alone", errOut, want)
	}
	if n := len(regexp.MustCompile(`: 0% \(`).FindAllString(errOut, -1)); n != 1 {
		t.Errorf("offline list printed %d starts of a download, want 1:\n%s", n, errOut)
	}
}
