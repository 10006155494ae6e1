package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
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
	// (the cache commands say a cache not there is not: TestCacheCommandsMakeNoCache)
	_, errOut, code := segue(t, append(clientEnv(t, "http://127.0.0.1:9"), "--cache", path, "offline", "add", "t1")...)
	msg := checkFailure(t, "offline add", errOut, code, ExitError)
	if want := "open cache " + path + ": its folder " + ro + " cannot be written: read-only file system (the file system there is read-only: mount it read-write, or give another cache file with --cache, SEGUE_CACHE or [cache] path on another)"; msg != want {
		t.Errorf("offline add on a read-only file system: %q; want %q", msg, want)
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
	// offline list makes it (the cache commands make none: TestCacheCommandsMakeNoCache)
	cmd := exec.Command(segueBinary(t), "--origin", "http://127.0.0.1:9", "offline", "list")
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+filepath.Join(home, "cache"), "XDG_CONFIG_HOME="+filepath.Join(home, "config"),
		"XDG_STATE_HOME="+filepath.Join(home, "state"), "SEGUE_CACHE=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("offline list with the default cache under a fresh XDG_CACHE_HOME: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(home, "cache", "segue", "cache.db")); err != nil {
		t.Errorf("the default cache was not made: %v", err)
	}
}

// TestUnreadableCacheSaysWhatToDo: segue cache stats, verify, gc and
// clear on a cache file its user may not read and write (chmod 000,
// chmod 444) or in a folder it may not write (chmod 555) say which path,
// why, and what to do (exit 1, with and without --json, where the sentence
// is the JSON error), and leave the file as it was; a file that is not a
// segue cache is a bad setting (exit 2). They said "permission denied" or
// "attempt to write a readonly database" and "(fix that folder, ...)",
// also of a file. As root (which any mode lets through) segue runs as
// nobody.
func TestUnreadableCacheSaysWhatToDo(t *testing.T) {
	dir, err := os.MkdirTemp("", "segue-unreadable-") // not under t.TempDir(), whose parent (0700) nobody cannot enter
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "segue")
	if b, err := os.ReadFile(segueBinary(t)); err != nil || os.WriteFile(bin, b, 0o755) != nil {
		t.Fatalf("copy segue: %v", err)
	}
	who, cred := "", (*syscall.Credential)(nil)
	if os.Getuid() == 0 {
		who, cred = "nobody", &syscall.Credential{Uid: 65534, Gid: 65534}
		if err := os.Chown(dir, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	} else if u, err := user.Current(); err == nil {
		who = u.Username
	}
	run := func(args ...string) (stdout, stderr string, code int) {
		cmd := exec.Command(bin, append([]string{"--origin", "http://127.0.0.1:9"}, args...)...)
		cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
			"XDG_STATE_HOME="+filepath.Join(dir, "state"), "XDG_CACHE_HOME="+filepath.Join(dir, "cache"))
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		return o.String(), e.String(), processExit(err)
	}
	for _, tc := range []struct {
		name  string
		spoil func(folder, file string) error
		code  int
		want  func(folder, file string) string
	}{
		{"file 000", func(_, file string) error { return os.Chmod(file, 0) }, ExitError, func(_, file string) string {
			return "open cache " + file + ": cannot read and write " + file + ": permission denied (user " + who + " may not read and write it: run segue as a user who may, change its owner or mode (as its owner: chmod u+rw " + file + "), or give another cache file with --cache, SEGUE_CACHE or [cache] path)"
		}},
		{"file 444", func(_, file string) error { return os.Chmod(file, 0o444) }, ExitError, func(_, file string) string {
			return "open cache " + file + ": cannot read and write " + file + ": permission denied (user " + who + " may not read and write it: run segue as a user who may, change its owner or mode (as its owner: chmod u+rw " + file + "), or give another cache file with --cache, SEGUE_CACHE or [cache] path)"
		}},
		{"folder 555", func(folder, _ string) error { return os.Chmod(folder, 0o555) }, ExitError, func(folder, file string) string {
			return "open cache " + file + ": its folder " + folder + " cannot be written: permission denied (user " + who + " may not make files in it: run segue as a user who may, change its owner or mode (as its owner: chmod u+rwx " + folder + "), or give another cache file with --cache, SEGUE_CACHE or [cache] path)"
		}},
		{"not SQLite", func(_, file string) error { return os.WriteFile(file, []byte("my notes\n"), 0o600) }, ExitUsage, func(_, file string) string {
			return "open cache: " + file + " is not a segue cache: it is not an SQLite file; give --cache (SEGUE_CACHE, [cache] path) segue's cache file or a new path, e.g. " + filepath.Join(dir, "cache", "segue", "cache.db")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			folder := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			file := filepath.Join(folder, "c.db")
			if err := os.Mkdir(folder, 0o755); err != nil {
				t.Fatal(err)
			}
			if cred != nil {
				os.Chown(folder, 65534, 65534)
			}
			// the cache commands make none (TestCacheCommandsMakeNoCache),
			// nor offline list at a --cache that is not there: at config's
			// path it does
			cfg := filepath.Join(folder, "config.toml")
			if err := os.WriteFile(cfg, []byte("[cache]\npath = "+strconvQuote(file)+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, errOut, code := run("--config", cfg, "offline", "list"); code != 0 {
				t.Fatalf("make the cache: exit %d, %s", code, errOut)
			}
			if err := tc.spoil(folder, file); err != nil {
				t.Fatal(err)
			}
			before, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want(folder, file)
			for _, args := range [][]string{{"cache", "stats"}, {"cache", "verify"}, {"cache", "gc"}, {"cache", "clear"}, {"cache", "stats", "--json"}, {"cache", "clear", "--json"}} {
				name := strings.Join(args, " ")
				out, errOut, code := run(append([]string{"--cache", file}, args...)...)
				if msg := checkFailure(t, name, errOut, code, tc.code); msg != want {
					t.Errorf("segue %s: %q; want %q", name, msg, want)
				}
				var j struct{ Error string }
				if slices.Contains(args, "--json") && (json.Unmarshal([]byte(out), &j) != nil || j.Error != want) {
					t.Errorf("segue %s: stdout %q; want {\"error\": %q}", name, out, want)
				}
			}
			if after, err := os.ReadFile(file); err != nil || !bytes.Equal(after, before) {
				t.Errorf("the cache file changed (%v)", err)
			}
		})
	}
}

// TestCacheCommandsMakeNoCache: segue cache stats, verify, gc and clear
// read, tidy or empty a cache that is there; given a path that names no
// file in a folder that exists (--cache, SEGUE_CACHE, a fresh default
// cache), they made a new cache there (cache.db and a 2 MiB
// cache.db-reserve) and reported on it, so a mistyped --cache looked like
// an empty cache (clear, with or without --keep-pinned, until the last). They now say there
// is no cache at that path and how segue makes one, exit 3 (a file named
// that does not exist), the same with --json, and make no file or folder.
func TestCacheCommandsMakeNoCache(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9")
	dir := t.TempDir()
	path := filepath.Join(dir, "typo.db")
	commands := [][]string{{"cache", "stats"}, {"cache", "verify"}, {"cache", "gc"}, {"cache", "clear"}, {"cache", "clear", "--keep-pinned"}}
	check := func(name string, args []string, path string, env ...string) {
		t.Helper()
		for _, run := range [][]string{args, append(slices.Clone(args), "--json")} {
			cmd := exec.Command(segueBinary(t), run...)
			cmd.Env = append(os.Environ(), env...)
			var o, e bytes.Buffer
			cmd.Stdout, cmd.Stderr = &o, &e
			code := processExit(cmd.Run())
			out, errOut := o.String(), e.String()
			msg := checkFailure(t, name+" "+strings.Join(run, " "), errOut, code, ExitNotFound)
			if !strings.HasPrefix(msg, "there is no cache at "+path+":") || !strings.Contains(msg, "segue play") {
				t.Errorf("%s %v: %q; want it to say there is no cache at %s and how one is made", name, run, msg, path)
			}
			var j struct{ Error string }
			if slices.Contains(run, "--json") && (json.Unmarshal([]byte(out), &j) != nil || j.Error != msg) {
				t.Errorf("%s %v: stdout %q; want {\"error\": %q}", name, run, out, msg)
			}
		}
	}
	for _, args := range commands {
		check("--cache", append(append(slices.Clone(env), "--cache", path), args...), path)
	}
	t.Setenv("SEGUE_CACHE", path)
	for _, args := range commands {
		check("SEGUE_CACHE", append(slices.Clone(env), args...), path)
	}
	t.Setenv("SEGUE_CACHE", "")
	if names, _ := filepath.Glob(filepath.Join(dir, "*")); len(names) != 0 {
		t.Errorf("files made in the folder of a cache that was not there: %v", names)
	}

	// the default cache before segue first ran: no folder is made either
	home := filepath.Join(t.TempDir(), "fresh")
	def := filepath.Join(home, "cache", "segue", "cache.db")
	for _, args := range commands {
		check("default", args, def, "XDG_CACHE_HOME="+filepath.Join(home, "cache"), "XDG_CONFIG_HOME="+filepath.Join(home, "config"),
			"XDG_STATE_HOME="+filepath.Join(home, "state"), "SEGUE_CACHE=")
	}
	if _, err := os.Stat(filepath.Join(home, "cache")); err == nil {
		t.Errorf("cache stats, verify, gc or clear made %s", filepath.Join(home, "cache"))
	}
}
