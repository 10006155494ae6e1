package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"segue/catalog"
)

// TestNotFoundWordingOfEditsAndRadio: README promises an unknown ID is
// said the same for every source, "<kind> <ID> not found on <source>",
// exit 3. segue show, library and play said so (TestNotFoundWording), but
// a playlist's edits (rename, delete, add, remove, move, share, unshare),
// an unknown track given to playlist add or create, and a radio's seed
// (segue radio, play --radio) said the origin's own words ("playlist pl0
// not found", `unknown track "t0"`, "seed t0 not found": no source), or a
// Subsonic server's "not found on the origin (...)" (the wrong source).
func TestNotFoundWordingOfEditsAndRadio(t *testing.T) {
	for _, s := range notFoundSources(t) {
		editOnly := s.name == "subsonic" // gonic, the Subsonic source here, offers no createShare or deleteShare
		var found catalog.SearchResult
		if err := json.Unmarshal([]byte(segueOK(t, append(s.args, "search", "tone", "--json")...)), &found); err != nil || len(found.Tracks) == 0 {
			t.Fatalf("%s: search tone: %v, %d tracks", s.name, err, len(found.Tracks))
		}
		track := found.Tracks[0].ID
		var pl catalog.Playlist
		if err := json.Unmarshal([]byte(segueOK(t, append(s.args, "playlist", "create", "Known", track, "--json")...)), &pl); err != nil {
			t.Fatal(err)
		}
		noPL, noTrack := s.ids["playlist"], s.ids["track"]
		cases := []struct {
			kind string
			args []string
		}{
			{"playlist", []string{"playlist", "rename", noPL, "New"}},
			{"playlist", []string{"playlist", "delete", noPL}},
			{"playlist", []string{"playlist", "add", noPL, track}},
			{"playlist", []string{"playlist", "remove", noPL, "1"}},
			{"playlist", []string{"playlist", "move", noPL, "1", "1"}},
			{"track", []string{"playlist", "add", pl.ID, noTrack}},
			{"track", []string{"playlist", "create", "Mix", track, noTrack}},
			{"track", []string{"radio", noTrack}},
			{"album", []string{"radio", s.ids["album"]}},
			{"artist", []string{"radio", s.ids["artist"]}},
			{"playlist", []string{"radio", noPL}},
			{"track", []string{"play", "--output", "null", "--radio", noTrack}},
		}
		if !editOnly {
			cases = append(cases, struct {
				kind string
				args []string
			}{"playlist", []string{"playlist", "share", noPL}}, struct {
				kind string
				args []string
			}{"playlist", []string{"playlist", "unshare", noPL}})
		}
		for _, c := range cases {
			for _, asJSON := range []bool{false, true} {
				args := append(append([]string{}, s.args...), c.args...)
				if asJSON {
					args = append(args, "--json")
				}
				_, errOut, code := segue(t, args...)
				want := c.kind + " " + s.ids[c.kind] + " not found on " + s.source + idsHint + "\n"
				if code != ExitNotFound || !strings.HasSuffix(errOut, want) {
					t.Errorf("%s: segue %s (json %v): exit %d, stderr %q; want %d ending %q", s.name, strings.Join(c.args, " "), asJSON, code, errOut, ExitNotFound, want)
				}
			}
		}
	}
}

// TestCtlRadioNotFoundWording: ctl radio of a seed the origin does not
// know said "ctl radio: radio: seed t0… not found" (the verb twice, no
// kind, no source); now as ctl open says an unknown ID. And segue ctl's
// unknown IDs (radio, open, queue add) did not say where IDs are seen,
// as segue's other commands do.
func TestCtlRadioNotFoundWording(t *testing.T) {
	o, tracks := ctlLibrary(t)
	h := newCtlHost(t)
	h.start("--origin", "http://"+o.addr, "play", "--output", "null", tracks[0].ID)
	h.waitSocket("play's control socket to answer")
	for _, c := range []struct{ args []string }{
		{[]string{"radio", "t0000000000000000"}},
		{[]string{"open", "t0000000000000000"}},
		{[]string{"queue", "add", "t0000000000000000"}},
	} {
		_, errOut, code := h.ctl(c.args...)
		if want := "track t0000000000000000 not found on the origin at " + o.addr + idsHint + "\n"; code != ExitNotFound ||
			!strings.HasPrefix(errOut, "segue: ctl "+c.args[0]) || !strings.HasSuffix(errOut, want) {
			t.Errorf("ctl %s of an unknown track: exit %d, %q; want %d, ending %q", strings.Join(c.args, " "), code, errOut, ExitNotFound, want)
		}
	}
}
