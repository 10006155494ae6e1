package cli

import (
	"strings"
	"testing"
)

// TestOfflineListKeepsWhatTheOriginLastSaid: a share link's pin listed
// revoked (and a playlist pinned by ID listed gone) was listed complete
// once its origin stopped answering, while stderr said the pins are
// listed "as they were when it last answered": a listener on a bad
// network took a dead link's pin for a good one. What the origin last
// answered (revoked, gone) is now kept in the offline list and shown
// while it does not answer.
func TestOfflineListKeepsWhatTheOriginLastSaid(t *testing.T) {
	o := newTestOrigin(t)
	url := "http://" + o.addr
	tracks := tones(t, url)
	_, common := clientDirs(t, url, "")
	var shared, deleted struct{ ID string }
	decodeJSON(t, segueOK(t, append(common, "playlist", "create", "Shared", tracks[0].ID, "--json")...), &shared)
	decodeJSON(t, segueOK(t, append(common, "playlist", "create", "Deleted", tracks[1].ID, "--json")...), &deleted)
	link := strings.TrimSpace(segueOK(t, append(common, "playlist", "share", shared.ID)...))
	listener := clientEnv(t, url)
	segueOK(t, append(listener, "offline", "add", link, deleted.ID, "--quality", "low")...)
	segueOK(t, append(common, "playlist", "unshare", shared.ID)...)
	segueOK(t, append(common, "playlist", "delete", deleted.ID)...)
	states := func(when string) {
		t.Helper()
		var pins []offlineEntry
		decodeJSON(t, segueOK(t, append(listener, "offline", "list", "--json")...), &pins)
		got := map[string]string{}
		for _, p := range pins {
			got[p.Ref] = p.State + ": " + p.Note
		}
		if len(pins) != 2 || !strings.HasPrefix(got[link], "revoked: the share link was revoked") || !strings.HasPrefix(got[deleted.ID], "gone: gone from the origin") {
			t.Errorf("%s: offline list --json: %v; want the link revoked and the deleted playlist gone", when, got)
		}
	}
	states("origin up")
	o.stop()
	states("origin down")
	out, errOut, code := segue(t, append(listener, "offline", "list")...)
	if code != ExitOK || !strings.Contains(out, "the share link was revoked") || strings.Contains(out, "complete") || !strings.Contains(errOut, "cannot be reached") {
		t.Errorf("offline list with the origin down: exit %d\n%s%s\nwant the link still revoked and stderr saying the origin cannot be reached", code, out, errOut)
	}
}
