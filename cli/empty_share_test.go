package cli

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
)

// emptySharedPlaylist makes a playlist with no tracks on the origin at url,
// named name, shares it and returns its link.
func emptySharedPlaylist(t *testing.T, url, name string) string {
	t.Helper()
	env := clientEnv(t, url)
	var pl catalog.Playlist
	if err := json.Unmarshal([]byte(segueOK(t, append(env, "playlist", "create", name, "--json")...)), &pl); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(segueOK(t, append(env, "playlist", "share", pl.ID)...))
}

// segue ctl open and queue add of the share link of a playlist with no
// tracks name the playlist and say what to do, as segue play does (exit
// 3); the running segue said only "the targets hold no tracks".
func TestCtlOfAnEmptySharedPlaylistNamesIt(t *testing.T) {
	url, tracks := ctlOrigin(t)
	link := emptySharedPlaylist(t, url, "Nothing yet")
	h := newCtlHost(t)
	h.start("--origin", url, "play", "--output", "null", tracks[0].ID)
	testkit.Wait(t, time.Minute, "play to answer", func() bool { _, _, code := h.ctl("status"); return code == 0 })
	for _, args := range [][]string{{"open", link}, {"queue", "add", link}} {
		want := "segue: ctl " + strings.Join(args[:len(args)-1], " ") + `: the targets hold no tracks: the shared playlist "Nothing yet" (` +
			link + ") has none; ask its owner to add some, then try the link again\n"
		if _, errOut, code := h.ctl(args...); code != ExitNotFound || errOut != want {
			t.Errorf("ctl %s: exit %d, %q; want %d and %q", strings.Join(args, " "), code, errOut, ExitNotFound, want)
		}
	}
	if st := h.status(); st.QueueLength != 1 || st.Track == nil || st.Track.ID != tracks[0].ID {
		t.Errorf("the queue after the empty link: %+v, want track 1 alone", st)
	}
}

// o with the share link of a playlist with no tracks names the playlist
// and says to ask its owner; it said only "nothing to play: what o opened
// holds no tracks". A name too long for the line's short form is said too.
func TestTUIOpenOfAnEmptySharedPlaylistNamesIt(t *testing.T) {
	url := tuiOrigin(t)
	long := "Songs for the long drive north, once the owner finds them all"
	links := map[string]string{"Nothing yet": emptySharedPlaylist(t, url, "Nothing yet"), long: emptySharedPlaylist(t, url, long)}
	_, d := runTUIIn(t, url, 200)
	d.wait("type to search")
	for _, name := range []string{"Nothing yet", long} {
		d.press("o")
		d.wait("Open share URL or ID:")
		d.paste(links[name])
		d.press("\r")
		d.wait(regexp.QuoteMeta(`nothing to play: the shared playlist "` + name + `" holds no tracks; ask its owner to add some`))
	}
}
