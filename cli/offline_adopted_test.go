package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"segue/catalog"
)

// TestOfflineAdoptedPlaylist: a playlist pinned while the origin ran open
// (owner "local"), then handed to a token (origin token create
// --adopt-local), was "gone from the origin: offline remove it" with and
// without the token, and playlist share said "not found": an open origin
// ignored the bearer token, and answered 404 for a playlist of another
// owner. Now the token reaches it (the pin follows), and without it the
// state and errors say it belongs to a token and how to send one.
func TestOfflineAdoptedPlaylist(t *testing.T) {
	o := newTestOrigin(t)
	url := "http://" + o.addr
	tracks := tones(t, url)
	_, common := clientDirs(t, url, "")
	var pl catalog.Playlist
	if err := json.Unmarshal([]byte(segueOK(t, append(common, "playlist", "create", "Kitchen", tracks[0].ID, "--json")...)), &pl); err != nil {
		t.Fatal(err)
	}
	segueOK(t, append(common, "offline", "add", pl.ID)...)
	var created struct{ ID, Secret string }
	if err := json.Unmarshal([]byte(segueOK(t, "origin", "token", "create", "household", "--adopt-local", "--data", o.data, "--json")), &created); err != nil {
		t.Fatal(err)
	}
	withToken := append(append([]string{}, common...), "--token", created.Secret)

	var entries []offlineEntry
	if err := json.Unmarshal([]byte(segueOK(t, append(common, "offline", "list", "--json")...)), &entries); err != nil ||
		len(entries) != 1 || entries[0].State != "token" {
		t.Errorf("offline list --json without the token: %+v (%v); want one pin in state token", entries, err)
	}
	out := segueOK(t, append(common, "offline", "list")...)
	if strings.Contains(out, "gone") || strings.Contains(out, "offline remove") || !strings.Contains(out, "belongs to a token") || !strings.Contains(out, "--token") {
		t.Errorf("offline list without the token:\n%s\nwant it to say the playlist belongs to a token and how to send it, never to remove the pin", out)
	}
	if _, errOut, code := segue(t, append(common, "playlist", "share", pl.ID)...); code == ExitOK ||
		strings.Contains(errOut, "not found") || !strings.Contains(errOut, "belongs to a token") || !strings.Contains(errOut, "SEGUE_TOKEN") {
		t.Errorf("playlist share without the token: exit %d, %q; want a failure saying it belongs to a token and how to send one", code, errOut)
	}

	entries = nil
	if err := json.Unmarshal([]byte(segueOK(t, append(withToken, "offline", "list", "--json")...)), &entries); err != nil ||
		len(entries) != 1 || entries[0].State != "complete" {
		t.Errorf("offline list --json with the token: %+v (%v); want the pin complete", entries, err)
	}
	if out := segueOK(t, append(withToken, "playlist", "share", pl.ID)...); !strings.Contains(out, "/p/") {
		t.Errorf("playlist share with the token: %q; want its link", out)
	}
}
