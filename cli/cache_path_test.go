package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"segue/internal/testkit"
)

// TestCacheThatIsNotACache: a mistyped --cache naming a file that is not a
// segue cache (a text file, another program's SQLite database) is a bad
// setting, exit 2, said in one sentence naming the file, what it is and
// what to give instead, and the file is left as it was: "segue search x
// --cache ~/notes.txt" renamed notes.txt to notes.txt.corrupt-TIME and made
// a cache in its place. Both for commands that fall back to a cache in
// memory (search) and those that need the file (cache stats).
func TestCacheThatIsNotACache(t *testing.T) {
	for _, tc := range []struct {
		name, file, want string
		make             func(path string) error
	}{
		{"text", "notes.txt", "it is not an SQLite file", func(path string) error {
			return os.WriteFile(path, []byte("buy milk\ncall Ada\n"), 0o600)
		}},
		{"foreign", "contacts.db", "it is another program's SQLite database", testkit.ForeignSQLite},
	} {
		for _, args := range [][]string{{"search", "x"}, {"cache", "stats"}} {
			t.Run(tc.name+" "+args[0], func(t *testing.T) {
				dir := t.TempDir()
				path := filepath.Join(dir, tc.file)
				if err := tc.make(path); err != nil {
					t.Fatal(err)
				}
				before, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				env := clientEnv(t, "http://127.0.0.1:1")
				out, errOut, code := segue(t, append(env, append(args, "--cache", path)...)...)
				if code != ExitUsage || out != "" || strings.Count(strings.TrimSpace(errOut), "\n") != 0 ||
					!strings.Contains(errOut, path) || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, "give --cache") {
					t.Errorf("%v --cache %s: exit %d, stdout %q, stderr %q; want exit %d and one line naming the file, %q, and what to give instead",
						args, tc.file, code, out, errOut, ExitUsage, tc.want)
				}
				after, err := os.ReadFile(path)
				if err != nil || !bytes.Equal(after, before) {
					t.Errorf("the file changed (%v)", err)
				}
				if names, _ := filepath.Glob(filepath.Join(dir, "*")); len(names) != 1 {
					t.Errorf("files beside it: %v, want the file alone", names)
				}
			})
		}
	}
}

// TestUnusableCacheFolderSaysWhatToDo: the commands that need the cache
// file (cache stats, offline add) under a folder that cannot be made say
// which path failed, why, and what to do (exit 1, with and without
// --json); they ended at "mkdir X: not a directory".
func TestUnusableCacheFolderSaysWhatToDo(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(blocker, "segue", "cache.db")
	env := append(clientEnv(t, "http://127.0.0.1:9"), "--cache", path)
	for _, args := range [][]string{{"cache", "stats"}, {"cache", "gc"}, {"offline", "add", "t1"}} {
		for _, run := range [][]string{args, append(slices.Clone(args), "--json")} {
			_, errOut, code := segue(t, append(slices.Clone(env), run...)...)
			msg := checkFailure(t, strings.Join(run, " "), errOut, code, ExitError)
			want := "open cache " + path + ": create its folder: mkdir " + blocker + ": not a directory (fix that folder, or give another cache file with --cache, SEGUE_CACHE or [cache] path)"
			if msg != want {
				t.Errorf("segue %s: %q; want %q", strings.Join(run, " "), msg, want)
			}
		}
	}
}

// TestGivenCacheFolderIsNotMade: a cache path given by --cache,
// SEGUE_CACHE or the config's cache.path whose folder does not exist (a
// typo) makes no folder: the commands that need the file refuse it (exit
// 2, with and without --json) naming the setting and the folder, and the
// others say so in one warning and keep a cache in memory for the run.
// segue made the folders wherever the path pointed. The default cache's
// folder is still made.
func TestGivenCacheFolderIsNotMade(t *testing.T) {
	typo := filepath.Join(t.TempDir(), "typo")
	path := filepath.Join(typo, "deeper", "c.db")
	env := clientEnv(t, "http://127.0.0.1:9")
	withPath := filepath.Join(t.TempDir(), "config.toml")
	body, err := os.ReadFile(env[1])
	if err != nil {
		t.Fatal(err)
	}
	body = []byte(strings.Replace(string(body), "[cache]\npath = ", "[cache]\npath = "+strconvQuote(path)+"\n#", 1))
	if err := os.WriteFile(withPath, body, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, way := range []struct {
		setting string
		args    []string
		envVar  bool
	}{
		{"--cache", append(slices.Clone(env), "--cache", path), false},
		{"SEGUE_CACHE", slices.Clone(env), true},
		{"config " + withPath + ": cache.path", []string{"--config", withPath}, false},
	} {
		t.Run(way.setting, func(t *testing.T) {
			if way.envVar {
				t.Setenv("SEGUE_CACHE", path)
			}
			for _, args := range [][]string{{"cache", "stats"}, {"cache", "stats", "--json"}, {"cache", "gc"}, {"offline", "add", "t1"}} {
				_, errOut, code := segue(t, append(slices.Clone(way.args), args...)...)
				msg := checkFailure(t, strings.Join(args, " "), errOut, code, ExitUsage)
				if want := way.setting + ": the folder " + filepath.Dir(path) + " does not exist (make it, or check the path)"; msg != want {
					t.Errorf("segue %s: %q; want %q", strings.Join(args, " "), msg, want)
				}
			}
			_, errOut, _ := segue(t, append(slices.Clone(way.args), "search", "x")...)
			if strings.Count(errOut, "without a disk cache") != 1 || !strings.Contains(errOut, filepath.Dir(path)+" does not exist") {
				t.Errorf("segue search: stderr %q; want one warning that the folder does not exist and a cache in memory", errOut)
			}
			if _, err := os.Stat(typo); err == nil {
				t.Fatalf("%s named a cache in a folder that does not exist, and segue made %s", way.setting, typo)
			}
		})
	}

	home := filepath.Join(t.TempDir(), "fresh")
	cmd := exec.Command(segueBinary(t), "cache", "stats")
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+filepath.Join(home, "cache"), "XDG_CONFIG_HOME="+filepath.Join(home, "config"),
		"XDG_STATE_HOME="+filepath.Join(home, "state"), "SEGUE_CACHE=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cache stats with the default cache under a fresh XDG_CACHE_HOME: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(home, "cache", "segue", "cache.db")); err != nil {
		t.Errorf("the default cache was not made: %v", err)
	}
}
