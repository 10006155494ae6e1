package cli

import (
	"strings"
	"testing"

	"segue/catalog"
	"segue/net/subsonic/subsonictest"
)

// TestSubsonicShareSaysWhatToDo: playlist share and unshare against a
// Subsonic server said only that the server "does not support this: share
// links are segue origin's", with nothing of what to do. Now the one
// sentence says where to share (or revoke a share) instead, exit 1: gonic
// has no createShare, which segue asks a server that has it for a link.
func TestSubsonicShareSaysWhatToDo(t *testing.T) {
	s := subsonictest.Gonic(t, subsonictest.Library(t))
	args := subsonicArgs(t, s, s.Password)
	var pl catalog.Playlist
	segueJSON(t, &pl, append(args, "playlist", "create", "Mix", "--json")...)
	for verb, want := range map[string]string{
		"share": "the Subsonic server does not support this: " + strings.TrimPrefix(s.Base, "http://") + " offers no createShare; share the playlist " +
			"from the Subsonic server's own web interface, or ingest the music into a segue origin (segue origin ingest) and share it there",
		"unshare": "the Subsonic server does not support this: share links are a segue origin's, so a Subsonic playlist has none to revoke; " +
			"revoke the server's own shares in its web interface",
	} {
		_, errOut, code := segue(t, append(args, "playlist", verb, pl.ID)...)
		if code != 1 || !strings.Contains(errOut, want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("playlist %s on a Subsonic server: exit %d, stderr %q; want exit 1 and one line ending %q", verb, code, errOut, want)
		}
	}
}
