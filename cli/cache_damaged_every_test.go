package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"segue/cache"
	"segue/internal/testkit"
)

// TestDamagedCacheSaidByEveryCommand: a cache file damaged in a page that
// opening does not read (a bad sector, a crash of the file system) was
// met by each command that read the page in its own way: cache stats and
// gc said "read cache totals: database disk image is malformed", offline
// add "read the cache's pins: database disk image is malformed", and
// search, library, radio, playlist list, offline list, play, peer serve
// and the interface, which take a failed read for a miss and fetch from
// the network, said nothing however often they met it. Each now says the
// one sentence (cache.DamagedError's Plain) once: as its error, exit 1
// (with --json, as {"error": ...} too), where it cannot do its work
// without the cache; else as a warning on stderr (the interface on its
// status line), exit 0, having done its work from the network. The file
// is left where it is (cache clear is the way out), and the config and the
// offline list are untouched.
//
// The damage is the root page of the index of keys, which every lookup of
// a segment or document by its key reads: 64 KiB overwritten in the
// middle of a file hits what it hits, and each command meets it or not.
func TestDamagedCacheSaidByEveryCommand(t *testing.T) {
	url, _ := playOrigin(t)
	tracks := tones(t, url)
	env := clientEnv(t, url)
	dir := filepath.Dir(env[1])
	path, offlineList := filepath.Join(dir, "cache.db"), filepath.Join(dir, "state", "offline.json")
	wav := filepath.Join(t.TempDir(), "out.wav")
	// a cache a listener has: listings browsed, a track pinned, one played
	segueOK(t, append(env, "search", "tone")...)
	segueOK(t, append(env, "library")...)
	segueOK(t, append(env, "offline", "add", tracks[0].ID)...)
	segueOK(t, append(env, "play", tracks[1].ID, "--output", "wav:"+wav, "--fast")...)
	pristine := filepath.Join(t.TempDir(), "cache.db")
	if err := os.WriteFile(pristine, readFile(t, path), 0o600); err != nil {
		t.Fatal(err)
	}
	config, pins := readFile(t, env[1]), readFile(t, offlineList)
	said := "the cache file " + path + " is damaged (database disk image is malformed): " + cache.StartAfresh

	// peer serve and the interface run until stopped: as processes
	bin := segueBinary(t)
	peerServe := func(t *testing.T) (string, string, int) {
		cmd := exec.Command(bin, append(env, "peer", "serve", "--listen", "127.0.0.1:0")...)
		var out, errOut testkit.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		testkit.Wait(t, time.Minute, "peer serve to say the cache is damaged", func() bool { return strings.Contains(errOut.String(), said) })
		cmd.Process.Signal(syscall.SIGINT)
		cmd.Wait()
		return out.String(), errOut.String(), 0
	}
	tui := func(t *testing.T) (string, string, int) {
		s := startTUIWith(t, url, 200, 20, t.TempDir(), "SEGUE_CACHE="+path)
		screen := s.waitScreen("the status line to say the cache is damaged", func(scr string) bool {
			return strings.Contains(strings.Join(strings.Fields(scr), " "), said)
		})
		s.keys("q")
		return screen, "", 0
	}

	for _, c := range []struct {
		args []string
		run  func(*testing.T) (stdout, stderr string, code int) // nil: segue ARGS in this process
		want int
	}{
		{args: []string{"cache", "stats"}, want: ExitError},
		{args: []string{"cache", "stats", "--json"}, want: ExitError},
		{args: []string{"cache", "verify"}, want: ExitError},
		{args: []string{"cache", "gc"}, want: ExitError},
		{args: []string{"offline", "add", tracks[1].AlbumID}, want: ExitError},
		{args: []string{"offline", "add", tracks[1].AlbumID, "--json"}, want: ExitError},
		{args: []string{"offline", "list"}, want: ExitOK},
		{args: []string{"search", "tone"}, want: ExitOK},
		{args: []string{"library"}, want: ExitOK},
		{args: []string{"radio", tracks[1].ID}, want: ExitOK}, // tracks[0] was pinned, not played
		{args: []string{"playlist", "list"}, want: ExitOK},
		{args: []string{"play", tracks[0].ID, "--output", "wav:" + wav, "--fast"}, want: ExitOK},
		{args: []string{"play", tracks[0].ID, "--output", "wav:" + wav, "--fast", "--json"}, want: ExitOK},
		{args: []string{"peer", "serve"}, run: peerServe},
		{args: []string{"interface"}, run: tui}, // the name is a folder in a shell line: no brackets
	} {
		t.Run(strings.ReplaceAll(strings.Join(c.args, " "), wav, "out.wav"), func(t *testing.T) {
			for _, f := range []string{path + "-wal", path + "-shm"} {
				os.Remove(f)
			}
			if err := os.WriteFile(path, readFile(t, pristine), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(offlineList, pins, 0o600); err != nil {
				t.Fatal(err)
			}
			testkit.DamagePage(t, path, "sqlite_autoindex_entries_1")
			var out, errOut string
			code := c.want
			if c.run != nil {
				out, errOut, code = c.run(t)
				if c.args[0] != "peer" { // the interface says it on its screen
					errOut = strings.Join(strings.Fields(out), " ")
				}
			} else {
				out, errOut, code = segue(t, append(env, c.args...)...)
			}
			if code != c.want || strings.Count(errOut, said) != 1 {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and once:\n%s", code, errOut, c.want, said)
			}
			if code != ExitOK && wantsJSON(c.args) {
				var e map[string]string
				if json.Unmarshal([]byte(out), &e) != nil || e["error"] != said {
					t.Errorf("stdout %q; want {\"error\": %q}", out, said)
				}
			}
			if aside, _ := filepath.Glob(path + ".corrupt-*"); len(aside) > 0 || fileSize(path) == 0 {
				t.Errorf("the cache file was moved (%v) or emptied: cache clear is the way out, not any command", aside)
			}
			if string(readFile(t, env[1])) != string(config) || string(readFile(t, offlineList)) != string(pins) {
				t.Error("the config or the offline list changed")
			}
		})
	}
}

// TestTUISaysDamagedCacheMovedAside: a cache file damaged where opening
// reads it is moved aside and a fresh one made, which play and the other
// commands say on stderr; the interface said it only in its log file, and
// the albums pinned for offline use were gone without a word. It is now
// among the warnings on its status line at start.
func TestTUISaysDamagedCacheMovedAside(t *testing.T) {
	url, _ := playOrigin(t)
	tracks := tones(t, url)
	env := clientEnv(t, url)
	path := filepath.Join(filepath.Dir(env[1]), "cache.db")
	segueOK(t, append(env, "offline", "add", tracks[0].ID)...)
	testkit.DamagePage(t, path, "totals")
	s := startTUIWith(t, url, 200, 20, t.TempDir(), "SEGUE_CACHE="+path)
	want := "the cache file " + path + " is damaged (database disk image is malformed): moved it aside to " + path + ".corrupt-"
	s.waitScreen("the status line to say the cache was moved aside", func(scr string) bool {
		return strings.Contains(strings.Join(strings.Fields(scr), " "), want)
	})
	s.keys("q")
}

// TestOfflineAddOverDamagedSegmentsFails: offline add of a track whose
// segments were cached (played) in a file whose blobs are damaged read
// each segment, took the failure for a miss, fetched it again, found its
// row there and pinned it: "pinned track ...", exit 0, and the bytes that
// were to play offline stayed damaged. A command that needs the cache
// file fails of damage it met, as it does of damage it could not go on
// from.
func TestOfflineAddOverDamagedSegmentsFails(t *testing.T) {
	url, _ := playOrigin(t)
	tracks := tones(t, url)
	env := clientEnv(t, url)
	path := filepath.Join(filepath.Dir(env[1]), "cache.db")
	segueOK(t, append(env, "play", tracks[0].ID, "--quality", "normal", "--output", "wav:"+filepath.Join(t.TempDir(), "out.wav"), "--fast")...)
	testkit.DamagePage(t, path, "blobs")
	said := "the cache file " + path + " is damaged (database disk image is malformed): " + cache.StartAfresh
	out, errOut, code := segue(t, append(env, "offline", "add", tracks[0].ID)...)
	if code != ExitError || strings.Count(errOut, said) != 1 {
		t.Errorf("offline add over damaged segments: exit %d, %s\nstderr:\n%s\nwant exit %d and once:\n%s", code, out, errOut, ExitError, said)
	}
}
