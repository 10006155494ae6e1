package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/spf13/cobra"

	"segue/catalog"
	"segue/net/originclient"
)

// Issue 11, acceptance 6: every exit status the README promises, each case
// with and without --json: 2 for bad flags or arguments, 3 for a target
// that is not there, 1 for other failures. With --json the error is JSON on
// stdout too ({"error": ...}, or play's "error" event), carrying the same
// one-sentence message as stderr: never a URL or a status line.
func TestExitStatuses(t *testing.T) {
	url, _ := playOrigin(t)
	env := clientEnv(t, url)
	track := tones(t, url)[0].ID
	var pl catalog.Playlist
	if err := json.Unmarshal([]byte(segueOK(t, append(env, "playlist", "create", "Exits", track, "--json")...)), &pl); err != nil {
		t.Fatal(err)
	}
	down := append(clientEnv(t, "http://127.0.0.1:9"), "--origin", "http://127.0.0.1:9")
	badWav := "wav:" + filepath.Join(t.TempDir(), "no-such-dir", "out.wav")

	for _, c := range []struct {
		name string
		env  []string // default: env
		args []string
		want int
		json bool // the command has --json: run it both ways
	}{
		{"search without words", nil, []string{"search"}, ExitUsage, true},
		{"search with an empty word", nil, []string{"search", ""}, ExitUsage, true},
		{"search with blank words", nil, []string{"search", " ", "  "}, ExitUsage, true},
		{"search --limit 0", nil, []string{"search", "tone", "--limit", "0"}, ExitUsage, true},
		{"search --limit -3", nil, []string{"search", "tone", "--limit", "-3"}, ExitUsage, true},
		{"search --limit x", nil, []string{"search", "tone", "--limit", "x"}, ExitUsage, true},
		{"play --volume 101", nil, []string{"play", track, "--volume", "101", "--output", "null"}, ExitUsage, true},
		{"play --volume -1", nil, []string{"play", track, "--volume", "-1", "--output", "null"}, ExitUsage, true},
		{"play --fast --output null", nil, []string{"play", track, "--fast", "--output", "null"}, ExitUsage, true},
		{"play --fast --output alsa", nil, []string{"play", track, "--fast", "--output", "alsa"}, ExitUsage, true},
		{"play --fast, output from config (alsa)", nil, []string{"play", track, "--fast"}, ExitUsage, true},
		{"play --quality best", nil, []string{"play", track, "--quality", "best"}, ExitUsage, true},
		{"play --output speaker", nil, []string{"play", track, "--output", "speaker"}, ExitUsage, true},
		{"play --output wav: without a file", nil, []string{"play", track, "--output", "wav:"}, ExitUsage, true},
		{"play without targets", nil, []string{"play"}, ExitUsage, true},
		{"completion of an unknown shell", nil, []string{"completion", "tcsh"}, ExitUsage, false},
		{"completion without a shell", nil, []string{"completion"}, ExitUsage, false},
		{"an unknown flag", nil, []string{"search", "tone", "--bogus"}, ExitUsage, true},
		{"an unknown command", nil, []string{"bogus"}, ExitUsage, false},
		{"an unknown playlist subcommand", nil, []string{"playlist", "bogus"}, ExitUsage, true},
		{"an unknown cache subcommand", nil, []string{"cache", "bogus"}, ExitUsage, false},
		{"help on an unknown topic", nil, []string{"help", "bogus"}, ExitUsage, false},
		{"library of something not an ID", nil, []string{"library", "x"}, ExitUsage, true},
		{"playlist show without an ID", nil, []string{"playlist", "show"}, ExitUsage, true},
		{"playlist remove position 0", nil, []string{"playlist", "remove", pl.ID, "0"}, ExitUsage, true},
		{"playlist remove past the end", nil, []string{"playlist", "remove", pl.ID, "9"}, ExitUsage, true},
		{"playlist move past the end", nil, []string{"playlist", "move", pl.ID, "1", "9"}, ExitUsage, true},
		{"playlist add --at -1", nil, []string{"playlist", "add", pl.ID, track, "--at", "-1"}, ExitUsage, true},
		// it appended, exit 0, where remove and move past the end are refused
		{"playlist add --at past the end", nil, []string{"playlist", "add", pl.ID, track, "--at", "99"}, ExitUsage, true},
		{"playlist create without a name", nil, []string{"playlist", "create", " "}, ExitUsage, true},
		// "" was the current folder for ingest (it read it) and a file not found (3) for import
		{"origin ingest of an empty path", nil, []string{"origin", "ingest", "", "--data", t.TempDir()}, ExitUsage, true},
		{"playlist import of an empty path", nil, []string{"playlist", "import", ""}, ExitUsage, true},
		{"playlist export --format pdf", nil, []string{"playlist", "export", pl.ID, "--format", "pdf"}, ExitUsage, true},
		{"offline add --quality best", nil, []string{"offline", "add", track, "--quality", "best"}, ExitUsage, true},
		{"a --config file that does not exist", []string{"--config", filepath.Join(t.TempDir(), "none.toml")}, []string{"search", "tone"}, ExitUsage, true},

		{"search finds nothing", nil, []string{"search", "zzzz"}, ExitNotFound, true},
		{"library of an unknown album", nil, []string{"library", "al0000000000000000"}, ExitNotFound, true},
		{"play an unknown track", nil, []string{"play", "t0000000000000000", "--output", "null"}, ExitNotFound, true},
		{"play --search finds nothing", nil, []string{"play", "--search", "zzzz", "--output", "null"}, ExitNotFound, true},
		{"playlist show of an unknown playlist", nil, []string{"playlist", "show", "pl0000000000000000"}, ExitNotFound, true},
		{"playlist add of an unknown track", nil, []string{"playlist", "add", pl.ID, "t0000000000000000"}, ExitNotFound, true},
		{"playlist add of an unknown album", nil, []string{"playlist", "add", pl.ID, "al0000000000000000"}, ExitNotFound, true},
		{"playlist add to an unknown playlist", nil, []string{"playlist", "add", "pl0000000000000000", track}, ExitNotFound, true},
		{"playlist delete of an unknown playlist", nil, []string{"playlist", "delete", "pl0000000000000000"}, ExitNotFound, true},
		{"offline remove of what is not pinned", nil, []string{"offline", "remove", "al0000000000000000"}, ExitNotFound, false},
		{"origin ingest of a folder that does not exist", nil, []string{"origin", "ingest", filepath.Join(t.TempDir(), "none"), "--data", t.TempDir()}, ExitNotFound, true},

		{"search with the origin down", down, []string{"search", "tone"}, ExitError, true},
		{"playlist create with the origin down", down, []string{"playlist", "create", "X"}, ExitError, true},
		{"play into a directory that does not exist (a bad --output, as a --tls-cert that is not there)", nil, []string{"play", track, "--output", badWav}, ExitUsage, true},
		// it failed when it opened the file, after asking the origin (1)
		{"playlist export into a directory that does not exist", nil, []string{"playlist", "export", pl.ID, "-o", filepath.Join(t.TempDir(), "no-such-dir", "list.m3u8")}, ExitUsage, false},
		{"playlist export onto a directory", nil, []string{"playlist", "export", pl.ID, "-o", t.TempDir()}, ExitUsage, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := c.env
			if e == nil {
				e = env
			}
			args := append(slices.Clone(e), c.args...)
			out, errOut, code := segue(t, args...)
			msg := checkFailure(t, "text", errOut, code, c.want)
			if strings.TrimSpace(out) != "" {
				t.Errorf("text: stdout %q, want nothing", out)
			}
			if !c.json {
				return
			}
			out, errOut, code = segue(t, append(args, "--json")...)
			jmsg := checkFailure(t, "--json", errOut, code, c.want)
			lines := strings.Split(strings.TrimSpace(out), "\n")
			var got struct {
				Error   string `json:"error"`
				Event   string `json:"event"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
				t.Fatalf("--json: stdout %q: %v", out, err)
			}
			if c.args[0] == "play" {
				if got.Event != "error" || got.Message != jmsg {
					t.Errorf("--json: last line %q, want {\"event\":\"error\",\"message\":%q}", lines[len(lines)-1], jmsg)
				}
			} else if got.Error != jmsg || len(lines) != 1 {
				t.Errorf("--json: stdout %q, want {\"error\":%q} alone", out, jmsg)
			}
			if jmsg != msg {
				t.Errorf("--json says %q, text says %q", jmsg, msg)
			}
		})
	}
}

// checkFailure checks a failed run's exit status and its stderr: one line
// "segue: SENTENCE" with no HTTP details. It returns the sentence.
func checkFailure(t *testing.T, mode, stderr string, code, want int) string {
	t.Helper()
	if code != want {
		t.Errorf("%s: exit %d, want %d (stderr %q)", mode, code, want, stderr)
	}
	msg, ok := strings.CutPrefix(strings.TrimSuffix(stderr, "\n"), "segue: ")
	if !ok || msg == "" || strings.Contains(msg, "\n") {
		t.Errorf("%s: stderr %q, want one line \"segue: ...\"", mode, stderr)
	}
	for _, detail := range []string{"http://", "/api/v1/", "Bad Request", "Not Found", "dial tcp", "{"} {
		if strings.Contains(msg, detail) {
			t.Errorf("%s: message %q shows %q; want a sentence without HTTP details", mode, msg, detail)
		}
	}
	return msg
}

// sentence keeps the command's words and puts one plain clause where the
// origin client's details (URLs, status lines, network errors) begin;
// exitStatus reads the status from the error's kind.
func TestSentenceAndExitStatus(t *testing.T) {
	notFound := &originclient.StatusError{Code: 404, Status: "404 Not Found", Message: "track t1 not found"}
	refused := &originclient.StatusError{Code: 400, Status: "400 Bad Request", Message: "there is no track at position 9"}
	proxy := &originclient.StatusError{Code: 502, Status: "502 Bad Gateway"}
	dial := &url.Error{Op: "Get", URL: "http://127.0.0.1:9/api/v1/search?q=x", Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}}
	// a request the origin client made, as it marks them
	asked := func(err error) error { return &originclient.RequestError{Err: err} }
	for _, c := range []struct {
		err    error
		want   string
		status int
	}{
		{fmt.Errorf("resolve %q: %w", "t1", asked(fmt.Errorf("get http://h/api/v1/tracks/t1: %w", notFound))), `resolve "t1": track t1 not found`, ExitNotFound},
		{asked(fmt.Errorf("DELETE http://h/api/v1/playlists/p/tracks/9: %w", refused)), "there is no track at position 9", ExitUsage},
		{asked(fmt.Errorf("get http://h/api/v1/artists: %w", proxy)), "the origin failed (502 Bad Gateway); its log says why", ExitError},
		{asked(fmt.Errorf("POST http://h/api/v1/playlists: the origin is unreachable: %w", dial)), "the origin at 127.0.0.1:9 is unreachable (is it running? check --origin)", ExitError},
		{asked(fmt.Errorf("get http://h/api/v1/search: %w (the origin is unreachable: %w)", originclient.ErrOffline, dial)),
			"not available offline: no copy is stored here, and the origin at 127.0.0.1:9 is unreachable (is it running? check --origin)", ExitError},
		// a wrong URL, not an origin away: the offline clause went first
		{asked(fmt.Errorf("get https://h/api/v1/search: %w (the origin is unreachable: %w)", originclient.ErrOffline,
			&url.Error{Op: "Get", URL: "https://127.0.0.1:9/api/v1/search", Err: http.ErrSchemeMismatch})),
			"the origin at 127.0.0.1:9 answered in plain http, not https: begin the origin URL (--origin) with http: instead", ExitUsage},
		{asked(fmt.Errorf("decode http://h/api/v1/artists: %w", &json.SyntaxError{})), "the origin's answer is not segue's API (check --origin)", ExitError},
		{fmt.Errorf("resolve %q: %w", "al1", asked(fmt.Errorf("get http://h/api/v1/albums/al1: %w (text/html, 120 bytes: %v)", originclient.ErrBadAnswer, &json.SyntaxError{}))),
			`resolve "al1": the origin's answer does not decode (is a proxy in between broken?)`, ExitError},
		{errors.Join(withExit(ExitError, fmt.Errorf("play: 1 of 2 tracks could not be played: %w", notFound))), "play: 1 of 2 tracks could not be played: track t1 not found", ExitError},
		{&usageError{errors.New("search: give at least one word to search for")}, "search: give at least one word to search for", ExitUsage},
		{fmt.Errorf("open cache: %w", errors.New("disk I/O error")), "open cache: disk I/O error", ExitError},
		// A local refusal that quotes the user's URL argument asked no origin;
		// it was said as "asking the origin failed: offline remove ...".
		{withExit(ExitNotFound, fmt.Errorf("offline remove %q: not pinned (see segue offline list)", "http://h/p/AAAAAAAAAAAAAAAAAAAAAA")),
			`offline remove "http://h/p/AAAAAAAAAAAAAAAAAAAAAA": not pinned (see segue offline list)`, ExitNotFound},
		{withExit(ExitNotFound, fmt.Errorf("offline remove %q: not pinned (see segue offline list)", "http://h/api/v1/tracks/t1")),
			`offline remove "http://h/api/v1/tracks/t1": not pinned (see segue offline list)`, ExitNotFound},
		{fmt.Errorf("offline add %q: the offline list cannot be saved in the state dir /s (%w); nothing was downloaded", "http://h/p/AAAAAAAAAAAAAAAAAAAAAA", syscall.EROFS),
			`offline add "http://h/p/AAAAAAAAAAAAAAAAAAAAAA": the offline list cannot be saved in the state dir /s (read-only file system); nothing was downloaded`, ExitError},
		// A command's own words that name a share link the user gave, not
		// quoted, asked no origin: "asking the origin failed: " went first.
		{withExit(ExitNotFound, fmt.Errorf("origin ingest: the music folder %s does not exist (check the path)", "http://h/p/AAAAAAAAAAAAAAAAAAAAAA")),
			"origin ingest: the music folder http://h/p/AAAAAAAAAAAAAAAAAAAAAA does not exist (check the path)", ExitNotFound},
		{fmt.Errorf("playlist import: read %s: %w", "https://h/api/v1/tracks/t1/stream", syscall.ENOENT),
			"playlist import: read https://h/api/v1/tracks/t1/stream: no such file or directory", ExitError},
		// the origin client's request, whatever URL it asked: the origin's
		{asked(fmt.Errorf("GET http://h/p/AAAAAAAAAAAAAAAAAAAAAA: read answer: %w", io.ErrUnexpectedEOF)), "asking the origin failed: unexpected EOF", ExitError},
		// a segment the origin did not send, as play --json's and ctl watch's
		// error events say it: they carried `Get "http://127.0.0.1:9/chunks/...": dial tcp ...`
		{fmt.Errorf("fetch segment 2 of track t1 (retrying in 250ms): %w", fmt.Errorf("fetch segment abc: %w", errors.Join(fmt.Errorf("origin: %w",
			fmt.Errorf("fetch chunk abcdef: %w: %w", catalog.ErrUnreachable, &url.Error{Op: "Get", URL: "http://127.0.0.1:9/chunks/abcdef", Err: dial.Err}))))),
			"fetch segment 2 of track t1 (retrying in 250ms): fetch segment abc: origin: the origin at 127.0.0.1:9 is unreachable (is it running? check --origin)", ExitError},
		// A run's error and a cleanup's are one line: they were two.
		{withExit(130, errors.Join(errors.New("play: interrupted"), errors.New("finish wav output: write /dev/full: no space left on device"))),
			"play: interrupted; finish wav output: write /dev/full: no space left on device", 130},
		{fmt.Errorf("play: %w", errors.Join(errors.New("one\ntwo"), nil)), "play: one; two", ExitError},
		// The control socket is not the origin: a failed send to the running
		// segue said "the origin is unreachable (is it running? check --origin)".
		{fmt.Errorf("ctl status: send to segue: %w", &net.OpError{Op: "write", Net: "unix", Err: os.NewSyscallError("write", syscall.EPIPE)}),
			"ctl status: send to segue: write unix: write: broken pipe", ExitError},
	} {
		if got := sentence(c.err); got != c.want {
			t.Errorf("sentence(%q)\n got %q\nwant %q", c.err, got, c.want)
		}
		if got := exitStatus(c.err); got != c.status {
			t.Errorf("exitStatus(%q) = %d, want %d", c.err, got, c.status)
		}
	}
}

// TestUnknownWordsSaySo: a word a command does not take is a bad argument
// (2) said the one way for every command of the tree: after a group, an
// unknown command with the group's --help; after a command that takes no
// arguments, that it takes none. The groups that print their help when run
// alone (origin, origin token, user and events) said `origin: unknown
// command "blobs" for "segue origin" (usage: segue origin [flags])`, and a
// word after such a command was an unknown command too (`serve: unknown
// command "extra" for "segue origin serve"`).
func TestUnknownWordsSaySo(t *testing.T) {
	env := []string{"--config", filepath.Join(t.TempDir(), "none.toml")}
	if err := os.WriteFile(env[1], nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" || !c.HasSubCommands() {
			return
		}
		path := strings.Fields(c.CommandPath())[1:]
		_, errOut, code := segue(t, append(append(slices.Clone(env), path...), "bogus")...)
		want := fmt.Sprintf("segue: unknown command \"bogus\" for %q (see %s --help)\n", c.CommandPath(), c.CommandPath())
		if code != ExitUsage || errOut != want {
			t.Errorf("segue %s bogus: exit %d, stderr %q; want exit 2, stderr %q", strings.Join(path, " "), code, errOut, want)
		}
		// with --json after the word, as a script writes a command it
		// mistyped: it said "unknown flag: --json", on stderr only
		out, errOut, code := segue(t, append(append(slices.Clone(env), path...), "bogus", "--json")...)
		wantJSON, _ := json.Marshal(map[string]string{"error": strings.TrimSuffix(strings.TrimPrefix(want, "segue: "), "\n")})
		if code != ExitUsage || errOut != want || out != string(wantJSON)+"\n" {
			t.Errorf("segue %s bogus --json: exit %d, stdout %q, stderr %q; want exit 2, stdout %s, stderr %q", strings.Join(path, " "), code, out, errOut, wantJSON, want)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk((&app{stdout: io.Discard, stderr: io.Discard}).rootCmd())

	for _, args := range [][]string{
		{"origin", "serve", "extra"},
		{"origin", "token", "list", "extra"},
		{"origin", "proxy-config", "extra"},
		{"cache", "stats", "extra"},
		{"peer", "discover", "extra"},
	} {
		_, errOut, code := segue(t, append(slices.Clone(env), args...)...)
		name := strings.Join(args[:len(args)-1], " ")
		want := fmt.Sprintf("segue: %s takes no arguments, but was given \"extra\" (usage: segue %s ", name, name)
		if code != ExitUsage || !strings.HasPrefix(errOut, want) {
			t.Errorf("segue %s: exit %d, stderr %q; want exit 2, stderr starting %q", strings.Join(args, " "), code, errOut, want)
		}
	}
}

// TestPermissionDeniedSaysWhatToDo: a failure ending in the system's
// "permission denied" on a path (a data dir that cannot be made or
// written, a catalog that cannot be opened, a music folder that cannot be
// read) says which user was refused where and what to do. It said only
// "segue: start origin: create data dir: mkdir /srv/segue/x: permission
// denied". The errors are built as the commands' are: the tests run as
// root, whom the modes do not refuse.
func TestPermissionDeniedSaysWhatToDo(t *testing.T) {
	dir := t.TempDir()
	catalogDB := filepath.Join(dir, "catalog.db")
	if err := os.WriteFile(catalogDB, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	denied := func(op, path string) error { return &fs.PathError{Op: op, Path: path, Err: syscall.EACCES} }
	advice := func(where string) string {
		return " (user " + u.Username + " may not use " + where + ": run segue as a user who may, change its owner or mode, or give another path)"
	}
	for _, c := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("start origin: create data dir: %w", denied("mkdir", filepath.Join(dir, "x"))),
			"start origin: create data dir: mkdir " + filepath.Join(dir, "x") + ": permission denied" + advice(dir)},
		{fmt.Errorf("ingest: cannot use origin data dir %s: %w", dir, denied("open", filepath.Join(dir, "ingest.lock"))),
			"ingest: cannot use origin data dir " + dir + ": open " + filepath.Join(dir, "ingest.lock") + ": permission denied" + advice(dir)},
		{fmt.Errorf("open catalog: %w", denied("open", catalogDB)),
			"open catalog: open " + catalogDB + ": permission denied" + advice(catalogDB)},
		// the command's own words after the cause already say what to do
		{fmt.Errorf("demo origin log %s: %w (the state dir must be writable; set XDG_STATE_HOME to move it)", catalogDB, denied("open", catalogDB)),
			"demo origin log " + catalogDB + ": open " + catalogDB + ": permission denied (the state dir must be writable; set XDG_STATE_HOME to move it)"},
		// a full disk gets its own advice, not permission's (8efd951)
		{fmt.Errorf("create data dir: %w", &fs.PathError{Op: "mkdir", Path: dir, Err: syscall.ENOSPC}),
			"create data dir: mkdir " + dir + ": no space left on device (the disk is full: free space on its disk and run the command again)"},
	} {
		for _, asJSON := range []bool{false, true} {
			var out, errOut bytes.Buffer
			a := &app{stdout: &out, stderr: &errOut}
			cmd := jsonErrorFlag(&cobra.Command{Use: "list"})
			args := []string{"list"}
			if asJSON {
				args = append(args, "--json")
			}
			code := a.fail(cmd, args, c.err)
			wantOut := ""
			if asJSON {
				b, _ := json.Marshal(map[string]string{"error": c.want})
				wantOut = string(b) + "\n"
			}
			if code != ExitError || errOut.String() != "segue: "+c.want+"\n" || out.String() != wantOut {
				t.Errorf("%v (json %v): exit %d, stderr %q, stdout %q; want exit 1, stderr %q", c.err, asJSON, code, errOut.String(), out.String(), "segue: "+c.want)
			}
		}
	}
}

// A share link given where a folder goes (segue origin ingest LINK, as if
// it imported the playlist) is said as the command says it: the sentence
// began "asking the origin failed:", though no origin was asked.
func TestLinkInOwnWordsIsNoOriginFailure(t *testing.T) {
	link := "http://127.0.0.1:9/p/" + strings.Repeat("A", 43)
	_, errOut, code := segue(t, append(clientEnv(t, "http://127.0.0.1:9"), "origin", "ingest", link, "--data", t.TempDir())...)
	want := "segue: origin ingest: the music folder " + link + " does not exist (check the path)\n"
	if code != ExitNotFound || errOut != want {
		t.Errorf("origin ingest %s: exit %d, %q; want %d and %q", link, code, errOut, ExitNotFound, want)
	}
}
