package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"segue/cache"
	"segue/catalog"
	"segue/internal/testkit"
)

// TestReadingCommandsMakeNoGivenCache: the commands that only read or
// serve a cache that is there, segue offline list and segue peer serve,
// given a --cache (or SEGUE_CACHE) naming no file in a folder that exists,
// made a new empty cache there (cache.db and its 2 MiB reserve) and listed
// every pin as held by none of it, or served peers nothing, without a
// word, so a mistyped path looked like an empty cache. offline list now
// says there is no cache at that path and to check the setting, exit 3,
// the same with --json (its {"error": ...} on stdout), and makes no file;
// peer serve, whose first run on a household's machine names the path of
// the cache segue is to fill beside it, makes it and serves, saying on
// stderr that it made a new empty one and to check the setting. A --cache
// whose folder is not there is the bad setting (2) cache stats says it is.
// A shell completion (segue __complete) with such a --cache completes from
// the origin as before, and makes no file either.
func TestReadingCommandsMakeNoGivenCache(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9")
	dir := t.TempDir()
	typo := filepath.Join(dir, "cahce.db")
	bin := segueBinary(t)
	// run runs segue as a process (peer serve serves until stopped: the
	// old code served the new empty cache, and is stopped after 20 s)
	run := func(args []string, extra ...string) (string, string, int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = append(os.Environ(), extra...)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		code := processExit(cmd.Run())
		return o.String(), e.String(), code
	}
	commands := [][]string{{"offline", "list"}}
	for _, given := range []struct {
		from string
		args []string
		env  []string
	}{
		{"--cache", []string{"--cache", typo}, nil},
		{"SEGUE_CACHE", nil, []string{"SEGUE_CACHE=" + typo}},
	} {
		for _, c := range commands {
			for _, args := range [][]string{c, append(slices.Clone(c), "--json")} {
				line := append(append(slices.Clone(env), given.args...), args...)
				name := given.from + " " + strings.Join(args, " ")
				out, errOut, code := run(line, given.env...)
				msg := checkFailure(t, name, errOut, code, ExitNotFound)
				if !strings.HasPrefix(msg, "there is no cache at "+typo+":") || !strings.Contains(msg, "check "+given.from) {
					t.Errorf("%s: %q; want it to say there is no cache at %s and to check %s", name, msg, typo, given.from)
				}
				var j struct{ Error string }
				if slices.Contains(args, "--json") && (json.Unmarshal([]byte(out), &j) != nil || j.Error != msg) {
					t.Errorf("%s: stdout %q; want {\"error\": %q}", name, out, msg)
				}
			}
		}
	}
	if names, _ := filepath.Glob(filepath.Join(dir, "*")); len(names) != 0 {
		t.Errorf("files made where no cache was: %v", names)
	}
	// peer serve makes it, saying so, and serves
	h := newSwarmHost(t, bin)
	for _, asJSON := range []bool{false, true} {
		h.cache = filepath.Join(t.TempDir(), "new.db")
		args := []string{"--origin", "http://127.0.0.1:9", "peer", "serve", "--listen", "127.0.0.1:0"}
		serving := func(out string) bool { return peerRE.MatchString(out) }
		if asJSON {
			args = append(args, "--json")
			serving = func(out string) bool {
				var p catalog.Peer
				return json.Unmarshal([]byte(out), &p) == nil && p.Addr != ""
			}
		}
		_, out, errOut := h.start(args...)
		testkit.Wait(t, time.Minute, "peer serve to serve", func() bool { return serving(out.String()) })
		want := "segue: no cache was at " + h.cache + ": made a new, empty one, which peers are served from as segue plays or pins into it (if you meant a cache that is there, check --cache)"
		testkit.Wait(t, 10*time.Second, "peer serve to say it made the cache", func() bool { return strings.Contains(errOut.String(), want) })
		if _, err := os.Stat(h.cache); err != nil {
			t.Errorf("peer serve --cache %s (json %v): %v", h.cache, asJSON, err)
		}
	}
	// completion reads what it completes from: it makes no cache either
	other := t.TempDir()
	run(append(append(slices.Clone(env), "--cache", filepath.Join(other, "cahce.db"), "__complete"), "play", ""))
	if names, _ := filepath.Glob(filepath.Join(other, "*")); len(names) != 0 {
		t.Errorf("segue __complete play made %v", names)
	}

	// a folder that is not there: the bad setting (2), as cache stats says
	gone := filepath.Join(dir, "nofolder", "cache.db")
	for _, args := range append(commands, []string{"peer", "serve", "--listen", "127.0.0.1:0"}, []string{"cache", "stats"}) {
		name := "--cache " + gone + " " + strings.Join(args, " ")
		_, errOut, code := run(append(append(slices.Clone(env), "--cache", gone), args...))
		if msg := checkFailure(t, name, errOut, code, ExitUsage); !strings.Contains(msg, filepath.Dir(gone)) {
			t.Errorf("%s: %q; want it to name the folder %s", name, msg, filepath.Dir(gone))
		}
	}
	if _, err := os.Stat(filepath.Dir(gone)); err == nil {
		t.Errorf("%s was made", filepath.Dir(gone))
	}

	// the cache that is there is read as before
	there := filepath.Join(dir, "cache.db")
	c, err := cache.Open(there, cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if _, errOut, code := run(append(slices.Clone(env), "--cache", there, "offline", "list")); code != 0 {
		t.Errorf("offline list of the cache that is there: exit %d, %q", code, errOut)
	}
}
