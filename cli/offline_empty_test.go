package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"segue/catalog"
)

// TestOfflineAddOfAnEmptyPlaylist: offline add of a shared playlist with no
// tracks printed "offline NAME: 0% (0 B of 0 B)" and "pinned playlist
// NAME: 0 tracks, 0 B", as if something had been downloaded, while play
// and playlist import of the link say it is empty (exit 3). A pin of a
// playlist follows it (offline list), so pinning one that is still empty
// is kept, exit 0, but said plainly: empty for now, its tracks downloaded
// once it fills. Here it fills, and offline list downloads them.
func TestOfflineAddOfAnEmptyPlaylist(t *testing.T) {
	o := newTestOrigin(t)
	url := "http://" + o.addr
	tracks := tones(t, url)
	owner := clientEnv(t, url)
	var pl catalog.Playlist
	if err := json.Unmarshal([]byte(segueOK(t, append(owner, "playlist", "create", "Nothing yet", "--json")...)), &pl); err != nil {
		t.Fatal(err)
	}
	link := strings.TrimSpace(segueOK(t, append(owner, "playlist", "share", pl.ID)...))
	_, common := clientDirs(t, url, "")

	out, errOut, code := segue(t, append(common, "offline", "add", link)...)
	want := `pinned playlist "Nothing yet": empty for now (it holds no tracks); its tracks are downloaded once it has some, ` +
		"when segue offline list (or the interface, at start) follows it\n"
	if code != ExitOK || out != want || strings.Contains(errOut, "0 B of 0 B") {
		t.Errorf("offline add of an empty shared playlist: exit %d, stdout %q, stderr %q; want 0, %q and no 0%% progress", code, out, errOut, want)
	}
	var col struct {
		Tracks []string `json:"tracks"`
	}
	if out := segueOK(t, append(common, "offline", "add", link, "--json")...); json.Unmarshal([]byte(out), &col) != nil || col.Tracks == nil || len(col.Tracks) != 0 {
		t.Errorf("offline add --json of an empty shared playlist: %s; want its pin with \"tracks\": []", out)
	}

	segueOK(t, append(owner, "playlist", "add", pl.ID, tracks[0].ID)...)
	var entries []offlineEntry
	if err := json.Unmarshal([]byte(segueOK(t, append(common, "offline", "list", "--json")...)), &entries); err != nil ||
		len(entries) != 1 || entries[0].State != "complete" || len(entries[0].Tracks) != 1 || entries[0].Bytes == 0 {
		t.Errorf("offline list after the playlist got a track: %+v (%v); want its pin complete with 1 track", entries, err)
	}
}
