package cli

import (
	"strings"
	"testing"
)

// TestNotFoundHintOnlyForIDs: the advice "segue search WORDS, segue
// library and segue playlist list show the IDs there are" ended every
// failure the origin answered 404, also where no ID was given or an ID
// that is there: a share link unknown or revoked (segue play, playlist
// show, export, import, offline add of it), a radio seeded with a
// playlist that holds no tracks. Those IDs are no help there.
func TestNotFoundHintOnlyForIDs(t *testing.T) {
	url, _ := shortTone(t)
	env := clientEnv(t, url)
	empty := strings.Fields(segueOK(t, append(env, "playlist", "create", "Empty")...))[0]
	link := url + "/p/" + strings.Repeat("A", 43) // well formed, never made
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"play", "--output", "null", link}, "unknown or was revoked: check that you have the whole link, or ask the playlist's owner for a new one"},
		{[]string{"playlist", "show", link}, "unknown or was revoked: check that you have the whole link, or ask the playlist's owner for a new one"},
		{[]string{"playlist", "export", link}, "unknown or was revoked: check that you have the whole link, or ask the playlist's owner for a new one"},
		{[]string{"playlist", "import", link}, "unknown or was revoked: check that you have the whole link, or ask the playlist's owner for a new one"},
		{[]string{"offline", "add", link}, "unknown or was revoked: check that you have the whole link, or ask the playlist's owner for a new one"},
		{[]string{"radio", empty}, "holds no tracks"},
	} {
		for _, json := range []bool{false, true} {
			args := append(append([]string{}, env...), c.args...)
			if json {
				args = append(args, "--json")
			}
			out, errOut, code := segue(t, args...)
			if code != ExitNotFound || !strings.Contains(errOut, c.says) || strings.Contains(errOut+out, idsHint) {
				t.Errorf("segue %s (json %v): exit %d, stderr %q, stdout %q; want %d saying %q, without %q", strings.Join(c.args, " "), json, code, errOut, out, ExitNotFound, c.says, idsHint)
			}
		}
	}
}
