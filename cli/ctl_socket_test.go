package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCtlSocketIsNotTheOrigin: segue ctl that cannot reach a running segue
// says so in the control socket's words (exit 1, with and without
// --json), never the origin's: with XDG_RUNTIME_DIR set to a file, or to a
// folder too deep for a socket's path, it said "connect to segue: the
// origin is unreachable (is it running? check --origin)".
func TestCtlSocketIsNotTheOrigin(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(file, []byte("a file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	deep := filepath.Join(dir, strings.Repeat("d", 120))
	if err := os.Mkdir(deep, 0o700); err != nil {
		t.Fatal(err)
	}
	env := clientEnv(t, "http://127.0.0.1:9")
	for _, c := range []struct {
		name, runtime, says string
	}{
		{"runtime dir a file", file, "ctl status: no segue is running (nothing listens on " + filepath.Join(file, "segue", "ctl.sock") + "): start segue or segue play first, or name another with --instance"},
		{"runtime dir too deep", deep, "ctl status: connect to segue: the control socket's path " + filepath.Join(deep, "segue", "ctl.sock") + " is longer than a socket's path may be (107 bytes): set XDG_RUNTIME_DIR to a shorter folder"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("XDG_RUNTIME_DIR", c.runtime)
			// --json before the command too: it was "unknown flag: --json", exit 2
			for _, run := range [][]string{append(slices.Clone(env), "ctl", "status"), append(slices.Clone(env), "ctl", "status", "--json"),
				append(slices.Clone(env), "ctl", "--json", "status")} {
				out, errOut, code := segue(t, run...)
				msg := checkFailure(t, strings.Join(run, " "), errOut, code, ExitError)
				if msg != c.says {
					t.Errorf("segue %s: %q; want %q", strings.Join(run, " "), msg, c.says)
				}
				if slices.Contains(run, "--json") && !strings.HasPrefix(out, `{"error":`) {
					t.Errorf("segue %s printed %q on stdout; want the error as JSON", strings.Join(run, " "), out)
				}
			}
		})
	}
}
