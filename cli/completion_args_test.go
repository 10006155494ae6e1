package cli

import (
	"strings"
	"testing"
)

// TestCompletionOnlyWhereAnIDGoes: an argument that is a name or a
// position (playlist rename ID NAME, remove ID POSITION, move ID FROM TO),
// or one past the last a command takes (playlist show ID, library ID,
// radio SEED, ctl open), offered the origin's playlist, album and artist
// IDs again, which the command then refused or took for a name. And
// "--json before the command's words" (README) made every completion
// after it fail on an unknown flag.
func TestCompletionOnlyWhereAnIDGoes(t *testing.T) {
	url, _ := playOrigin(t)
	env := clientEnv(t, url)
	album := tones(t, url)[0].AlbumID
	pl := strings.Fields(segueOK(t, append(env, "playlist", "create", "Road Trip")...))[0]
	complete := func(args ...string) string {
		t.Helper()
		return segueOK(t, append(append(env, "__complete"), args...)...)
	}
	for _, args := range [][]string{
		{"playlist", "rename", pl, ""}, {"playlist", "remove", pl, ""}, {"playlist", "move", pl, ""},
		{"playlist", "move", pl, "1", ""}, {"playlist", "show", pl, ""}, {"playlist", "delete", pl, ""},
		{"playlist", "share", pl, ""}, {"playlist", "unshare", pl, ""}, {"playlist", "export", pl, ""},
		{"playlist", "create", ""}, {"library", album, ""}, {"radio", album, ""}, {"ctl", "open", album, ""},
		{"ctl", "radio", album, ""},
	} {
		if out := complete(args...); out != ":4\n" {
			t.Errorf("complete %q: %q; want nothing (directive 4 alone): no ID goes there", args, out)
		}
	}
	// where IDs do go, they still come
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"playlist", "add", pl, album, ""}, album + "\t"},
		{[]string{"playlist", "create", "Mix", ""}, album + "\t"},
		{[]string{"play", album, ""}, pl + "\t"},
		{[]string{"offline", "add", album, ""}, pl + "\t"},
		{[]string{"ctl", "queue", "add", album, ""}, pl + "\t"},
		{[]string{"--json", "playlist", "show", ""}, pl + "\tRoad Trip"},
		{[]string{"--json", "pl", ""}, "show\t"},
		{[]string{"--json", "sea"}, "search\t"},
	} {
		if out := complete(c.args...); !strings.Contains(out, c.want) {
			t.Errorf("complete %q: %q lacks %q", c.args, out, c.want)
		}
	}
}
