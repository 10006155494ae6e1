package cli

import (
	"slices"
	"strings"
	"testing"
)

// TestStoredListingSaysSo: with the origin stopped, segue library listed
// what it had stored and playlist list said "no playlists yet: make one
// ...", exit 0, without a word that the origin was not asked. They now say
// on stderr that the origin did not answer and that this is the stored
// copy, with and without --json, the exit status still 0; with the origin
// up they say nothing of it.
func TestStoredListingSaysSo(t *testing.T) {
	o := &testOrigin{t: t, data: t.TempDir(), addr: "127.0.0.1:0"}
	o.start()
	t.Cleanup(o.stop)
	env := clientEnv(t, "http://"+o.addr)
	const stored = "this is the copy stored here when it last answered"
	commands := [][]string{{"library"}, {"library", "--json"}, {"playlist", "list"}, {"playlist", "list", "--json"}}
	for _, args := range commands {
		if _, errOut, code := segue(t, append(slices.Clone(env), args...)...); code != 0 || strings.Contains(errOut, stored) {
			t.Fatalf("segue %s with the origin up: exit %d, stderr %q; want 0 and no word of a stored copy", strings.Join(args, " "), code, errOut)
		}
	}
	o.stop()
	want := "segue: the origin at " + o.addr + " is unreachable: nothing listens there (connection refused); start it (segue origin serve) or check --origin; " + stored + "\n"
	for _, args := range commands {
		if _, errOut, code := segue(t, append(slices.Clone(env), args...)...); code != 0 || !strings.Contains(errOut, want) {
			t.Errorf("segue %s with the origin stopped: exit %d, stderr\n%q\nwant exit 0 and\n%q", strings.Join(args, " "), code, errOut, want)
		}
	}
}
