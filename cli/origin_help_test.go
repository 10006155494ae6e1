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

// TestOriginRefusesClientFlags: a global flag of the client's given to an
// origin command is a usage error naming it (it was accepted and did
// nothing), with --json too; --config and a command's own flag of the same
// name as a global (proxy-config --cache-size) are read.
func TestOriginRefusesClientFlags(t *testing.T) {
	env := []string{"--config", filepath.Join(t.TempDir(), "segue.toml")}
	if err := os.WriteFile(env[1], nil, 0o644); err != nil {
		t.Fatal(err)
	}
	root := (&app{stdout: io.Discard, stderr: io.Discard}).rootCmd()
	values := map[string]string{"origin": "http://127.0.0.1:9", "cache-size": "1GiB", "peer-listen": "127.0.0.1:0"}
	var client []string // --flag or --flag=value
	root.PersistentFlags().VisitAll(func(f *pflag.Flag) {
		switch {
		case f.Name == "config":
		case f.Value.Type() == "bool":
			client = append(client, "--"+f.Name)
		default:
			v, ok := values[f.Name]
			if !ok {
				v = filepath.Join(t.TempDir(), "x")
			}
			client = append(client, "--"+f.Name+"="+v)
		}
	})
	origin, _, err := root.Find([]string{"origin"})
	if err != nil {
		t.Fatal(err)
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		path := strings.Fields(c.CommandPath())[1:]
		if use := strings.Fields(c.Use); len(use) > 1 && !strings.HasPrefix(use[1], "-") {
			path = append(path, "x") // its argument
		}
		name := strings.Join(strings.Fields(c.CommandPath())[1:], " ")
		check := func(args []string, want string) {
			t.Helper()
			args = append(slices.Clone(env), args...)
			out, errOut, code := segue(t, args...)
			if code != ExitUsage || errOut != "segue: "+want+"\n" || out != "" {
				t.Errorf("segue %s: exit %d, stdout %q, stderr %q; want exit 2 and %q", strings.Join(args, " "), code, out, errOut, want)
			}
			if c.Flags().Lookup("json") == nil {
				return
			}
			out, _, code = segue(t, append(args, "--json")...)
			if wantJSON := `{"error":"` + want + `"}`; code != ExitUsage || strings.TrimSpace(out) != wantJSON {
				t.Errorf("segue %s --json: exit %d, stdout %q; want exit 2 and %s", strings.Join(args, " "), code, out, wantJSON)
			}
		}
		for _, f := range client {
			flag, _, _ := strings.Cut(f, "=")
			if c.LocalFlags().Lookup(flag[2:]) != nil {
				continue // its own (proxy-config --cache-size), checked below
			}
			check(append(slices.Clone(path), f), flag+" is a client setting; "+name+" does not read it")
		}
		check(append(slices.Clone(path), "--peer", "--origin=http://127.0.0.1:9", "--token=t"),
			"--origin, --peer and --token are client settings; "+name+" does not read them")
	}
	walk(origin)
	out, errOut, code := segue(t, append(slices.Clone(env), "origin", "proxy-config", "--listen", "127.0.0.1:8080", "--upstream", "127.0.0.1:7700",
		"--run-dir", t.TempDir(), "--cache-dir", t.TempDir(), "--cache-size", "3GiB")...)
	if code != 0 || !strings.Contains(out, "max_size=3") {
		t.Errorf("origin proxy-config --cache-size 3GiB: exit %d, stderr %q, stdout:\n%s", code, errOut, out)
	}
}
