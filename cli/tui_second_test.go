package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"segue/ctl"
)

// TestSecondTUISaysInstance: with XDG_RUNTIME_DIR unset every interface of
// the user shares one control socket under the temporary folder, so a
// second `segue` refused to start, "segue is already running (its control
// socket is …): drive it with segue ctl", without saying how to run a
// second one. It now names --instance NAME (with its own state_dir), and
// a second segue given --instance gets past the socket (here to the
// terminal it needs).
func TestSecondTUISaysInstance(t *testing.T) {
	tmp, err := os.MkdirTemp("", "sgrt") // short: a socket's path has at most 107 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	t.Setenv("XDG_RUNTIME_DIR", "")
	t.Setenv("TMPDIR", tmp)
	sock := filepath.Join(tmp, fmt.Sprintf("segue-runtime-%d", os.Getuid()), "segue", "ctl.sock")
	first, err := ctl.Listen(sock) // the first interface
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { first.Close() })
	env := clientEnv(t, "http://127.0.0.1:9")

	_, errOut, code := segue(t, env...)
	msg := checkFailure(t, "a second segue", errOut, code, ExitError)
	want := "segue is already running (its control socket is " + sock + "): drive it with segue ctl; " +
		"to run a second segue, start it with --instance NAME and its own state_dir (or XDG_STATE_HOME)"
	if msg != want {
		t.Errorf("a second segue says\n%q\nwant\n%q", msg, want)
	}

	_, errOut, _ = segue(t, append(env, "--instance", "second")...)
	if strings.Contains(errOut, "already running") || !strings.Contains(errOut, "the interface needs a terminal") {
		t.Errorf("a second segue with --instance second: %q; want past the socket, to the terminal it needs", errOut)
	}
}
