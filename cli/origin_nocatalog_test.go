//go:build !segue_client

package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"segue/origin/pgtest"
)

// TestAdminCommandsMakeNoCatalog: segue origin token create, user add and
// events import given a data dir that holds no catalog (a mistyped --data
// or SEGUE_DATA naming a new folder in one that exists, an existing folder
// that is no origin's, the default data dir before any origin ran) made a
// fresh catalog there and put the token, user or plays in it, where no
// origin serves them: the secret printed worked nowhere. They now say
// there is no origin in that folder, how one is made (origin ingest, or
// origin serve for an empty one), exit 3 as every origin command that
// reads a catalog, the same with --json, and make no file or folder. Once
// a catalog is there (origin serve made it) they work.
func TestAdminCommandsMakeNoCatalog(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9")
	events := filepath.Join(t.TempDir(), "plays.jsonl")
	if err := os.WriteFile(events, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	commands := [][]string{
		{"origin", "token", "create", "laptop"},
		{"origin", "user", "add", "alice", "--no-password"},
		{"origin", "events", "import", events},
	}
	check := func(name, dir string, run func(args []string) (string, string, int)) {
		t.Helper()
		for _, args := range commands {
			for _, args := range [][]string{args, append(slices.Clone(args), "--json")} {
				out, errOut, code := run(args)
				what := name + " " + strings.Join(args, " ")
				msg := checkFailure(t, what, errOut, code, ExitNotFound)
				if !strings.Contains(msg, "no origin in "+dir) || !strings.Contains(msg, "segue origin ingest") || !strings.Contains(msg, "segue origin serve") {
					t.Errorf("%s: %q; want it to say there is no origin in %s and that origin ingest or serve makes one", what, msg, dir)
				}
				var j struct{ Error string }
				if slices.Contains(args, "--json") && (json.Unmarshal([]byte(out), &j) != nil || j.Error != msg) {
					t.Errorf("%s: stdout %q; want {\"error\": %q}", what, out, msg)
				}
			}
		}
	}
	inProcess := func(extra ...string) func([]string) (string, string, int) {
		return func(args []string) (string, string, int) {
			return segue(t, append(append(slices.Clone(env), args...), extra...)...)
		}
	}

	parent := t.TempDir()
	typo := filepath.Join(parent, "segeu") // a new folder where the origin's is not
	check("--data (new folder)", typo, inProcess("--data", typo))
	t.Setenv("SEGUE_DATA", typo)
	check("SEGUE_DATA", typo, inProcess())
	t.Setenv("SEGUE_DATA", "")
	if names, _ := filepath.Glob(filepath.Join(parent, "*")); len(names) != 0 {
		t.Errorf("files made for a data dir that was not there: %v", names)
	}
	empty := t.TempDir() // a folder that is there, but no origin's
	check("--data (no catalog)", empty, inProcess("--data", empty))
	if names, _ := filepath.Glob(filepath.Join(empty, "*")); len(names) != 0 {
		t.Errorf("files made in a folder with no catalog: %v", names)
	}

	// the default data dir before any origin ran: no folder is made either
	home := filepath.Join(t.TempDir(), "fresh")
	def := filepath.Join(home, "data", "segue", "origin")
	check("default", def, func(args []string) (string, string, int) {
		cmd := exec.Command(segueBinary(t), args...)
		cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+filepath.Join(home, "data"), "XDG_CONFIG_HOME="+filepath.Join(home, "config"),
			"XDG_STATE_HOME="+filepath.Join(home, "state"), "XDG_CACHE_HOME="+filepath.Join(home, "cache"), "SEGUE_DATA=")
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		code := processExit(cmd.Run())
		return o.String(), e.String(), code
	})
	if _, err := os.Stat(filepath.Join(home, "data")); err == nil {
		t.Errorf("token create, user add or events import made %s", filepath.Join(home, "data"))
	}

	// with --catalog postgres:// the data dir holds only subsonic.key: one
	// in a folder that does not exist is a bad setting (2), as before
	pg := pgtest.Database(t)
	deeper := filepath.Join(parent, "typo", "data")
	for _, args := range commands {
		_, errOut, code := segue(t, append(append(slices.Clone(env), args...), "--catalog", pg, "--data", deeper)...)
		if msg := checkFailure(t, strings.Join(args, " ")+" --catalog", errOut, code, ExitUsage); msg != "--data: the folder "+filepath.Dir(deeper)+" does not exist (make it, or check the path)" {
			t.Errorf("segue %s --catalog PG --data %s: %q", strings.Join(args, " "), deeper, msg)
		}
	}

	// with the catalog an origin made there, they work
	makeCatalog(t, empty)
	for _, args := range commands {
		segueOK(t, append(append(slices.Clone(env), args...), "--data", empty)...)
	}
}
