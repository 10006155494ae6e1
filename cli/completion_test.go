package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Issue 11: completions offer flag values and IDs (playlists, albums,
// artists), from the origin and, with it down, from the cached documents.
func TestCompletion(t *testing.T) {
	url, stop := playOrigin(t)
	env := clientEnv(t, url)
	tracks := tones(t, url)
	album, artist := tracks[0].AlbumID, tracks[0].ArtistID
	pl := strings.Fields(segueOK(t, append(env, "playlist", "create", "Road Trip")...))[0]
	complete := func(args ...string) string {
		t.Helper()
		return segueOK(t, append(append(env, "__complete"), args...)...)
	}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"play", "--output", ""}, []string{"alsa\n", "null\n", "wav:\n", "wav16:\n"}},
		{[]string{"--quality", ""}, []string{"auto\n", "low\n", "normal\n", "high\n"}},
		{[]string{"offline", "add", "--quality", "h"}, []string{"high\n"}},
		{[]string{"playlist", "export", pl, "--format", ""}, []string{"m3u8\n", "xspf\n", "pls\n"}},
		{[]string{"playlist", "show", ""}, []string{pl + "\tRoad Trip"}},
		{[]string{"playlist", "add", pl, "al"}, []string{album + "\tPlay Album — Play Band"}},
		{[]string{"play", ""}, []string{album + "\t", artist + "\tPlay Band", pl + "\t"}},
		{[]string{"library", "ar"}, []string{artist + "\tPlay Band"}},
		{[]string{"offline", "add", ""}, []string{album + "\t", artist + "\tPlay Band", pl + "\t"}}, // it offered no artist
		{[]string{"completion", ""}, []string{"bash\n", "zsh\n", "fish\n"}},
		{[]string{"ctl", "repeat", ""}, []string{"off\n", "all\n", "one\n"}},
		{[]string{"ctl", "quality", "h"}, []string{"high\n"}},
		{[]string{"ctl", "shuffle", ""}, []string{"on\n", "off\n"}},
		{[]string{"ctl", "queue", ""}, []string{"list\n", "add\n", "next\n", "play\n", "move\n", "remove\n", "clear\n"}},
		{[]string{"ctl", "radio", ""}, []string{album + "\t", artist + "\tPlay Band", pl + "\t"}},
		{[]string{"ctl", "queue", "add", ""}, []string{album + "\t", artist + "\tPlay Band", pl + "\t"}},
		{[]string{"ctl", "open", "al"}, []string{album + "\t"}},
		{[]string{"play", "--radio", ""}, []string{album + "\t", artist + "\tPlay Band", pl + "\t"}},
	} {
		out := complete(c.args...)
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("complete %q: %q lacks %q", c.args, out, w)
			}
		}
	}
	// ctl's verbs, search's words and the commands that take no argument
	// offered the folder's file names (cobra's default)
	for _, args := range [][]string{
		{"ctl", "status", ""}, {"ctl", "seek", ""}, {"ctl", "volume", ""}, {"ctl", "toggle", ""},
		{"ctl", "repeat", "all", ""}, {"ctl", "queue", "remove", ""}, {"ctl", "watch", ""},
		{"cache", "stats", ""}, {"offline", "list", ""}, {"playlist", "list", ""}, {"search", ""},
		// flag values that are no file: a URL, a token, a search, a name, a number
		{"--origin", ""}, {"search", "--token", ""}, {"play", "--search", ""}, {"play", "--instance", ""},
		{"ctl", "--instance", ""}, {"search", "--limit", ""}, {"play", "--volume", ""},
	} {
		if out := complete(args...); !strings.HasSuffix(out, "\n:4\n") && out != ":4\n" {
			t.Errorf("complete %q: %q; want no file names (directive 4, ShellCompDirectiveNoFileComp)", args, out)
		}
	}
	for _, args := range [][]string{{"playlist", "import", ""}, {"--config", ""}, {"play", "--cache", ""}, {"playlist", "export", pl, "-o", ""}} {
		if out := complete(args...); out != ":0\n" {
			t.Errorf("complete %q: %q; want file names (directive 0)", args, out)
		}
	}
	if out := complete("play", "ar"); strings.Contains(out, album) || strings.Contains(out, pl) {
		t.Errorf("complete play ar: %q offers other kinds", out)
	}
	stop()
	if out := complete("play", ""); !strings.Contains(out, album+"\t") || !strings.Contains(out, artist+"\t") || !strings.Contains(out, pl+"\t") {
		t.Errorf("origin down: complete play: %q, want the cached album, artist and playlist", out)
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		if out := segueOK(t, append(env, "completion", shell)...); !strings.Contains(out, "segue") {
			t.Errorf("completion %s printed %q", shell, out)
		}
	}
}

// TestCompletionOfWavFiles: --output wav:FILE takes a file, and after
// "wav:" the shell offered nothing (README: file names where a command
// takes a file). Now it offers the folder's names after the prefix,
// folders ending in "/", hidden names only when one is typed.
func TestCompletionOfWavFiles(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9")
	dir := t.TempDir()
	for _, f := range []string{"take.wav", "other.wav", ".hidden.wav"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "renders"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		typed string
		want  []string
	}{
		{"wav:" + dir + "/", []string{"wav:" + dir + "/other.wav", "wav:" + dir + "/renders/", "wav:" + dir + "/take.wav"}},
		{"wav16:" + dir + "/t", []string{"wav16:" + dir + "/take.wav"}},
		{"wav:" + dir + "/.h", []string{"wav:" + dir + "/.hidden.wav"}},
		{"wav:" + dir + "/nothing", nil},
	} {
		out := segueOK(t, append(slices.Clone(env), "__complete", "play", "--output", c.typed)...)
		want := strings.Join(append(slices.Clone(c.want), ":6"), "\n") + "\n"
		if !strings.HasPrefix(out, want) {
			t.Errorf("complete play --output %s: %q; want %q (6: no space after, no file names of the shell's own)", c.typed, out, want)
		}
	}
}
