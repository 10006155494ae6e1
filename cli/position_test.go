package cli

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"segue/catalog"
)

// huge is a position past any int: it said "want a whole number from 1"
// (or, for --at, "from 0 to 2147483647") where one past the end in range
// said "there is no track at position 9"; both now say the latter, with
// the same exit status.
const huge = "99999999999999999999"

// TestPlaylistPositionPastAnyInt: every playlist position argument (remove,
// move's two, add --at) says of a number too large for an int what it says
// of one past the playlist's end, exit 2, with and without --json, and
// changes nothing.
func TestPlaylistPositionPastAnyInt(t *testing.T) {
	url, _ := playOrigin(t)
	env := clientEnv(t, url)
	ts := tones(t, url)
	var pl catalog.Playlist
	if err := json.Unmarshal([]byte(segueOK(t, append(env, "playlist", "create", "Positions", ts[0].ID, ts[1].ID, "--json")...)), &pl); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args func(pos string) []string
		says func(pos string) string
	}{
		{"remove", func(p string) []string { return []string{"playlist", "remove", pl.ID, p} },
			func(p string) string { return "there is no track at position " + p + ": positions go from 1 to 2" }},
		{"move from", func(p string) []string { return []string{"playlist", "move", pl.ID, p, "1"} },
			func(p string) string { return "cannot move position " + p + " to 1: positions go from 1 to 2" }},
		{"move to", func(p string) []string { return []string{"playlist", "move", pl.ID, "1", p} },
			func(p string) string { return "cannot move position 1 to " + p + ": positions go from 1 to 2" }},
		{"add --at", func(p string) []string { return []string{"playlist", "add", pl.ID, ts[0].ID, "--at", p} },
			func(p string) string {
				return "there is no position " + p + " to insert before: positions go from 1 to 2 (3 adds at the end)"
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, pos := range []string{"9", huge} {
				args := append(slices.Clone(env), c.args(pos)...)
				out, errOut, code := segue(t, args...)
				msg := checkFailure(t, pos, errOut, code, ExitUsage)
				if !strings.HasSuffix(msg, c.says(pos)) || out != "" {
					t.Errorf("position %s: says %q (stdout %q); want it to end %q", pos, msg, out, c.says(pos))
				}
				out, _, code = segue(t, append(args, "--json")...)
				var got struct{ Error string }
				if json.Unmarshal([]byte(out), &got); code != ExitUsage || got.Error != msg {
					t.Errorf("position %s --json: exit %d, %q; want 2 and {\"error\": %q}", pos, code, out, msg)
				}
			}
		})
	}
	var after catalog.Playlist
	if err := json.Unmarshal([]byte(segueOK(t, append(env, "playlist", "show", pl.ID, "--json")...)), &after); err != nil ||
		len(after.Tracks) != 2 || after.Tracks[0].ID != ts[0].ID || after.Tracks[1].ID != ts[1].ID {
		t.Errorf("after the refusals: %+v, %v; want the two tracks as they were", after.Tracks, err)
	}
	// a negative number past any int stays a malformed position, as -1 is
	for _, args := range [][]string{{"playlist", "remove", pl.ID, "--", "-" + huge}, {"playlist", "add", pl.ID, ts[0].ID, "--at", "-" + huge}} {
		_, errOut, code := segue(t, append(slices.Clone(env), args...)...)
		if msg := checkFailure(t, "negative", errOut, code, ExitUsage); !strings.Contains(msg, "from 1") {
			t.Errorf("segue %s: %q; want what a position is", strings.Join(args, " "), msg)
		}
	}
}

// TestCtlQueueRemovePastAnyInt: segue ctl queue remove of a number too
// large for an int said "want a position from 1" (exit 2) where 9 of a
// queue of 2 said "there is no position 9" (exit 3); both now say "there
// is no track at position N" as playlist remove does, with exit 3.
func TestCtlQueueRemovePastAnyInt(t *testing.T) {
	url, tracks := ctlOrigin(t)
	h := newCtlHost(t)
	exited, _, playErr := h.startPlay("--origin", url, "play", "--output", "null", tracks[0].ID, tracks[1].ID)
	for _, pos := range []string{"9", huge} {
		want := "segue: ctl queue remove: there is no track at position " + pos + ": the queue has 2 tracks (see segue ctl queue list)\n"
		if _, errOut, code := h.ctl("queue", "remove", pos); code != ExitNotFound || errOut != want {
			t.Errorf("ctl queue remove %s: exit %d, %q; want 3 and %q", pos, code, errOut, want)
		}
	}
	if st := h.status(); st.QueueLength != 2 {
		t.Errorf("after the refusals: %+v; want the queue of 2", st)
	}
	h.ok("queue", "clear") // ends play
	h.waitEnd(exited, playErr)
}
