package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
	"segue/origin"
	"segue/ui/notice"
)

// TestMalformedAddressesAndSettings: a listen address, an origin URL or an
// output that cannot be right is a bad flag or setting (exit 2, with and
// without --json) named in the sentence, before anything starts: origin
// serve --addr nonsense said "is another origin running?" and exited 1,
// and an origin or output in config.toml was not named with its line.
func TestMalformedAddressesAndSettings(t *testing.T) {
	dir := t.TempDir()
	env := clientEnv(t, "http://127.0.0.1:9")
	badConfig := func(body string) []string {
		path := filepath.Join(t.TempDir(), "config.toml")
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return []string{"--config", path}
	}
	data := []string{"--data", filepath.Join(dir, "data")}
	for _, c := range []struct {
		name string
		args []string
		says string
		json bool // the command has --json: run it both ways
	}{
		{"origin serve --addr without a port", append([]string{"origin", "serve", "--addr", "nonsense"}, data...), `--addr: address "nonsense": want HOST:PORT`, false},
		{"origin serve --addr past the last port", append([]string{"origin", "serve", "--addr", "127.0.0.1:99999"}, data...), `--addr: address "127.0.0.1:99999": want HOST:PORT with a port from 0 to 65535`, false},
		{"demo --addr without a port", []string{"demo", "--no-tui", "--addr", "localhost"}, `--addr: address "localhost"`, false},
		{"peer serve --listen without a port", []string{"peer", "serve", "--listen", "10.0.0.1"}, `--listen: address "10.0.0.1"`, true},
		{"origin ingest --jobs below zero", append([]string{"origin", "ingest", dir, "--jobs", "-3"}, data...), `invalid argument "-3" for "--jobs" flag: want a whole number from 0 to 256`, true},
		{"peer discover --timeout below zero", []string{"peer", "discover", "--timeout", "-1s"}, `--timeout -1s: want a time to wait for answers, more than 0 (e.g. 2s)`, true},
		{"peer discover --timeout 0", []string{"peer", "discover", "--timeout", "0"}, `--timeout 0s: want a time to wait for answers, more than 0`, true},
		{"--peer-listen past the last port", []string{"search", "tone", "--peer-listen", "127.0.0.1:70000"}, `--peer-listen: address "127.0.0.1:70000"`, true},
		{"--origin without a scheme", []string{"search", "tone", "--origin", "127.0.0.1:7700"}, `--origin: origin URL "127.0.0.1:7700": want http(s)://host[:port]`, true},
		{"--origin with a password", []string{"search", "tone", "--origin", "http://ann:hunter2@127.0.0.1:9"}, `--origin: origin URL http://ann:xxxxx@127.0.0.1:9 holds a password`, true},
		{"origin in config.toml without a scheme", append(badConfig("origin = \"127.0.0.1:7700\"\n"), "search", "tone"), `config.toml:1: origin: origin URL "127.0.0.1:7700"`, true},
		{"output in config.toml unknown", append(badConfig("[player]\noutput = \"speaker\"\n"), "search", "tone"), `config.toml:2: player.output: output "speaker": want alsa, null, wav:FILE or wav16:FILE`, true},
		// it said "--catalog "mysql://db/segue": ..., or no --catalog for DATA/catalog.db", a flag migrate does not have
		{"origin migrate --to-catalog not PostgreSQL", []string{"origin", "migrate", "--from", dir, "--to-catalog", "mysql://db/segue"}, `--to-catalog "mysql://db/segue": bad catalog URL: want postgres://USER@HOST:PORT/DB` + "\n", true},
		{"origin_server.addr in config.toml without a port", append(badConfig("[origin_server]\naddr = \"nonsense\"\n"), "origin", "serve"), `config.toml:2: origin_server.addr: address "nonsense"`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := c.args
			if !slices.Contains(args, "--config") {
				args = append(slices.Clone(env), args...)
			}
			runs := [][]string{args}
			if c.json {
				runs = append(runs, append(slices.Clone(args), "--json"))
			}
			for _, run := range runs {
				_, errOut, code := segue(t, run...)
				if code != ExitUsage || !strings.Contains(errOut, c.says) || strings.Contains(errOut, "another origin") {
					t.Errorf("segue %s: exit %d, stderr %q; want %d saying %q", strings.Join(run, " "), code, errOut, ExitUsage, c.says)
				}
			}
		})
	}
}

// TestMissingInputFiles: a file named on the command line that is not
// there says so in one sentence naming it (never "open X: no such file or
// directory"), with one exit status for each kind, with and without --json:
// an argument that does not exist is a target not found (3), a flag's file
// that does not exist a bad flag (2), a folder given for a file a bad
// argument (2). playlist import exited 2 and origin events import 3 for the
// same missing file; origin serve --tls-cert exited 1.
func TestMissingInputFiles(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9")
	dir := t.TempDir()
	none := filepath.Join(dir, "none")
	data := []string{"--data", filepath.Join(dir, "data")}
	checkFailCases(t, env, []failCase{
		{"playlist import of a file that is not there", []string{"playlist", "import", none}, "playlist import: " + none + " does not exist (check the path)", ExitNotFound, true},
		{"playlist import of a folder", []string{"playlist", "import", dir}, "playlist import: " + dir + " is a folder: give a file", ExitUsage, true},
		{"events import of a file that is not there", append([]string{"origin", "events", "import", none}, data...), "origin events import: " + none + " does not exist (check the path)", ExitNotFound, true},
		{"events import of a folder", append([]string{"origin", "events", "import", dir}, data...), "origin events import: " + dir + " is a folder: give a file", ExitUsage, true},
		{"origin serve --tls-cert that is not there", append([]string{"origin", "serve", "--addr", "127.0.0.1:0", "--tls-cert", none, "--tls-key", none}, data...), "--tls-cert: " + none + " does not exist (check the path)", ExitUsage, false},
		{"--ca that is not there", []string{"search", "tone", "--origin", "https://127.0.0.1:9", "--ca", none}, "--ca: the authority file " + none + " does not exist (check the path)", ExitUsage, true},
		{"origin ingest of a folder that is not there", append([]string{"origin", "ingest", none}, data...), "origin ingest: the music folder " + none + " does not exist (check the path)", ExitNotFound, true},
	}, nil)
}

// failCase is a command that must fail: its arguments, what its one
// sentence says and its exit status; json runs it with --json as well.
type failCase struct {
	name string
	args []string
	says string
	code int
	json bool
}

// checkFailCases runs each case in env and checks its status and sentence
// (never Go's "no such file"); then after, when given.
func checkFailCases(t *testing.T, env []string, cases []failCase, after func(t *testing.T, c failCase)) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			runs := [][]string{append(slices.Clone(env), c.args...)}
			if c.json {
				runs = append(runs, append(slices.Clone(runs[0]), "--json"))
			}
			for _, run := range runs {
				_, errOut, code := segue(t, run...)
				msg := checkFailure(t, strings.Join(c.args, " "), errOut, code, c.code)
				if !strings.Contains(msg, c.says) || strings.Contains(msg, "no such file") {
					t.Errorf("segue %s: %q; want it to say %q", strings.Join(run, " "), msg, c.says)
				}
			}
			if after != nil {
				after(t, c)
			}
		})
	}
}

// TestFileAndFolderMixups: a file given for a folder or a folder for a
// file is a bad argument (2) said in one sentence before anything starts,
// with and without --json, and an origin data dir that is not there is a
// target not found (3) for the commands that only list or change what is
// in it, which made an empty catalog.db there. They exited 1 with Go's
// words ("create wav output: open X: is a directory", "mkdir X: not a
// directory", "open cache X: is a directory"), or 0 listing nothing;
// origin proxy-config printed a configuration for a --run-dir or
// --cache-dir that was a file, or a --run-dir that was not there (exit 0),
// on which nginx failed only when it started.
func TestFileAndFolderMixups(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9")
	dir := t.TempDir()
	file := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(file, []byte("not a folder\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	none := filepath.Join(dir, "typo")
	checkFailCases(t, env, []failCase{
		{"play --output wav: a folder", []string{"play", "t1", "--output", "wav:" + dir}, "--output: " + dir + " is a folder: give a file", ExitUsage, true},
		{"play --output wav16: in a folder that is not there", []string{"play", "t1", "--output", "wav16:" + filepath.Join(none, "x.wav")}, "--output: the folder " + none + " does not exist", ExitUsage, true},
		{"play --output wav: under a file", []string{"play", "t1", "--output", "wav:" + filepath.Join(file, "x.wav")}, "--output: " + file + " is a file, not a folder", ExitUsage, true},
		{"--ca a folder", []string{"search", "tone", "--origin", "https://127.0.0.1:9", "--ca", dir}, "--ca: the authority file " + dir + " is a folder: give a file", ExitUsage, true},
		{"cache stats --cache a folder", []string{"cache", "stats", "--cache", dir}, "the cache " + dir + " is a folder: give the cache's file", ExitUsage, true},
		{"offline add --cache a folder", []string{"offline", "add", "t1", "--cache", dir}, "the cache " + dir + " is a folder", ExitUsage, true},
		{"origin ingest of a file", []string{"origin", "ingest", file, "--data", none}, "origin ingest: " + file + " is a file: give a folder, such as the one it is in (" + filepath.Dir(file) + ")", ExitUsage, true},
		{"origin ingest --data a file", []string{"origin", "ingest", dir, "--data", file}, "--data: " + file + " is a file: give a folder", ExitUsage, true},
		{"origin serve --data a file", []string{"origin", "serve", "--addr", "127.0.0.1:0", "--data", file}, "--data: " + file + " is a file: give a folder", ExitUsage, false},
		{"origin token list --data a file", []string{"origin", "token", "list", "--data", file}, "--data: " + file + " is a file", ExitUsage, true},
		{"origin migrate --from a file", []string{"origin", "migrate", "--from", file, "--to-catalog", "postgres://u@127.0.0.1:9/db"}, "migrate --from: " + file + " is a file", ExitUsage, true},
		{"origin token list of no origin", []string{"origin", "token", "list", "--data", none}, "--data: no origin in " + none + ": the folder does not exist; check the path", ExitNotFound, true},
		{"origin token revoke of no origin", []string{"origin", "token", "revoke", "tok1", "--data", none}, "--data: no origin in " + none, ExitNotFound, false},
		{"origin user list of no origin", []string{"origin", "user", "list", "--data", none}, "--data: no origin in " + none, ExitNotFound, true},
		{"origin user remove of no origin", []string{"origin", "user", "remove", "bob", "--data", none}, "--data: no origin in " + none, ExitNotFound, false},
		{"origin events export of no origin", []string{"origin", "events", "export", "--data", none}, "--data: no origin in " + none, ExitNotFound, false},
		// ingest reads nothing in its data dir: it said "no audio files in DIR" (exit 0) and made catalog.db there
		{"origin ingest --data the music folder", []string{"origin", "ingest", dir, "--data", dir}, "origin ingest: the data dir " + dir + " is the music folder " + dir + " or holds it, and ingest reads nothing in its data dir: give --data a folder of its own", ExitUsage, true},
		{"origin ingest --data above the music folder", []string{"origin", "ingest", dir, "--data", filepath.Dir(dir)}, "origin ingest: the data dir " + filepath.Dir(dir) + " is the music folder " + dir + " or holds it", ExitUsage, true},
		{"origin proxy-config --run-dir a file", []string{"origin", "proxy-config", "--listen", "127.0.0.1:8080", "--upstream", "127.0.0.1:7700", "--run-dir", file}, "--run-dir: " + file + " is a file: give a folder", ExitUsage, false},
		{"origin proxy-config --cache-dir a file", []string{"origin", "proxy-config", "--listen", "127.0.0.1:8080", "--upstream", "127.0.0.1:7700", "--run-dir", dir, "--cache-dir", file}, "--cache-dir: " + file + " is a file: give a folder", ExitUsage, false},
		{"origin proxy-config --run-dir not there", []string{"origin", "proxy-config", "--listen", "127.0.0.1:8080", "--upstream", "127.0.0.1:7700", "--run-dir", none}, "--run-dir: the folder " + none + " does not exist: make it first (mkdir -p " + none + ")", ExitUsage, false},
		{"origin migrate --from no origin", []string{"origin", "migrate", "--from", none, "--to-catalog", "postgres://u@127.0.0.1:9/db"}, "migrate --from: no origin in " + none, ExitNotFound, true},
	}, func(t *testing.T, c failCase) {
		if _, err := os.Stat(none); err == nil {
			t.Errorf("segue %s made %s", strings.Join(c.args, " "), none)
			os.RemoveAll(none)
		}
		for _, made := range []string{filepath.Join(dir, origin.CatalogFile), filepath.Join(filepath.Dir(dir), origin.CatalogFile)} {
			if _, err := os.Stat(made); err == nil {
				t.Errorf("segue %s made %s", strings.Join(c.args, " "), made)
				os.Remove(made)
			}
		}
	})
}

// TestEmptyListingsSaySo: a listing with nothing in it says so on stderr,
// with how to make the first one, while stdout stays empty (and --json is
// []) for scripts; it exits 0. They printed nothing at all.
func TestEmptyListingsSaySo(t *testing.T) {
	o := &testOrigin{t: t, data: t.TempDir(), addr: "127.0.0.1:0"} // no music ingested
	o.start()
	t.Cleanup(o.stop)
	env := clientEnv(t, "http://"+o.addr)
	data := []string{"--data", o.data} // a catalog, and no token or user in it
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"playlist", "list"}, "no playlists yet: make one with segue playlist create NAME [TRACK_ID...] (or import FILE)\n"},
		{[]string{"offline", "list"}, "nothing is pinned: pin a playlist, album or track with segue offline add ID\n"},
		// They named no --data, so the command they gave made the token or
		// user in the default catalog, not this one.
		{append([]string{"origin", "token", "list"}, data...), "no tokens: make one with segue origin token create NAME --data " + o.data + "\n"},
		{append([]string{"origin", "user", "list"}, data...), "no Subsonic users: add one with segue origin user add NAME --data " + o.data + "\n"},
		{[]string{"library"}, "the origin has no music yet: on it, run segue origin ingest MUSIC_DIR\n"},
		// (peer discover's is TestEmptyDiscoverSaysSo's: its multicast stays in a namespace)
	} {
		name := strings.Join(c.args[:min(3, len(c.args))], " ")
		out, errOut, code := segue(t, append(slices.Clone(env), c.args...)...)
		if code != 0 || out != "" || errOut != c.says {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 0, nothing and %q", name, code, out, errOut, c.says)
		}
		out, errOut, code = segue(t, append(append(slices.Clone(env), c.args...), "--json")...)
		if code != 0 || strings.TrimSpace(out) != "[]" || errOut != "" {
			t.Errorf("%s --json: exit %d, stdout %q, stderr %q; want 0, [] and nothing", name, code, out, errOut)
		}
	}
}

// TestServeSaysEmptyCatalog: origin serve on a data dir with no music (a
// mistyped --data) says so and how to ingest, where it served an empty
// catalog without a word; on a catalog with music it says nothing of it.
func TestServeSaysEmptyCatalog(t *testing.T) {
	h := newSwarmHost(t, segueBinary(t))
	empty := filepath.Join(t.TempDir(), "typo")
	_, _, log := h.start("origin", "serve", "--addr", "127.0.0.1:0", "--data", empty)
	testkit.Wait(t, time.Minute, "the origin to listen", func() bool { return servingRE.MatchString(log.String()) })
	want := "segue: the catalog in " + empty + " holds no music yet: ingest a folder with segue origin ingest MUSIC_DIR --data " + empty + "\n"
	if !strings.Contains(log.String(), want) {
		t.Errorf("serve of an empty data dir said:\n%s\nwant:\n%s", log.String(), want)
	}
	o := newTestOrigin(t)
	_, _, log = h.start("origin", "serve", "--addr", "127.0.0.1:0", "--data", o.data)
	testkit.Wait(t, time.Minute, "the origin to listen", func() bool { return servingRE.MatchString(log.String()) })
	if strings.Contains(log.String(), "holds no music") {
		t.Errorf("serve of a catalog with music said it holds none:\n%s", log.String())
	}
}

// TestServeTokenHintNamesItsCatalog: an origin that requires tokens and
// has none says how to create one in the catalog it serves; it said
// "segue origin token create NAME" after "serve --data DIR", which made the
// token in the default data dir, so every client was refused. The command
// it prints, run as printed, makes a token the origin takes.
func TestServeTokenHintNamesItsCatalog(t *testing.T) {
	h := newSwarmHost(t, segueBinary(t))
	data := filepath.Join(t.TempDir(), "household")
	_, _, log := h.start("origin", "serve", "--addr", "127.0.0.1:0", "--require-token", "--data", data)
	testkit.Wait(t, time.Minute, "the origin to listen", func() bool { return servingRE.MatchString(log.String()) })
	hint := regexp.MustCompile(`create one with segue (origin token create NAME.*)\n`).FindStringSubmatch(log.String())
	if hint == nil || !strings.HasSuffix(hint[1], " --data "+data) {
		t.Fatalf("serve --require-token --data %s said:\n%s\nwant a token create hint ending in --data %[1]s", data, log.String())
	}
	args := strings.Fields(strings.Replace(hint[1], "NAME", "phone", 1))
	out, errOut, code := segue(t, args...)
	if code != 0 {
		t.Fatalf("segue %s: exit %d, %s", strings.Join(args, " "), code, errOut)
	}
	url := "http://" + servingRE.FindStringSubmatch(log.String())[1]
	env := append(clientEnv(t, url), "--token", strings.TrimSpace(out))
	if _, errOut, code := segue(t, append(env, "library")...); code != 0 {
		t.Errorf("library with the token the hint made: exit %d, %s", code, errOut)
	}
}

// origin serve on plain http off loopback gave no word that the tokens it
// then requires cross the network readable. It now warns, unless https is
// served or a --public-url says a proxy serves it. Each run is in a network
// namespace of its own (unshare -n), so nothing listens on the machine's
// real interfaces.
func TestServePlainHTTPOffLoopbackWarns(t *testing.T) {
	const warning = "segue: serving plain http on 0.0.0.0:0, off loopback: tokens and Subsonic passwords cross the network readable by anyone on it"
	for _, c := range []struct {
		args []string
		warn bool
	}{
		{[]string{"--addr", "0.0.0.0:0"}, true},
		{[]string{"--addr", "0.0.0.0:0", "--public-url", "https://music.example"}, false},
		{[]string{"--addr", "0.0.0.0:0", "--tls-self-signed"}, false},
		{[]string{"--addr", "127.0.0.1:0"}, false},
	} {
		h := newSwarmHost(t, segueBinary(t))
		serve := h.command(append([]string{"origin", "serve", "--data", t.TempDir()}, c.args...)...)
		cmd := exec.Command("unshare", append([]string{"-n"}, serve.Args...)...)
		cmd.Env = serve.Env
		var log testkit.Buffer
		cmd.Stderr = &log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		testkit.Wait(t, time.Minute, "the origin to listen", func() bool { return servingRE.MatchString(log.String()) })
		cmd.Process.Kill()
		cmd.Wait()
		if got := strings.Contains(log.String(), warning); got != c.warn {
			t.Errorf("origin serve %s: warned %v, want %v; it said:\n%s", strings.Join(c.args, " "), got, c.warn, log.String())
		}
	}
}

// TestOpenSaysWhatIsNotALink: what the interface's o (open) is given that
// is neither an ID nor a link is said as such on the status line; it said
// "could not not a segue share URL: it failed (the log has the details)".
func TestOpenSaysWhatIsNotALink(t *testing.T) {
	_, err := (&resolver{}).Open(context.Background(), "garbage url")
	want := `not a segue share URL: "garbage url" is neither a share link nor a playlist, album, artist or track ID`
	if err == nil || notice.Say(err) != want {
		t.Errorf("open \"garbage url\": %v, said %q; want %q", err, notice.Say(err), want)
	}
}

// TestTargetThatIsNoID: a target that is neither an ID of a kind (t…, al…,
// ar…, pl…) nor a URL is a bad argument (2) saying so, for every command
// that takes targets: play, offline add and segue ctl said "track nope
// not found" (3), as if it were a track's ID.
// Where only an ID is taken (a radio's seed, a playlist's tracks) the
// sentence does not offer a URL: radio of a URL said "... nor a URL".
func TestTargetThatIsNoID(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9")
	// each says what to do: where IDs are seen
	idOrURL := `"nope" is not a track (t…), album (al…), artist (ar…) or playlist (pl…) ID, nor a URL; segue search WORDS, segue library and segue playlist list show the IDs there are` + "\n"
	idOnly := `"nope" is not a track (t…), album (al…), artist (ar…) or playlist (pl…) ID; segue search WORDS, segue library and segue playlist list show the IDs there are` + "\n"
	for _, c := range []struct {
		args []string
		want string
	}{
		// words to play: what --search with them does (TestPlayWordsSaysSearch)
		{[]string{"play", "nope", "--output", "null"}, `"nope" is not a track (t…), album (al…), artist (ar…) or playlist (pl…) ID, nor a URL: segue play --search "nope" plays the first track a search for it finds`},
		{[]string{"offline", "add", "nope"}, idOrURL},
		{[]string{"playlist", "create", "Mix", "nope"}, idOnly},
		{[]string{"radio", "nope"}, idOnly},
		{[]string{"play", "--radio", "nope", "--output", "null"}, idOnly},
	} {
		_, errOut, code := segue(t, append(slices.Clone(env), c.args...)...)
		if code != ExitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("segue %s: exit %d, %q; want %d saying %s", strings.Join(c.args, " "), code, errOut, ExitUsage, c.want)
		}
	}
}

// TestBadURLArgumentSaidAsItIs: a URL argument that cannot be right is a
// bad argument (2) said in the command's own words, with and without
// --json: nothing was asked of the origin, but every such sentence began
// "asking the origin failed:" (play and offline add of a share URL with a
// short token or an API URL of no kind; playlist show of an API URL said
// only "asking the origin failed: not a segue share URL"), and radio of a
// URL said it was "not ... an ID, nor a URL". A share URL with a
// malformed token gets the share URL parser's reason, as playlist show
// gave it, not "want .../tracks/ID". A link copied without its scheme says
// a URL starts with http(s)://, and offline add says only the reason, not
// first "reading the track list" as if it had begun.
func TestBadURLArgumentSaidAsItIs(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9")
	const short, api = "http://127.0.0.1:9/p/AAAA", "http://127.0.0.1:9/api/v1/foo/bar"
	for _, c := range []struct {
		args []string
		say  string
		json bool
	}{
		{[]string{"play", short, "--output", "null"}, `not a segue share URL: "` + short + `": token is malformed (22-86 characters`, true},
		{[]string{"play", api, "--output", "null"}, `"` + api + `": want .../tracks/ID`, true},
		{[]string{"offline", "add", short}, `not a segue share URL: "` + short + `": token is malformed`, true},
		{[]string{"offline", "add", api}, `"` + api + `": want .../tracks/ID`, true},
		{[]string{"play", "http://127.0.0.1:9/music/p/AAAA", "--output", "null"}, `not a segue share URL: "http://127.0.0.1:9/music/p/AAAA": token is malformed`, true},
		{[]string{"playlist", "show", api}, `not a segue share URL: "` + api + `": path is not /p/TOKEN`, true},
		{[]string{"playlist", "export", api, "--format", "m3u8"}, `not a segue share URL: "` + api + `": path is not /p/TOKEN`, true},
		{[]string{"radio", short}, `"` + short + `" is not a track (t…), album (al…), artist (ar…) or playlist (pl…) ID: only an ID is taken here, not a URL; segue search WORDS`, true},
		// a link copied without its scheme said only "nor a URL"
		{[]string{"play", "127.0.0.1:9/p/AAAA", "--output", "null"}, `nor a URL: a URL starts with http:// or https://`, true},
		{[]string{"offline", "add", "example.org/p/AAAA"}, `nor a URL: a URL starts with http:// or https://`, true},
	} {
		runs := [][]string{append(slices.Clone(env), c.args...)}
		if c.json {
			runs = append(runs, append(slices.Clone(runs[0]), "--json"))
		}
		for _, run := range runs {
			_, errOut, code := segue(t, run...)
			// one sentence: offline add printed "reading the track list" first
			if code != ExitUsage || !strings.Contains(errOut, c.say) || strings.Contains(errOut, "asking the origin") || strings.Count(errOut, "\n") != 1 {
				t.Errorf("segue %s: exit %d, %q; want %d saying %s", strings.Join(c.args, " "), code, errOut, ExitUsage, c.say)
			}
		}
	}
}

// TestIngestOfNoAudioSaysSo: ingest of a folder with no audio file in it
// says so and what it reads, where it printed "0 added, 0 updated…" alone.
func TestIngestOfNoAudioSaysSo(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	lib := t.TempDir()
	if err := os.WriteFile(filepath.Join(lib, "notes.txt"), []byte("not music"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := segue(t, append(clientEnv(t, "http://127.0.0.1:9"), "origin", "ingest", lib, "--data", t.TempDir())...)
	want := "segue: no audio files in " + lib + ": ingest reads MP3, FLAC, Ogg, Opus, M4A, WAV, AIFF and other audio files in it and its folders\n"
	if code != 0 || !strings.Contains(out, "0 added") || !strings.HasSuffix(errOut, want) {
		t.Errorf("ingest of no audio: exit %d, stdout %q, stderr %q; want 0 and %q", code, out, errOut, want)
	}
}

// TestCacheVerifyShowsProgress: cache verify, which reads every entry of a
// cache of up to its cap (2 GiB by default), tells how far it is on stderr
// and ends at 100%; stdout keeps its report alone.
func TestCacheVerifyShowsProgress(t *testing.T) {
	o := newTestOrigin(t)
	env := clientEnv(t, "http://"+o.addr)
	segueOK(t, append(slices.Clone(env), "library")...) // a document in the cache
	out, errOut, code := segue(t, append(slices.Clone(env), "cache", "verify", "--json")...)
	var r struct{ Checked int }
	if err := json.Unmarshal([]byte(out), &r); err != nil || code != 0 || r.Checked == 0 {
		t.Fatalf("cache verify --json: exit %d, %v, %q", code, err, out)
	}
	want := fmt.Sprintf("cache verify: checking 100%% (%d of %d)\n", r.Checked, r.Checked)
	if !strings.HasSuffix(errOut, want) {
		t.Errorf("cache verify's stderr %q; want it to end with %q", errOut, want)
	}
	// One entry is said in the singular: it said "checked 1 entries".
	one := clientEnv(t, "http://"+o.addr)
	segueOK(t, append(slices.Clone(one), "library")...)
	if out := segueOK(t, append(slices.Clone(one), "cache", "verify")...); out != "checked 1 entry: 0 damaged (0 B) dropped, 0 stray blobs dropped\n" {
		t.Errorf("cache verify of one document: %q; want \"checked 1 entry: ...\"", out)
	}
}

// TestListenFailureAdvice: a listen address that cannot be used says why
// in words and what to do: a port another program holds, an address this
// machine does not have. Both said "is another origin running?".
func TestListenFailureAdvice(t *testing.T) {
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	data := []string{"--data", t.TempDir()}
	for _, c := range []struct {
		name string
		args []string
		says string
	}{
		{"origin serve on a port in use", append([]string{"origin", "serve", "--addr", held.Addr().String()}, data...), "another program listens there (another segue perhaps): stop it or pick another --addr"},
		{"origin serve on an address not of this machine", append([]string{"origin", "serve", "--addr", "192.0.2.123:7700"}, data...), "no network interface of this machine has that address: use 127.0.0.1, 0.0.0.0 (every interface) or one of its own in --addr"},
		{"demo on a port in use", []string{"demo", "--no-tui", "--addr", held.Addr().String()}, "another program listens there (another segue perhaps): stop it or pick another --addr, e.g. --addr " + fmt.Sprintf("127.0.0.1:%d", held.Addr().(*net.TCPAddr).Port+1)},
		// It named --peer-listen, a flag peer serve has not, and "another origin".
		{"peer serve on a port in use", []string{"peer", "serve", "--listen", held.Addr().String()}, "another program listens there (another segue perhaps): stop it or pick another --listen or [peer] listen"},
	} {
		_, errOut, code := segue(t, append(clientEnv(t, "http://127.0.0.1:9"), c.args...)...)
		if code != ExitError || !strings.Contains(errOut, c.says) || strings.Contains(errOut, "is another origin running") {
			t.Errorf("%s: exit %d, %q; want %d saying %q", c.name, code, errOut, ExitError, c.says)
		}
	}
}

// TestRemovalsTakeJSON: the commands that remove something take --json as
// their siblings do (README: origin token ... revoke ID [--json]), so a
// script gets the same exit status and {"error": ...} with it: token
// revoke, user remove and offline remove said "unknown flag: --json" and
// exited 2 where the failure was a target not found (3).
func TestRemovalsTakeJSON(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9")
	data := newEmptyOrigin(t)
	for _, c := range []struct {
		args []string
		says string
	}{
		// the listing they point to is of the catalog given, not the default
		{[]string{"origin", "token", "revoke", "tok1", "--data", data}, "revoke token tok1: not found: no token has that ID or that name (see segue origin token list --data " + data + ")"},
		{[]string{"origin", "user", "remove", "bob", "--data", data}, "remove user bob: no such user (see segue origin user list --data " + data + ")"},
		{[]string{"offline", "remove", "pl1"}, `offline remove "pl1": not pinned`},
	} {
		for _, run := range [][]string{c.args, append(slices.Clone(c.args), "--json")} {
			out, errOut, code := segue(t, append(slices.Clone(env), run...)...)
			var js struct{ Error string }
			if code != ExitNotFound || !strings.Contains(errOut, c.says) {
				t.Errorf("segue %s: exit %d, %q; want %d saying %q", strings.Join(run, " "), code, errOut, ExitNotFound, c.says)
			} else if slices.Contains(run, "--json") && (json.Unmarshal([]byte(out), &js) != nil || !strings.Contains(js.Error, c.says)) {
				t.Errorf("segue %s: stdout %q; want {\"error\": ...} saying %q", strings.Join(run, " "), out, c.says)
			}
		}
	}
}

// TestBadInstanceName: an --instance name no control socket can have is a
// bad flag (2) for segue play and the interface, as it is for segue ctl:
// play --instance ../evil played on without a socket, unreachable by the
// segue ctl --instance the user would try next.
func TestBadInstanceName(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9")
	say := `--instance: instance name "../evil": use up to 64 letters, digits, '-', '_' or '.'`
	checkFailCases(t, env, []failCase{
		{"play", []string{"play", "t1", "--output", "null", "--instance", "../evil"}, say, ExitUsage, true},
		{"the interface", []string{"--instance", "../evil"}, say, ExitUsage, false},
		{"ctl", []string{"ctl", "status", "--instance", "../evil"}, `instance name "../evil"`, ExitUsage, true},
	}, nil)
}

// TestServeTLSFlagsChecked: a --tls-cert or --tls-key that holds no PEM
// certificate or key, and a --tls-name no certificate can name, are bad
// flags (2) before the origin starts: the first exited 1 with Go's "tls:
// failed to find any PEM data", and --tls-name "bad name" went into the
// self-signed certificate (replacing the one clients had pinned).
func TestServeTLSFlagsChecked(t *testing.T) {
	dir := t.TempDir()
	notes := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notes, []byte("not a certificate\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	held, err := net.Listen("tcp", "127.0.0.1:0") // were the flags taken, serve would stop there (1)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	serve := []string{"origin", "serve", "--addr", held.Addr().String(), "--data", dir}
	checkFailCases(t, clientEnv(t, "http://127.0.0.1:9"), []failCase{
		{"a certificate that is no PEM", append(slices.Clone(serve), "--tls-cert", notes, "--tls-key", notes),
			"--tls-cert " + notes + " and --tls-key " + notes + ": want a PEM certificate and its PEM private key", ExitUsage, false},
		{"a name with a space", append(slices.Clone(serve), "--tls-self-signed", "--tls-name", "bad name"),
			`--tls-name "bad name": want a host name (music.lan, *.music.lan) or an address`, ExitUsage, false},
		{"a name of 254 characters", append(slices.Clone(serve), "--tls-self-signed", "--tls-name", strings.Repeat("a.", 127)+"lan"),
			`--tls-name "a.a.`, ExitUsage, false},
	}, func(t *testing.T, c failCase) {
		if _, err := os.Stat(filepath.Join(dir, origin.TLSDir)); err == nil {
			t.Errorf("segue %s made a certificate", strings.Join(c.args, " "))
		}
	})
}

// TestPlaylistGivenAnotherID: what is given for a playlist's ID and cannot
// be one is a bad argument (2) saying so, as library says of a track's
// ID: playlist show of an album's ID said "playlist al… not found" (3),
// as if the playlist were gone.
func TestPlaylistGivenAnotherID(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9")
	var cases []failCase
	for _, args := range [][]string{
		{"show", "al1"}, {"export", "t1", "--format", "m3u8"}, {"rename", "ar1", "New"}, {"add", "al1", "t1"},
		{"remove", "nope", "1"}, {"move", "al1", "1", "2"}, {"delete", "al1"}, {"share", "t1"}, {"unshare", "t1"},
	} {
		cases = append(cases, failCase{"playlist " + args[0], append([]string{"playlist"}, args...),
			fmt.Sprintf("%q is not a playlist ID (pl…): segue playlist list shows them", args[1]), ExitUsage, true})
	}
	checkFailCases(t, env, cases, nil)
}

// TestOriginURLOfNoSegue: an --origin where no segue origin answers (a web
// server of another kind, or a path under an origin) is said as such and
// is a failure (1), with and without --json: it was "not found on the
// origin" (3), which a script reads as a search that found nothing.
func TestOriginURLOfNoSegue(t *testing.T) {
	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	o := &testOrigin{t: t, data: t.TempDir(), addr: "127.0.0.1:0"}
	o.start()
	t.Cleanup(o.stop)
	var cases []failCase
	for _, url := range []string{other.URL, "http://" + o.addr + "/music"} {
		say := "no segue origin answers at " + strings.TrimPrefix(url, "http://") + " (something else does"
		cases = append(cases,
			failCase{"search at " + url, []string{"--origin", url, "search", "tone"}, say, ExitError, true},
			failCase{"library at " + url, []string{"--origin", url, "library"}, say, ExitError, true},
			failCase{"play at " + url, []string{"--origin", url, "play", "t1", "--output", "null"}, say, ExitError, true})
	}
	checkFailCases(t, clientEnv(t, "http://127.0.0.1:9"), cases, nil)
}

// TestOriginURLOfNoSegueForChanges: a change (playlist create, rename,
// delete) sent to an --origin where a plain web server answers is said as
// a read there is, "no segue origin answers at ...", exit 1 with and
// without --json. Such servers refuse a method they do not serve (nginx
// serving files: 405; Python's http.server: 501, "Unsupported method
// ('POST')") rather than answer 404, and segue said "the origin failed
// (501 Unsupported method ('POST')); its log says why".
func TestOriginURLOfNoSegueForChanges(t *testing.T) {
	var cases []failCase
	for _, code := range []int{http.StatusMethodNotAllowed, http.StatusNotImplemented} {
		other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.NotFound(w, r)
				return
			}
			http.Error(w, "Unsupported method ('"+r.Method+"')", code)
		}))
		defer other.Close()
		url := other.URL
		say := "no segue origin answers at " + strings.TrimPrefix(url, "http://") + " (something else does"
		cases = append(cases,
			failCase{fmt.Sprintf("playlist create at a server answering %d", code), []string{"--origin", url, "playlist", "create", "Mix"}, say, ExitError, true},
			failCase{fmt.Sprintf("playlist rename at a server answering %d", code), []string{"--origin", url, "playlist", "rename", "pl0123456789abcdef", "Mix"}, say, ExitError, true},
			failCase{fmt.Sprintf("playlist delete at a server answering %d", code), []string{"--origin", url, "playlist", "delete", "pl0123456789abcdef"}, say, ExitError, true})
	}
	checkFailCases(t, clientEnv(t, "http://127.0.0.1:9"), cases, nil)
}

// TestLogIsPrivate: segue.log is the user's alone (0600), like the queue
// and the plays, as it holds request URLs and share links (capabilities):
// it was made 0644, and one made so before becomes private. The folder a
// log_file names is the user's (segue makes none above a path it was
// given: TestGivenStateFoldersAreNotMade).
func TestLogIsPrivate(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "logs", "segue.log")
	if err := os.Mkdir(filepath.Dir(log), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfg, []byte("log_file = "+strconvQuote(log)+"\nstate_dir = "+strconvQuote(filepath.Join(dir, "state"))+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		segue(t, "--config", cfg, "--origin", "http://127.0.0.1:9", "play", "http://127.0.0.1:9/p/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "--output", "null")
		st, err := os.Stat(log)
		if err != nil {
			t.Fatalf("segue.log: %v", err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Fatalf("segue.log: mode %v; want 0600", st.Mode().Perm())
		}
		os.Chmod(log, 0o644) // as an older segue left it
	}
}

// TestUnknownEnvironmentVariableSays: a mistyped SEGUE_* variable is named
// on stderr with the setting it most likely meant, and changes neither the
// exit status nor stdout, with and without --json.
func TestUnknownEnvironmentVariableSays(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9")
	for _, json := range []bool{false, true} {
		args := append(env, "search", "tone")
		if json {
			args = append(args, "--json")
		}
		wantOut, wantErr, wantCode := segue(t, args...)
		t.Setenv("SEGUE_TOKN", "secret")
		out, errOut, code := segue(t, args...)
		const says = "segue: SEGUE_TOKN is ignored: segue reads no such variable (did you mean SEGUE_TOKEN?)\n"
		if code != wantCode || out != wantOut || errOut != says+wantErr {
			t.Errorf("segue %v with SEGUE_TOKN set: exit %d, stdout %q, stderr %q; want exit %d, stdout %q, stderr %q",
				args, code, out, errOut, wantCode, wantOut, says+wantErr)
		}
		os.Unsetenv("SEGUE_TOKN")
	}
}

// TestFlagErrorsPointToHelp: an unknown flag or one missing its value
// names the command's --help, as an unknown command does; pflag's words
// alone ("unknown flag: --bogus") did not say where the right ones are.
func TestFlagErrorsPointToHelp(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"search", "tone", "--bogus"}, "unknown flag: --bogus (see segue search --help)"},
		{[]string{"search", "tone", "--limit"}, "flag needs an argument: --limit (see segue search --help)"},
		{[]string{"playlist", "list", "-z"}, "unknown shorthand flag: 'z' in -z (see segue playlist list --help)"},
	} {
		for _, asJSON := range []bool{false, true} {
			args := append(slices.Clone(env), c.args...)
			if asJSON { // before the command: not the value of a flag given last
				args = append(append(slices.Clone(env), "--json"), c.args...)
			}
			out, errOut, code := segue(t, args...)
			if code != ExitUsage || !strings.Contains(errOut, c.want) {
				t.Errorf("segue %v: exit %d, stderr %q; want %d saying %q", args, code, errOut, ExitUsage, c.want)
			}
			if asJSON && !strings.Contains(out, "see segue") {
				t.Errorf("segue %v: stdout %q, want the error as JSON", args, out)
			}
		}
	}
}

// TestFileURLTargetSaysWhatToDo: a target that is the URL of a file (a
// file: URL a file manager copied, a radio's .pls on the web) is a bad
// argument (2) saying what to do with such a file, with --json too; it
// said only that it wanted .../tracks/ID or a share URL.
func TestFileURLTargetSaysWhatToDo(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9")
	for _, c := range []struct {
		args []string
		say  string
	}{
		{[]string{"play", "file:///home/u/Music/My%20Mix.m3u8", "--output", "null"}, `names a file, not a track, album, artist or share URL: to play a playlist file, import it first (segue playlist import '/home/u/Music/My Mix.m3u8')`},
		{[]string{"offline", "add", "https://radio.example/live.pls?x=1"}, `names a file, not a track, album, artist or share URL: download it (curl -o live.pls URL), then: to play a playlist file, import it first (segue playlist import live.pls)`},
		{[]string{"play", "file:///home/u/Music/01%20Song.flac", "--output", "null"}, `segue plays what an origin serves: add the file's folder to one (segue origin ingest FOLDER)`},
	} {
		for _, extra := range [][]string{nil, {"--json"}} {
			args := slices.Concat(env, c.args, extra)
			out, errOut, code := segue(t, args...)
			if code != ExitUsage || !strings.Contains(errOut, c.say) || (extra != nil && !strings.Contains(out, `"error"`)) {
				t.Errorf("segue %s: exit %d, stdout %q, stderr %q; want %d saying %q", strings.Join(c.args, " "), code, out, errOut, ExitUsage, c.say)
			}
		}
	}
}

// TestOriginFlagSpacesDropped: --origin with spaces around it (a quoted,
// pasted URL) is the URL, as in config.toml and SEGUE_ORIGIN
// (config.TestOriginSpacesDropped); it was exit 2, "want
// http(s)://host[:port]".
func TestOriginFlagSpacesDropped(t *testing.T) {
	o := newTestOrigin(t)
	env := clientEnv(t, "http://127.0.0.1:9")
	out, errOut, code := segue(t, append(slices.Clone(env), "--origin", " http://"+o.addr+" \n", "library")...)
	if code != ExitOK || !strings.Contains(out, "ARTIST") {
		t.Errorf("library with --origin %q: exit %d, stdout %q, stderr %q; want 0 and the artists", " http://"+o.addr+" \n", code, out, errOut)
	}
}

// TestFolderTargetSaysToIngest: a music folder given where a track,
// album, artist or playlist goes (segue play ~/Music/Album, as a player
// of files takes it) is a bad argument (2) saying that segue plays what
// an origin serves and to ingest that folder, with --json too; it said
// "a URL starts with http:// or https://", taking the folder for a URL
// copied without its start (or, with no "/" in it, only where IDs are
// listed).
func TestFolderTargetSaysToIngest(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9")
	lib := t.TempDir()
	album := filepath.Join(lib, "O'Brien's", "Don't Stop")
	if err := os.MkdirAll(album, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(lib)
	for _, c := range []struct {
		args []string
		say  string
	}{
		{[]string{"play", album, "--output", "null"}, `"` + album + `" is a folder here, not a track (t…), album (al…), artist (ar…) or playlist (pl…) ID: segue plays what an origin serves: add the folder to one (segue origin ingest '` + strings.ReplaceAll(album, "'", `'\''`) + `'), then play its IDs (segue search WORDS shows them)`},
		{[]string{"play", "O'Brien's", "--output", "null"}, `"O'Brien's" is a folder here`},
		{[]string{"offline", "add", "O'Brien's/Don't Stop/"}, `is a folder here, not a track`},
		{[]string{"playlist", "create", "Mix", "O'Brien's"}, `is a folder here, not a track`},
		{[]string{"radio", "O'Brien's"}, `is a folder here, not a track`},
	} {
		for _, extra := range [][]string{nil, {"--json"}} {
			args := slices.Concat(env, c.args, extra)
			out, errOut, code := segue(t, args...)
			if code != ExitUsage || !strings.Contains(errOut, c.say) || strings.Contains(errOut, "a URL starts with") || (extra != nil && !strings.Contains(out, `"error"`)) {
				t.Errorf("segue %s: exit %d, stdout %q, stderr %q; want %d saying %q", strings.Join(c.args, " "), code, out, errOut, ExitUsage, c.say)
			}
		}
	}
}

// TestOutputNeverWritesOverOtherFiles: play --output wav:FILE and
// playlist export -o FILE write over a file of their own kind (a WAV
// render run again, an export made again, an empty file) but refuse, exit
// 2 with --json too, a file that holds something else (a music file, a
// text), naming it and what to do, and leave it as it was: they replaced
// it without a word (a flac file typed where the wav was meant was lost).
// playlist export knows its own kind by what segue's export writes
// (#EXTM3U, [playlist], an XSPF playlist element), which other players'
// M3U8, PLS and XSPF begin with too: it took any text whose first line
// held a / or \ (a shell script, notes with a URL), began with # (a
// Markdown heading) or <?xml (any XML), or UTF-16 text, for a playlist.
func TestOutputNeverWritesOverOtherFiles(t *testing.T) {
	url, _ := playOrigin(t)
	env := clientEnv(t, url)
	track := tones(t, url)[0].ID
	var pl catalog.Playlist
	decodeJSON(t, segueOK(t, append(env, "playlist", "create", "Keep", track, "--json")...), &pl)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	song := write("song.flac", "fLaC\x00\x00\x00\x22 the user's music")
	notes := write("notes.m3u8", "my notes, not a playlist\n")
	// texts the first line of which looked like a playlist's
	texts := map[string]string{
		write("run.sh", "#!/bin/sh\nexec segue play \"$@\"\n"):                                      "",
		write("links.txt", "see https://example.com/mix for the list\nand more notes\n"):            "",
		write("todo.md", "# To do\n- export the playlist\n"):                                        "",
		write("paths.txt", "C:\\Users\\me\\notes.txt\n"):                                            "",
		write("settings.xml", "<?xml version=\"1.0\"?>\n<settings><volume>7</volume></settings>\n"): "",
		write("utf16.txt", "\xff\xfeh\x00i\x00\n\x00"):                                              "",
		write("song.mp3", "ID3\x04\x00\x00\x00\x00\x00\x00 /music/ the user's song"):                "",
	}
	for p := range texts {
		texts[p] = string(readFile(t, p))
	}
	var textCases []failCase
	for p := range texts {
		textCases = append(textCases, failCase{"playlist export -o over " + filepath.Base(p), []string{"playlist", "export", pl.ID, "-o", p}, "--output: " + p + " holds something other than a playlist: segue would write over it", ExitUsage, true})
	}
	checkFailCases(t, env, textCases, func(t *testing.T, c failCase) {
		for p, body := range texts {
			if string(readFile(t, p)) != body {
				t.Errorf("segue %s changed %s", strings.Join(c.args, " "), p)
			}
		}
	})
	// WAV files other programs wrote (ffmpeg here: its LIST chunk before
	// the data; another rate; 24-bit mono; a CD rip's plain 16-bit stereo
	// 44.1 kHz, the very layout of a wav16 render) are not play's renders:
	// it took any RIFF WAVE for one and wrote over a recording, and then
	// still the CD rip
	wavs := map[string]string{}
	for name, args := range map[string][]string{
		"ffmpeg.wav":  {"-ac", "2", "-ar", "44100", "-c:a", "pcm_s16le"},
		"cdrip.wav":   {"-ac", "2", "-ar", "44100", "-c:a", "pcm_s16le", "-bitexact"},
		"48k.wav":     {"-ac", "2", "-ar", "48000", "-c:a", "pcm_f32le", "-bitexact"},
		"24bit.wav":   {"-ac", "1", "-ar", "44100", "-c:a", "pcm_s24le", "-bitexact"},
		"float32.wav": {"-ac", "2", "-ar", "44100", "-c:a", "pcm_f32le"},
	} {
		p := filepath.Join(dir, name)
		cmd := exec.Command("ffmpeg", append(append([]string{"-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=0.2"}, args...), p)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg %s: %v\n%s", name, err, out)
		}
		wavs[p] = string(readFile(t, p))
	}
	var wavCases []failCase
	for p := range wavs {
		for _, out := range []string{"wav:", "wav16:"} {
			wavCases = append(wavCases, failCase{"play --output " + out + " over " + filepath.Base(p), []string{"play", track, "--output", out + p, "--fast"}, "--output: " + p + " holds something other than a WAV file segue renders: segue would write over it", ExitUsage, true})
		}
	}
	checkFailCases(t, env, wavCases, func(t *testing.T, c failCase) {
		for p, body := range wavs {
			if string(readFile(t, p)) != body {
				t.Errorf("segue %s changed %s", strings.Join(c.args, " "), p)
			}
		}
	})
	// other players' playlists begin as segue's exports do: written over
	for name, body := range map[string]string{
		"vlc.xspf":  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<playlist xmlns=\"http://xspf.org/ns/0/\" xmlns:vlc=\"http://www.videolan.org/vlc/playlist/ns/0/\" version=\"1\">\n</playlist>\n",
		"other.m3u": "\ufeff#EXTM3U\n#EXTINF:1,a - b\n/music/a.mp3\n",
		"other.pls": "[Playlist]\nFile1=/music/a.mp3\nNumberOfEntries=1\nVersion=2\n",
	} {
		p := write(name, body)
		segueOK(t, append(env, "playlist", "export", pl.ID, "-o", p)...)
		if string(readFile(t, p)) == body {
			t.Errorf("playlist export -o %s left it as it was", name)
		}
	}
	checkFailCases(t, env, []failCase{
		{"play --output wav: over a music file", []string{"play", track, "--output", "wav:" + song, "--fast"}, "--output: " + song + " holds something other than a WAV file segue renders: segue would write over it; name another file, or remove it first", ExitUsage, true},
		{"play --output wav16: over a text", []string{"play", track, "--output", "wav16:" + notes, "--fast"}, "--output: " + notes + " holds something other than a WAV file", ExitUsage, true},
		{"playlist export -o over a text", []string{"playlist", "export", pl.ID, "-o", notes}, "--output: " + notes + " holds something other than a playlist: segue would write over it; name another file, or remove it first", ExitUsage, true},
		{"playlist export -o over a music file", []string{"playlist", "export", pl.ID, "-o", song}, "--output: " + song + " holds something other than a playlist", ExitUsage, true},
	}, func(t *testing.T, c failCase) {
		if b := readFile(t, song); !strings.HasSuffix(string(b), "the user's music") {
			t.Errorf("segue %s changed %s", strings.Join(c.args, " "), song)
		}
		if b := readFile(t, notes); string(b) != "my notes, not a playlist\n" {
			t.Errorf("segue %s changed %s", strings.Join(c.args, " "), notes)
		}
	})
	// its own kind, or an empty file, is written over as before
	wav, m3u := filepath.Join(dir, "out.wav"), filepath.Join(dir, "out.m3u8")
	empty := write("empty.xspf", "")
	for i := 0; i < 2; i++ {
		segueOK(t, append(env, "play", track, "--output", "wav:"+wav, "--fast")...)
		segueOK(t, append(env, "play", track, "--output", "wav16:"+wav, "--fast")...) // its other format
		segueOK(t, append(env, "playlist", "export", pl.ID, "-o", m3u)...)
		segueOK(t, append(env, "playlist", "export", pl.ID, "--format", "xspf", "-o", empty)...)
		segueOK(t, append(env, "playlist", "export", pl.ID, "--format", "pls", "-o", filepath.Join(dir, "out.pls"))...)
	}
}

// TestPlayWordsSaysSearch: segue play given words (a title, as a player
// of files or a music app takes it) is a bad argument (2), with --json
// too, saying that segue play --search with them plays the first track a
// search finds; it said only where IDs are listed. Nothing is played.
func TestPlayWordsSaysSearch(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9")
	for _, c := range []struct{ arg, say string }{
		{"Morning", `"Morning" is not a track (t…), album (al…), artist (ar…) or playlist (pl…) ID, nor a URL: segue play --search "Morning" plays the first track a search for it finds`},
		{"blue in green", `segue play --search "blue in green" plays the first track`},
	} {
		for _, extra := range [][]string{nil, {"--json"}} {
			args := slices.Concat(env, []string{"play", c.arg, "--output", "null"}, extra)
			out, errOut, code := segue(t, args...)
			if code != ExitUsage || !strings.Contains(errOut, c.say) || (extra != nil && !strings.Contains(out, `"error"`)) {
				t.Errorf("segue play %q %v: exit %d, stdout %q, stderr %q; want %d saying %q", c.arg, extra, code, out, errOut, ExitUsage, c.say)
			}
		}
	}
}
