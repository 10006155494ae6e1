package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutputThatCannotBeWritten: a command whose standard output cannot be
// written (a full disk: /dev/full) fails, with and without --json, as the
// listings do. cache stats and cache verify exited 0 having printed
// nothing, and origin token create and origin user add exited 0 with the
// secret, shown only that once, lost: now they say what was made and how
// to undo it.
func TestOutputThatCannotBeWritten(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer full.Close()
	env := clientEnv(t, "http://127.0.0.1:9")
	segueOK(t, append(append([]string{}, env...), "offline", "list")...) // a cache for stats, verify and gc to read: they make none
	dataDir := filepath.Join(t.TempDir(), "data")
	makeCatalog(t, dataDir) // token create, user add and events import make none
	data := []string{"--data", dataDir}
	withData := func(args ...string) []string { return append(args, data...) }
	lib, events := t.TempDir(), filepath.Join(t.TempDir(), "events.jsonl")
	if err := os.WriteFile(events, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		says string
	}{
		{append(env, "cache", "stats"), "write /dev/full: no space left on device"},
		{append(env, "cache", "verify"), "write /dev/full: no space left on device"},
		{append(env, "cache", "gc"), "write /dev/full: no space left on device"},
		{withData("origin", "token", "create", "ci"), "(ci) was created, but its secret could not be written: write /dev/full: no space left on device; revoke it (segue origin token revoke "},
		{withData("origin", "token", "create", "ci2", "--json"), " --data " + dataDir + ") and create another"},
		{withData("origin", "ingest", lib), "write /dev/full: no space left on device"},
		{withData("origin", "events", "import", events), "write /dev/full: no space left on device"},
		{withData("origin", "user", "add", "ann", "--no-password"), "user ann was added, but its API key could not be written: write /dev/full: no space left on device; remove it (segue origin user remove ann --data " + dataDir + ") and add it again"},
	} {
		var errOut bytes.Buffer
		code := run(c.args, full, &errOut)
		if code != ExitError || !strings.Contains(errOut.String(), c.says) {
			t.Errorf("segue %s > /dev/full: exit %d, %q; want exit 1 saying %q", strings.Join(c.args, " "), code, errOut.String(), c.says)
		}
	}
}

// TestPlaylistOutputThatCannotBeWritten: playlist create (which prints
// the playlist's line) and playlist share (its URL) exited 0 with
// nothing written when stdout could not be (a full disk), where playlist
// show failed.
func TestPlaylistOutputThatCannotBeWritten(t *testing.T) {
	url, _ := playOrigin(t)
	env := clientEnv(t, url)
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer full.Close()
	pl := strings.Fields(segueOK(t, append(env, "playlist", "create", "Kept")...))[0]
	for _, args := range [][]string{{"playlist", "create", "Lost"}, {"playlist", "share", pl}, {"playlist", "rename", pl, "Other"}} {
		var errOut bytes.Buffer
		if code := run(append(append([]string{}, env...), args...), full, &errOut); code != ExitError || !strings.Contains(errOut.String(), "no space left on device") {
			t.Errorf("segue %s > /dev/full: exit %d, %q; want exit 1 saying the write failed", strings.Join(args, " "), code, errOut.String())
		}
	}
}
