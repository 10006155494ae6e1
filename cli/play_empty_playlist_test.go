package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"segue/catalog"
)

// TestPlayOfAnEmptyPlaylistByIDNamesIt: segue play PLAYLIST_ID of a
// playlist with no tracks (made with playlist create NAME alone) said only
// "play: the targets hold no tracks", with nothing of which one or what to
// do, while the same playlist's share link was named. Now it is named, with
// how to add tracks, exit 3 with and without --json.
func TestPlayOfAnEmptyPlaylistByIDNamesIt(t *testing.T) {
	url, _ := playOrigin(t)
	env := clientEnv(t, url)
	var pl catalog.Playlist
	if err := json.Unmarshal([]byte(segueOK(t, append(env, "playlist", "create", "Nothing yet", "--json")...)), &pl); err != nil {
		t.Fatal(err)
	}
	want := `play: the targets hold no tracks: the playlist "Nothing yet" (` + pl.ID + `) has none; add some (segue playlist add ` + pl.ID + ` TRACK_ID...), then play it again`
	for _, run := range [][]string{
		append(env, "play", pl.ID, "--output", "null"),
		append(env, "play", pl.ID, "--output", "null", "--json"),
	} {
		_, errOut, code := segue(t, run...)
		if code != ExitNotFound || !strings.Contains(errOut, want) {
			t.Errorf("segue %q: exit %d, %q; want %d and %q", run[2:], code, errOut, ExitNotFound, want)
		}
	}
}
