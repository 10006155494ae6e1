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
// file (cache stats, offline add) under a folder that cannot be made, or on
// a read-only file system, say which path failed, why, and what fixes that
// (exit 1, with and without --json); they ended at "mkdir X: not a
// directory", then said "fix that folder" whatever the problem.
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
			want := "open cache " + path + ": create its folder: mkdir " + blocker + ": not a directory (" + blocker + " is a file where its folder should be: move that file, or give another cache file with --cache, SEGUE_CACHE or [cache] path)"
			if msg != want {
				t.Errorf("segue %s: %q; want %q", strings.Join(run, " "), msg, want)
			}
		}
	}
	ro := filepath.Join(t.TempDir(), "ro")
	mountTmpfs(t, ro, "1m")
	if out, err := exec.Command("mount", "-o", "remount,ro", ro).CombinedOutput(); err != nil {
		t.Fatalf("remount %s read-only: %v\n%s", ro, err, out)
	}
	path = filepath.Join(ro, "cache.db")
	_, errOut, code := segue(t, append(clientEnv(t, "http://127.0.0.1:9"), "--cache", path, "cache", "stats")...)
	msg := checkFailure(t, "cache stats", errOut, code, ExitError)
	if want := "open cache " + path + ": read-only file system (" + ro + " is on a read-only file system: mount it read-write, or give another cache file with --cache, SEGUE_CACHE or [cache] path)"; msg != want {
		t.Errorf("cache stats on a read-only file system: %q; want %q", msg, want)
	}
}
