//go:build !segue_client

package cli

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestDidYouMean: a mistyped command, flag or help topic is a usage error
// (2) whose one sentence names what it most likely meant, at the top of the
// tree and below it; a word near nothing keeps the sentence it had.
func TestDidYouMean(t *testing.T) {
	env := []string{"--config", filepath.Join(t.TempDir(), "empty.toml")}
	if err := os.WriteFile(env[1], nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"plya"}, `segue: unknown command "plya" for "segue" (did you mean play? see segue --help)` + "\n"},
		{[]string{"pla"}, `segue: unknown command "pla" for "segue" (did you mean play or playlist? see segue --help)` + "\n"},
		{[]string{"origin", "ingets"}, `segue: unknown command "ingets" for "segue origin" (did you mean ingest? see segue origin --help)` + "\n"},
		{[]string{"origin", "ingets", "--help"}, `segue: unknown command "ingets" for "segue origin" (did you mean ingest? see segue origin --help)` + "\n"},
		{[]string{"ctl", "stauts", "--json"}, `segue: unknown command "stauts" for "segue ctl" (did you mean status? see segue ctl --help)` + "\n"},
		{[]string{"pl", "shwo"}, `segue: unknown command "shwo" for "segue playlist" (did you mean show? see segue playlist --help)` + "\n"},
		{[]string{"bogus"}, `segue: unknown command "bogus" for "segue" (see segue --help)` + "\n"},
		// a command without its group, or the words in the wrong order
		{[]string{"ingest", "origin", "lib"}, `segue: unknown command "ingest" for "segue" (did you mean origin ingest? see segue --help)` + "\n"},
		{[]string{"serve"}, `segue: unknown command "serve" for "segue" (did you mean origin serve or peer serve? see segue --help)` + "\n"},
		{[]string{"share", "pl1"}, `segue: unknown command "share" for "segue" (did you mean playlist share? see segue --help)` + "\n"},
		{[]string{"Pause"}, `segue: unknown command "Pause" for "segue" (did you mean ctl pause? see segue --help)` + "\n"},
		{[]string{"help", "ingest"}, `segue: no help topic "ingest" (did you mean origin ingest? see segue --help)` + "\n"},

		{[]string{"play", "--shufle", "t1"}, `segue: unknown flag: --shufle (did you mean --shuffle? see segue play --help)` + "\n"},
		{[]string{"play", "-shuffle", "t1"}, `segue: unknown shorthand flag: 's' in -shuffle (did you mean --shuffle? see segue play --help)` + "\n"},
		{[]string{"cache", "clear", "--keep"}, `segue: unknown flag: --keep (did you mean --keep-pinned? see segue cache clear --help)` + "\n"},
		{[]string{"search", "--limt", "3", "x"}, `segue: unknown flag: --limt (did you mean --limit? see segue search --help)` + "\n"},
		{[]string{"search", "x", "--orign", "http://h"}, `segue: unknown flag: --orign (did you mean --origin? see segue search --help)` + "\n"}, // a global flag
		{[]string{"origin", "serve", "--adr", "127.0.0.1:1"}, `segue: unknown flag: --adr (did you mean --addr? see segue origin serve --help)` + "\n"},
		{[]string{"search", "x", "--bogus"}, `segue: unknown flag: --bogus (see segue search --help)` + "\n"},
		{[]string{"ctl", "queue", "list", "--bogus"}, `segue: unknown flag: --bogus (see segue ctl queue --help)` + "\n"}, // ctl's verbs read their own flags; it said "unknown flag --bogus"
		{[]string{"ctl", "seek", "--instanse", "x", "10"}, `segue: unknown flag: --instanse (did you mean --instance? see segue ctl seek --help)` + "\n"},
		{[]string{"ctl", "seek", "10", "--instance"}, `segue: flag needs an argument: --instance (see segue ctl seek --help)` + "\n"},
		{[]string{"play", "-z", "t1"}, `segue: unknown shorthand flag: 'z' in -z (see segue play --help)` + "\n"},

		{[]string{"help", "plya"}, `segue: no help topic "plya" (did you mean play? see segue --help)` + "\n"},
		{[]string{"help", "origin", "ingets"}, `segue: no help topic "origin ingets" (did you mean origin ingest? see segue origin --help)` + "\n"},
		{[]string{"help", "bogus"}, `segue: no help topic "bogus" (see segue --help)` + "\n"},
		{[]string{"help", "search", "extra"}, `segue: no help topic "search extra" (see segue search --help)` + "\n"},
	} {
		args := append(slices.Clone(env), c.args...)
		out, errOut, code := segue(t, args...)
		if code != ExitUsage || errOut != c.want || out != "" && !slices.Contains(c.args, "--json") {
			t.Errorf("segue %v: exit %d, stdout %.80q, stderr %q; want exit 2, stderr %q", c.args, code, out, errOut, c.want)
		}
	}
	// help on a real topic is still help
	if out, errOut, code := segue(t, append(slices.Clone(env), "help", "origin", "ingest")...); code != ExitOK || errOut != "" || out == "" {
		t.Errorf("segue help origin ingest: exit %d, stderr %q, stdout %.60q; want its help, exit 0", code, errOut, out)
	}
}

// TestHostingCommandsListed: the names a client build suggests for the
// origin's commands (hostingCommands), whose origin command has none of
// its own, are those of this build's.
func TestHostingCommandsListed(t *testing.T) {
	root := (&app{}).rootCmd()
	for group, listed := range hostingCommands {
		cmd, _, err := root.Find([]string{group})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range cmd.Commands() {
			if c.IsAvailableCommand() {
				names = append(names, c.Name())
			}
		}
		slices.Sort(names)
		if !slices.Equal(names, listed) {
			t.Errorf("hostingCommands[%q] = %q; segue %s has %q", group, listed, group, names)
		}
	}
}
