//go:build !segue_client

package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"segue/origin"
)

// TestEventsExportOfUnknownListener: origin events export --listener of a
// listener the origin does not know says so (exit 3, with --json too)
// while a known listener with no plays (a token, a Subsonic user, local)
// is an empty export (exit 0). Both printed nothing and exited 0.
func TestEventsExportOfUnknownListener(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9")
	data := []string{"--data", t.TempDir()}
	makeCatalog(t, data[1]) // token create, user add and events import make none
	origin := func(args ...string) string { return segueOK(t, slices.Concat(env, []string{"origin"}, args, data)...) }
	var tok, user struct {
		ID string `json:"id"`
	}
	decodeJSON(t, origin("token", "create", "ann", "--json"), &tok)
	decodeJSON(t, origin("user", "add", "bob", "--no-password", "--json"), &user)
	plays := filepath.Join(t.TempDir(), "plays.jsonl")
	if err := os.WriteFile(plays, []byte(`{"listener":"carol","track_id":"t1","played_ms":1000,"completed":true,"at":"2026-11-30T17:00:00Z","session":"s1"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	origin("events", "import", plays)

	for listener, lines := range map[string]int{tok.ID: 0, user.ID: 0, "local": 0, "carol": 1} {
		out := origin("events", "export", "--listener", listener)
		if n := strings.Count(out, "\n"); n != lines {
			t.Errorf("events export --listener %s: %d events, want %d:\n%s", listener, n, lines, out)
		}
	}
	checkFailCases(t, env, []failCase{
		{"events export of an unknown listener", slices.Concat([]string{"origin", "events", "export", "--listener", "tk-typo"}, data),
			// the commands it names carry the --data it was given
			`origin events export: no listener "tk-typo" on this origin: give a token's ID or name (segue origin token list --data ` + data[1] +
				`), a Subsonic user's ID or name (segue origin user list --data ` + data[1] + `) or local`, ExitNotFound, true},
	}, nil)

	// the token's and the user's names, as the host gave them, name their
	// plays too: --listener ann said "no listener"
	theirs := filepath.Join(t.TempDir(), "theirs.jsonl")
	line := `{"listener":%q,"track_id":"t1","played_ms":1000,"completed":true,"at":"2026-11-30T18:00:00Z","session":"s2"}` + "\n"
	if err := os.WriteFile(theirs, []byte(fmt.Sprintf(line, tok.ID)+fmt.Sprintf(line, user.ID)), 0o644); err != nil {
		t.Fatal(err)
	}
	origin("events", "import", theirs)
	for name, id := range map[string]string{"ann": tok.ID, "Bob": user.ID} {
		out := origin("events", "export", "--listener", name)
		if strings.Count(out, "\n") != 1 || !strings.Contains(out, `"listener":"`+id+`"`) {
			t.Errorf("events export --listener %s: %q; want the one play of %s", name, out, id)
		}
	}
}

// TestBadInputFilesExitTwo: a file an import command reads that is not
// what it takes is bad input, exit status 2 for every import command (with
// --json too), said in one sentence naming the file, the line where it is
// known, what was wrong and what to do. origin events import of a file
// that is not JSON exited 1, where playlist import of a malformed XSPF
// exited 2; a binary file given to playlist import was read as an M3U of
// entries that matched nothing (3).
func TestBadInputFilesExitTwo(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9")
	dir := t.TempDir()
	data := []string{"--data", filepath.Join(dir, "data")}
	makeCatalog(t, data[1]) // events import makes none
	write := fileWriter(t, dir)
	good := `{"listener":"a","track_id":"t1","played_ms":1000,"completed":true,"at":"2026-11-30T17:00:00Z","session":"s1"}` + "\n"
	notJSON := write("plays.m3u8", "#EXTM3U\n#EXTINF:2,Band - Song\nsong.mp3\n")
	badLine := write("plays.jsonl", good+`{"listener":"a","track_id":"t2","played_ms":-5,"at":"2026-11-30T17:01:00Z"}`+"\n")
	long := write("long.jsonl", good+strings.Repeat("x", 1<<20+1)+"\n")
	binary := write("cover.jpg", "\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01")
	xspf := write("list.xspf", "<?xml version=\"1.0\"?>\n<playlist xmlns=\"http://xspf.org/ns/0/\">\n<trackList><track><title>x</title>\n")
	events := func(file string) []string { return slices.Concat([]string{"origin", "events", "import", file}, data) }
	checkFailCases(t, env, []failCase{
		{"events import of a playlist", events(notJSON), "origin events import " + notJSON + ": line 1: bad play event: invalid character '#'", ExitUsage, true},
		{"events import of a bad event", events(badLine), "origin events import " + badLine + ": line 2: bad play event", ExitUsage, true},
		{"events import of a line too long", events(long), "origin events import " + long + ": line 2: bad play event: longer than 1 MiB", ExitUsage, true},
		{"events import of a binary file", events(binary), "origin events import " + binary + ": line 1: bad play event", ExitUsage, true},
		{"playlist import of a malformed XSPF", []string{"playlist", "import", xspf}, "playlist import: " + xspf + " does not parse: read xspf: XML syntax error on line 4: unexpected EOF; give an M3U8, PLS or XSPF playlist (fix the file", ExitUsage, true},
		{"playlist import of a binary file", []string{"playlist", "import", binary}, "playlist import: " + binary + " is not a playlist: it holds binary data; give an M3U8, PLS or XSPF playlist", ExitUsage, true},
	}, func(t *testing.T, c failCase) {
		_, errOut, _ := segue(t, append(slices.Clone(env), c.args...)...)
		if c.args[0] == "origin" && !strings.Contains(errOut, "fix that line and import the file again") {
			t.Errorf("segue %s: %q does not say what to do", strings.Join(c.args, " "), errOut)
		}
	})
	// the events before the bad line are kept, and an import of the fixed file adds the rest once
	if out := segueOK(t, slices.Concat(env, []string{"origin", "events", "export"}, data)...); strings.Count(out, "\n") != 1 {
		t.Errorf("after the failed imports the origin holds:\n%s\nwant the one good event", out)
	}
}

// TestEventsImportSaysHowFar: origin events import of a large file says
// how far it is on stderr every 10,000 events (with --json too), as the
// other long origin jobs do; a file of a million plays was a minute with
// nothing said.
func TestEventsImportSaysHowFar(t *testing.T) {
	config, data := ingestEnv(t)
	makeCatalog(t, data) // events import makes none
	var in strings.Builder
	const n = origin.ImportReport + 1
	for i := range n {
		fmt.Fprintf(&in, `{"listener":"local","track_id":"t1","played_ms":1000,"completed":true,"at":"2026-11-30T17:00:00Z","session":"s%d"}`+"\n", i)
	}
	file := filepath.Join(t.TempDir(), "plays.jsonl")
	if err := os.WriteFile(file, []byte(in.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := segue(t, "--config", config, "origin", "events", "import", file, "--json")
	want := fmt.Sprintf("[%d] events read, %[1]d new so far\n", origin.ImportReport)
	if code != ExitOK || errOut != want || !strings.Contains(out, fmt.Sprintf(`"added": %d`, n)) {
		t.Errorf("events import of %d plays: exit %d, stdout %s, stderr %q; want %q on stderr", n, code, out, errOut, want)
	}
}

// TestEventsImportStdinSaysPipeAgain: a bad line in events piped to origin
// events import - is fixed where they come from and piped in again; it said
// to "import the file again", and there is no file.
func TestEventsImportStdinSaysPipeAgain(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9")
	data := []string{"--data", filepath.Join(t.TempDir(), "data")}
	makeCatalog(t, data[1]) // events import makes none
	good := `{"listener":"a","track_id":"t1","played_ms":1000,"completed":true,"at":"2026-11-30T17:00:00Z","session":"s1"}` + "\n"
	in := strings.NewReader(good + `{"listener":"a","track_id":"t2","played_ms":-5,"at":"2026-11-30T17:01:00Z"}` + "\n")
	var out, errOut strings.Builder
	code := runApp(&app{stdout: &out, stderr: &errOut, stdin: in}, slices.Concat(env, []string{"origin", "events", "import", "-"}, data))
	want := "; fix that line where the events come from and pipe them in again (kept the 1 new event before it; what is stored is never added twice)"
	if code != ExitUsage || !strings.HasPrefix(errOut.String(), "segue: origin events import standard input: line 2: bad play event") || !strings.Contains(errOut.String(), want) || strings.Contains(errOut.String(), "the file") {
		t.Errorf("events import - of a bad line: exit %d, stderr %q; want exit %d and %q", code, errOut.String(), ExitUsage, want)
	}
}

// TestPlaylistImportStdinRefused: playlist import reads a file or a share
// URL, not standard input; "-" was taken for a file and said "- does not
// exist (check the path)".
func TestPlaylistImportStdinRefused(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9")
	_, errOut, code := segue(t, append(env, "playlist", "import", "-")...)
	want := "segue: playlist import: - (standard input) is not read: save the playlist to a file and give its path, e.g. segue playlist import list.m3u8\n"
	if code != ExitUsage || errOut != want {
		t.Errorf("playlist import -: exit %d, stderr %q; want exit %d and %q", code, errOut, ExitUsage, want)
	}
}
