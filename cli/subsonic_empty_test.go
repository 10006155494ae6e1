package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
	"segue/net/subsonic/subsonictest"
)

// TestSubsonicEmptyPlaylist: offline add of a Subsonic playlist with no
// entries failed ("it holds no tracks", exit 3) where the same playlist on
// segue's origin pins empty and is followed until it fills; now it pins the
// same way, said the same way, downloads the track added later, and segue
// play of it (empty again) names it, exit 3.
func TestSubsonicEmptyPlaylist(t *testing.T) {
	s := subsonictest.Gonic(t, subsonictest.Library(t))
	args := subsonicArgs(t, s, s.Password)
	var pl catalog.Playlist
	segueJSON(t, &pl, append(args, "playlist", "create", "Nothing yet", "--json")...)

	out, errOut, code := segue(t, append(args, "offline", "add", pl.ID)...)
	want := `pinned playlist "Nothing yet": empty for now (it holds no tracks); its tracks are downloaded once it has some, ` +
		"when segue offline list (or the interface, at start) follows it\n"
	if code != ExitOK || out != want {
		t.Errorf("offline add of an empty Subsonic playlist: exit %d, stdout %q, stderr %q; want 0 and %q", code, out, errOut, want)
	}
	var col struct {
		Tracks []string `json:"tracks"`
	}
	if segueJSON(t, &col, append(args, "offline", "add", pl.ID, "--json")...); col.Tracks == nil || len(col.Tracks) != 0 {
		t.Errorf("offline add --json of an empty Subsonic playlist: tracks %#v; want []", col.Tracks)
	}
	var l []offlineEntry
	segueJSON(t, &l, append(args, "offline", "list", "--json")...)
	if len(l) != 1 || l[0].Name != "Nothing yet" || l[0].Kind != "playlist" || len(l[0].Tracks) != 0 {
		t.Errorf("offline list after pinning the empty playlist: %+v; want it, a playlist of no tracks", l)
	}

	var res catalog.SearchResult
	segueJSON(t, &res, append(args, "search", "tone", "--json")...)
	segueOK(t, append(args, "playlist", "add", pl.ID, res.Tracks[0].ID)...)
	segueJSON(t, &l, append(args, "offline", "list", "--json")...)
	if len(l) != 1 || l[0].State != "complete" || len(l[0].Tracks) != 1 || l[0].Bytes == 0 {
		t.Errorf("offline list after the playlist got a track: %+v; want its pin complete with 1 track", l)
	}
	segueOK(t, append(args, "playlist", "remove", pl.ID, "1")...)

	_, errOut, code = segue(t, append(args, "play", pl.ID, "--output", "null")...)
	if code != ExitNotFound || !strings.Contains(errOut, `the playlist "Nothing yet" (`+pl.ID+`) has none`) {
		t.Errorf("play of an empty Subsonic playlist: exit %d, %q; want %d naming it", code, errOut, ExitNotFound)
	}
}

// TestOfflineAddOfAnEmptyPlaylistOfSegueOrigin: the same empty pin from
// segue's own origin, by playlist ID through its API and through its
// Subsonic API (/rest/), where the pin went through planSubsonicPin and
// failed as on any Subsonic server.
func TestOfflineAddOfAnEmptyPlaylistOfSegueOrigin(t *testing.T) {
	h := newToneHost(t, "Tone")
	_, _, log := h.start("origin", "serve", "--addr", "127.0.0.1:0", "--data", h.data)
	testkit.Wait(t, time.Minute, "the origin to listen", func() bool { return servingRE.MatchString(log.String()) })
	segueOrigin := []string{"--origin", "http://" + servingRE.FindStringSubmatch(log.String())[1]}
	subsonicServer := []string{"--origin", "subsonic+" + segueOrigin[1], "--password-file", h.keyFile}
	for _, source := range [][]string{segueOrigin, subsonicServer} {
		var pl catalog.Playlist
		if err := json.Unmarshal([]byte(h.run(append(source, "playlist", "create", "Nothing yet", "--json")...)), &pl); err != nil {
			t.Fatal(err)
		}
		want := `pinned playlist "Nothing yet": empty for now (it holds no tracks); its tracks are downloaded once it has some, ` +
			"when segue offline list (or the interface, at start) follows it\n"
		if out := h.run(append(source, "offline", "add", pl.ID)...); out != want {
			t.Errorf("offline add %s of an empty playlist of %s: %q; want %q", pl.ID, source[1], out, want)
		}
	}
}
