package cli

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestGroupsRefuseWhatIsNoCommand: every command group (ctl, cache,
// playlist, offline, origin, origin token...) takes a word that is none of
// its commands as a usage error (exit 2) with --help after it too ("segue
// origin blobz --help" printed the group's help and exited 0), and so a
// group given no command ("segue ctl $verb" with an empty $verb exited 0,
// as did "segue ctl --json", while "segue cache --json" exited 2). --help
// and "segue help GROUP" still print the help, exit 0.
func TestGroupsRefuseWhatIsNoCommand(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "segue.toml")
	if err := os.WriteFile(cfg, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"--config", cfg}
	root := (&app{stdout: io.Discard, stderr: io.Discard}).rootCmd()
	var groups [][]string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.HasSubCommands() {
				groups = append(groups, strings.Fields(sub.CommandPath())[1:])
				walk(sub)
			}
		}
	}
	walk(root)
	for _, want := range []string{"ctl", "cache", "playlist", "offline"} {
		if !slices.ContainsFunc(groups, func(g []string) bool { return g[0] == want }) {
			t.Fatalf("no group %q among %v", want, groups)
		}
	}
	for _, g := range groups {
		name := "segue " + strings.Join(g, " ")
		group, _, _ := root.Find(g)
		run := func(args ...string) (string, string, int) {
			return segue(t, slices.Concat(env, g, args)...)
		}
		for _, args := range [][]string{{"blobz", "--help"}, {"--help", "blobz"}, {"blobz", "-h"}} {
			out, errOut, code := run(args...)
			if code != ExitUsage || out != "" || !strings.Contains(errOut, `unknown command "blobz" for "`+name+`"`) {
				t.Errorf("%s %s: exit %d, stdout %.60q, stderr %q; want exit 2, nothing on stdout and the unknown command on stderr", name, strings.Join(args, " "), code, out, errOut)
			}
		}
		out, errOut, code := run()
		if code != ExitUsage || out != "" || errOut != "segue: "+name+" needs a command ("+name+" --help lists them)\n" {
			t.Errorf("%s: exit %d, stdout %.60q, stderr %q; want exit 2 and that it needs a command", name, code, out, errOut)
		}
		if takesJSON(group) {
			out, errOut, code := run("--json")
			var got map[string]string
			if code != ExitUsage || json.Unmarshal([]byte(out), &got) != nil || got["error"] != name+" needs a command ("+name+" --help lists them)" {
				t.Errorf("%s --json: exit %d, stdout %q, stderr %q; want exit 2 and that it needs a command, as JSON", name, code, out, errOut)
			}
		}
		for _, args := range [][]string{slices.Concat(env, g, []string{"--help"}), slices.Concat(env, []string{"help"}, g)} {
			if out, errOut, code := segue(t, args...); code != 0 || !strings.Contains(out, "Usage:") {
				t.Errorf("segue %s: exit %d, stderr %q; want its help, exit 0:\n%s", strings.Join(args, " "), code, errOut, out)
			}
		}
	}
}
