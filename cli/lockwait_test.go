//go:build !segue_client

package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"segue/offline"
)

// TestOfflineLockWaitInterrupted: an offline command waiting for another
// segue to finish changing the offline list, stopped by Ctrl-C, exits 130
// at once saying what it waited for and that it changed nothing, and the
// list is as it was (a blocking flock let the signal kill it with no
// word, or, for a command that heard signals, wait on).
func TestOfflineLockWaitInterrupted(t *testing.T) {
	for _, args := range [][]string{
		{"offline", "remove", "p1"},
		{"offline", "add", "t1"},
		{"offline", "list"},
	} {
		cmd := stoppedRun(t, args...)
		var state string
		for _, kv := range cmd.Env {
			if v, ok := strings.CutPrefix(kv, "XDG_STATE_HOME="); ok {
				state = filepath.Join(v, "segue")
			}
		}
		if err := os.MkdirAll(state, 0o700); err != nil {
			t.Fatal(err)
		}
		list := []byte(`{"collections":[{"ref":"p1","kind":"playlist","name":"Mix","quality":"normal","tracks":[],"hashes":[],"bytes":0,"docs":[],"added":"2026-12-01T00:00:00Z"}]}`)
		if err := os.WriteFile(filepath.Join(state, offline.FileName), list, 0o600); err != nil {
			t.Fatal(err)
		}
		held := holdFlock(t, filepath.Join(state, offline.FileName+".lock"))
		code, lines := stopOnStderr(t, cmd, syscall.SIGINT, "another segue is changing the offline list")
		held.Close()
		what := args[0] + " " + args[1]
		if args[1] == "add" {
			what += " t1"
		}
		want := "segue: " + what + ": interrupted; it was waiting for another segue to finish changing the offline list, and changed nothing: run it again once that one is done"
		if code != ExitInterrupted || len(lines) == 0 || lines[len(lines)-1] != want {
			t.Errorf("%v stopped by Ctrl-C while waiting for the offline list: exit %d, stderr %q; want 130 and %q", args, code, lines, want)
		}
		if b, err := os.ReadFile(filepath.Join(state, offline.FileName)); err != nil || !bytes.Equal(b, list) {
			t.Errorf("%v changed the offline list it never locked: %s (%v)", args, b, err)
		}
	}
}

// holdFlock takes the lock file at path as another segue would, until
// the file is closed.
func holdFlock(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	return f
}
