package cli

import (
	"strings"
	"testing"
)

// TestOfflineListSaysARevokedLinkIsRevoked: a share link's pin whose link
// the owner revoked was listed as "gone from the origin: offline remove
// it" (state gone), the words of a playlist deleted or a track taken out
// of the catalog. It now says the link was revoked and what to do (unpin
// it, or ask the sharer for a new link), state revoked with --json (its
// note saying what the listing says), on an
// open origin and on one requiring tokens; a playlist deleted, pinned by
// its ID, is still gone, and a link whose origin does not answer is
// listed as it was, saying the origin cannot be reached.
func TestOfflineListSaysARevokedLinkIsRevoked(t *testing.T) {
	want := "the share link was revoked (or its playlist deleted): offline remove it, or ask the sharer for a new link"
	revoked := func(name string, listener []string, link string) {
		t.Helper()
		out, errOut, code := segue(t, append(listener, "offline", "list")...)
		if code != ExitOK || !strings.Contains(out, want) || strings.Contains(out, "gone from the origin") {
			t.Errorf("%s: offline list of a revoked link's pin: exit %d\n%s%s\nwant it saying %q", name, code, out, errOut, want)
		}
		var pins []offlineEntry
		decodeJSON(t, segueOK(t, append(listener, "offline", "list", "--json")...), &pins)
		if len(pins) != 1 || pins[0].Ref != link || pins[0].State != "revoked" || pins[0].Note != want {
			t.Errorf("%s: offline list --json of a revoked link's pin: %+v; want state revoked, note %q", name, pins, want)
		}
	}

	// an origin requiring tokens
	_, _, _, _, owner, pl, shareURL := sharedMix(t)
	listener := clientEnv(t, "http://127.0.0.1:9") // the link's origin is not the configured one
	segueOK(t, append(listener, "offline", "add", shareURL, "--quality", "low")...)
	var other struct{ ID string }
	decodeJSON(t, segueOK(t, append(owner, "playlist", "create", "Deleted", pl.Tracks[0].ID, "--json")...), &other)
	segueOK(t, append(owner, "offline", "add", other.ID, "--quality", "low")...)
	segueOK(t, append(owner, "playlist", "unshare", pl.ID)...)
	segueOK(t, append(owner, "playlist", "delete", other.ID)...)
	revoked("requiring tokens", listener, shareURL)
	var own []offlineEntry // a playlist deleted, pinned by its ID: gone, as before
	decodeJSON(t, segueOK(t, append(owner, "offline", "list", "--json")...), &own)
	if len(own) != 1 || own[0].Ref != other.ID || own[0].State != "gone" {
		t.Errorf("offline list --json of a deleted playlist's pin: %+v; want state gone", own)
	}

	// an open origin: the link unshared, then one whose origin stopped
	o := newTestOrigin(t)
	url := "http://" + o.addr
	tracks := tones(t, url)
	_, common := clientDirs(t, url, "")
	var open, up struct{ ID string }
	decodeJSON(t, segueOK(t, append(common, "playlist", "create", "Open", tracks[0].ID, "--json")...), &open)
	decodeJSON(t, segueOK(t, append(common, "playlist", "create", "Up", tracks[1].ID, "--json")...), &up)
	openLink := strings.TrimSpace(segueOK(t, append(common, "playlist", "share", open.ID)...))
	upLink := strings.TrimSpace(segueOK(t, append(common, "playlist", "share", up.ID)...))
	listener = clientEnv(t, "http://127.0.0.1:9")
	segueOK(t, append(listener, "offline", "add", openLink)...)
	segueOK(t, append(common, "playlist", "unshare", open.ID)...)
	revoked("open", listener, openLink)

	away := clientEnv(t, "http://127.0.0.1:9")
	segueOK(t, append(away, "offline", "add", upLink)...)
	o.stop()
	out, errOut, code := segue(t, append(away, "offline", "list")...)
	if code != ExitOK || strings.Contains(out, "revoked") || !strings.Contains(out, "complete") || !strings.Contains(errOut, "cannot be reached") {
		t.Errorf("offline list of a link whose origin is down: exit %d\n%s%s\nwant it complete, as pinned, and stderr saying the origin cannot be reached", code, out, errOut)
	}
}
