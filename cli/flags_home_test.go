package cli

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"segue/cache"
)

// homeCase is a command given paths that begin with "~" where no shell
// expands it (--flag=~/x, a quoted argument): its exit status and what its
// stderr says, HOME standing for the home directory.
type homeCase struct {
	name string
	args []string
	code int
	says string
}

// homeTest is a home directory of the test's own and a current folder
// where a path read as a folder named "~" would land.
type homeTest struct{ home, cwd string }

func newHomeTest(t *testing.T) homeTest {
	h := homeTest{home: t.TempDir(), cwd: t.TempDir()}
	t.Setenv("HOME", h.home)
	t.Chdir(h.cwd)
	return h
}

// check runs each case in env and checks its exit status and sentence;
// then that nothing named "~" was made in the current folder.
func (h homeTest) check(t *testing.T, env []string, cases []homeCase) {
	for _, c := range cases {
		_, errOut, code := segue(t, append(slices.Clone(env), c.args...)...)
		says := strings.ReplaceAll(c.says, "HOME", h.home)
		if code != c.code || !strings.Contains(errOut, says) {
			t.Errorf("%s: segue %s: exit %d, stderr %q; want %d saying %q", c.name, strings.Join(c.args, " "), code, errOut, c.code, says)
		}
	}
	if _, err := os.Lstat(filepath.Join(h.cwd, "~")); err == nil {
		t.Errorf("a folder or file named ~ was made in the current folder")
	}
}

// TestPathFlagsReadHome: a path flag written with "=" (--data=~/x) or a
// path argument in quotes reaches segue with its "~" unexpanded; it is the
// home directory, as in config.toml and the SEGUE_* variables. --data=~/x
// was a folder named "~" in the current one. Every string flag of the tree
// whose help names a file, folder or path is such a flag.
func TestPathFlagsReadHome(t *testing.T) {
	h := newHomeTest(t)
	env := clientEnv(t, "http://127.0.0.1:9")
	conf := "log_file = " + strconvQuote(filepath.Join(h.home, "segue.log")) + "\n[cache]\npath = \"~/c1.db\"\n"
	if err := os.WriteFile(filepath.Join(h.home, "segue.toml"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	// the cache the flags name is the one opened (a real SQLite file)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--config=~/segue.toml", "cache", "stats", "--json"}, "c1.db"},
		{append(slices.Clone(env), "--cache=~/c2.db", "cache", "stats", "--json"), "c2.db"},
	} {
		// made here: the cache commands make none (TestCacheCommandsMakeNoCache),
		// nor offline list at a --cache (TestReadingCommandsMakeNoGivenCache)
		made, err := cache.Open(filepath.Join(h.home, c.want), cache.Options{})
		if err != nil {
			t.Fatal(err)
		}
		made.Close()
		var st cache.Stats
		decodeJSON(t, segueOK(t, c.args...), &st)
		if want := filepath.Join(h.home, c.want); st.Path != want {
			t.Errorf("segue %s: the cache is %s, want %s", strings.Join(c.args, " "), st.Path, want)
		}
	}
	h.check(t, env, []homeCase{
		{"--ca", []string{"search", "tone", "--origin", "https://127.0.0.1:9", "--ca=~/none.pem"}, ExitUsage, "--ca: the authority file HOME/none.pem does not exist"},
		{"play --output wav:", []string{"play", "t0000000000000000", "--output=wav:~/nodir/x.wav"}, ExitUsage, "--output: the folder HOME/nodir does not exist"},
		{"playlist export -o", []string{"playlist", "export", "pl0000000000000000", "-o=~/nodir/x.m3u8"}, ExitUsage, "the folder HOME/nodir does not exist"},
		{"--password-file", []string{"search", "tone", "--origin", "subsonic+http://ann@127.0.0.1:9", "--password-file=~/pw"}, ExitUsage, "--password-file: HOME/pw does not exist"},
		{"playlist import of a quoted ~/FILE", []string{"playlist", "import", "~/none.m3u8"}, ExitNotFound, "playlist import: HOME/none.m3u8 does not exist"},
	})

	// every path flag of the tree reads "~"; the interface's --output too
	described := regexp.MustCompile(`(?i)\b(file|files|dir|directory|folder|path|PEM)\b`)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			switch v := f.Value.(type) {
			case *pathValue:
				return
			case *choice:
				if slices.ContainsFunc(v.choices, func(s string) bool { return strings.HasSuffix(s, ":") }) {
					if err := v.Set("wav:~/x.wav"); err != nil || *v.v != "wav:"+filepath.Join(h.home, "x.wav") {
						t.Errorf("%s --%s=wav:~/x.wav is %q (%v), want the file under the home directory", c.CommandPath(), f.Name, *v.v, err)
					}
				}
				return
			}
			// --instance and --name are names, whose help mentions a state dir or a file
			if f.Value.Type() == "string" && f.Name != "instance" && f.Name != "name" && described.MatchString(f.Usage) {
				t.Errorf("%s --%s (%q) is a plain string flag: make it a path flag (pathVar), so that a leading ~ is the home directory", c.CommandPath(), f.Name, f.Usage)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk((&app{stdout: io.Discard, stderr: io.Discard}).rootCmd())
}
