//go:build !segue_client

package cli

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestOriginHelpListsOnlyItsFlags: the help of every origin command lists
// among its global flags only those that apply there (--config); it listed
// the client's (--origin, --cache, --peer...), which do nothing there;
// the shell completion of their flags offered them too. The client's
// commands still list and offer them all.
func TestOriginHelpListsOnlyItsFlags(t *testing.T) {
	env := []string{"--config", filepath.Join(t.TempDir(), "segue.toml")}
	if err := os.WriteFile(env[1], nil, 0o644); err != nil {
		t.Fatal(err)
	}
	root := (&app{stdout: io.Discard, stderr: io.Discard}).rootCmd()
	var client []string
	root.PersistentFlags().VisitAll(func(f *pflag.Flag) {
		if f.Name != "config" { // the one global flag the origin reads
			client = append(client, "--"+f.Name+" ")
		}
	})
	origin, _, err := root.Find([]string{"origin"})
	if err != nil {
		t.Fatal(err)
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		path := strings.Fields(c.CommandPath())[1:]
		for _, args := range [][]string{append(slices.Clone(path), "--help"), append([]string{"help"}, path...)} {
			out, errOut, code := segue(t, append(slices.Clone(env), args...)...)
			global := out[strings.Index(out, "Global Flags:")+1:]
			if code != 0 || !strings.Contains(out, "Global Flags:") || !strings.Contains(global, "--config ") {
				t.Errorf("segue %s: exit %d, stderr %q; want a help whose global flags list --config:\n%s", strings.Join(args, " "), code, errOut, out)
			}
			for _, f := range client {
				if strings.Contains(global, f) {
					t.Errorf("segue %s lists %s, a flag of the client's that the origin's commands do not read:\n%s", strings.Join(args, " "), f, out)
				}
			}
			c.LocalFlags().VisitAll(func(f *pflag.Flag) {
				if !f.Hidden && !strings.Contains(out, "--"+f.Name+" ") {
					t.Errorf("segue %s does not list its own flag --%s", strings.Join(args, " "), f.Name)
				}
			})
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(origin)
	origin.SetOut(io.Discard)
	if err := hostingUsage(origin); err != nil {
		t.Fatal(err)
	}
	root.PersistentFlags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			t.Errorf("--%s is hidden after an origin command's usage", f.Name)
		}
	})
	out, _, _ := segue(t, append(slices.Clone(env), "search", "--help")...)
	for _, f := range client {
		if !strings.Contains(out, f) {
			t.Errorf("segue search --help does not list %s after an origin command's help", f)
		}
	}
	// the shell's completion offers what the help lists
	for _, words := range [][]string{{"origin", "serve", "--"}, {"origin", "token", "list", "--"}, {"search", "--"}} {
		out, _, _ := segue(t, append([]string{"__complete"}, words...)...)
		offered := func(f string) bool { return strings.Contains(out, strings.TrimSpace(f)+"\t") }
		if !offered("--config") {
			t.Errorf("segue __complete %s does not offer --config:\n%s", strings.Join(words, " "), out)
		}
		for _, f := range client {
			if offered(f) != (words[0] == "search") {
				t.Errorf("segue __complete %s: offers %s %v:\n%s", strings.Join(words, " "), f, offered(f), out)
			}
		}
	}
}
