package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"segue/cache"
)

// TestDamagedCacheIsClearedAfresh: a cache file whose data pages were
// overwritten (its header intact, so it opens) made segue cache verify and
// cache clear fail with SQLite's words, "verify cache: database disk image
// is malformed" and "clear the cache: ...", exit 1 with no way out: the
// command for starting afresh could not. verify now names the file, says
// it is damaged and that clear starts afresh; clear --keep-pinned says the
// pins cannot be kept apart and to clear without it; clear deletes the
// file and says so (with --json too), and the next command has a working
// cache.
func TestDamagedCacheIsClearedAfresh(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	c, err := cache.Open(path, cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		seg := make([]byte, 8<<10)
		for j := range seg {
			seg[j] = byte(r.IntN(256))
		}
		sum := sha256.Sum256(seg)
		if err := c.Put(hex.EncodeToString(sum[:]), seg); err != nil {
			t.Fatalf("segment %d: %v", i, err)
		}
	}
	c.Close()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	garbage := make([]byte, 64<<10)
	for j := range garbage {
		garbage[j] = byte(r.IntN(256))
	}
	if _, err := f.WriteAt(garbage, 200<<10); err != nil {
		t.Fatal(err)
	}
	f.Close()

	env := append(clientEnv(t, "http://127.0.0.1:9"), "--cache", path)
	damaged := "the cache file " + path + " is damaged (database disk image is malformed)"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"cache", "verify"}, damaged + ": segue cache clear empties it and starts afresh (what was pinned for offline use goes too: segue offline add downloads it again)"},
		{[]string{"cache", "clear", "--keep-pinned"}, damaged + ": its pinned segments cannot be told from the rest; segue cache clear without --keep-pinned empties it and starts afresh (segue offline add downloads the pins again)"},
	} {
		for _, asJSON := range []bool{false, true} {
			args := c.args
			if asJSON {
				args = append(append([]string{}, args...), "--json")
			}
			out, errOut, code := segue(t, append(env, args...)...)
			if code != ExitError || !strings.Contains(errOut, c.want) {
				t.Errorf("segue %s: exit %d, stderr\n%q\nwant exit %d and\n%q", strings.Join(args, " "), code, errOut, ExitError, c.want)
			}
			if asJSON && !strings.Contains(out, `"error"`) {
				t.Errorf("segue %s printed %q; want {\"error\": ...}", strings.Join(args, " "), out)
			}
		}
	}
	out, errOut, code := segue(t, append(env, "cache", "clear")...)
	if want := "the cache file " + path + " was damaged (database disk image is malformed): deleted its files ("; code != 0 || !strings.HasPrefix(out, want) {
		t.Fatalf("segue cache clear of the damaged cache: exit %d, %q, stderr %q; want 0 and %q...", code, out, errOut, want)
	}
	// the files are gone: verify, stats and clear say so and make none
	// (TestCacheCommandsMakeNoCache); the next command that keeps one
	// (offline list here, with the path from config.toml, as a --cache that
	// is not there it refuses: TestReadingCommandsMakeNoGivenCache) starts a
	// working cache
	for _, args := range [][]string{{"cache", "verify"}, {"cache", "stats"}, {"cache", "clear"}} {
		if _, errOut, code := segue(t, append(env, args...)...); code != ExitNotFound || !strings.Contains(errOut, "there is no cache at "+path) {
			t.Errorf("segue %s after the clear: exit %d, %s; want %d, there is no cache", strings.Join(args, " "), code, errOut, ExitNotFound)
		}
	}
	segueOK(t, "--config", cacheConfig(t, path), "offline", "list")
	for _, args := range [][]string{{"cache", "verify"}, {"cache", "stats"}, {"cache", "clear"}} {
		if _, errOut, code := segue(t, append(env, args...)...); code != 0 {
			t.Errorf("segue %s after a fresh cache was made: exit %d, %s", strings.Join(args, " "), code, errOut)
		}
	}
}

// cacheConfig writes a config.toml whose [cache] path is path (the log kept
// beside it) and returns its path: the cache a command there keeps is one
// the user set up, which offline list makes when it is not there yet.
func cacheConfig(t *testing.T, path string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	body := "origin = \"http://127.0.0.1:9\"\nlog_file = " + strconvQuote(filepath.Join(dir, "segue.log")) + "\n[cache]\npath = " + strconvQuote(path) + "\n"
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}
