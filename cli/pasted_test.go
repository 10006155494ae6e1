package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"segue/catalog"
)

// TestPastedIDs: an ID copied from a sentence, a chat or JSON, with the
// sentence's full stop or comma after it or brackets and quotes around
// it, is the ID wherever a command takes one, as a pasted share link and
// the interface's `o` already were: segue play "al….", library, playlist,
// radio and offline refused it ("is not a track ... ID", exit 2), and
// library, playlist show, add, rename, export, share said only the
// origin's "malformed id: want letters, digits, - or _ (at most 128)",
// naming neither the argument nor what to do. What stays no ID after the
// trim is refused before the origin is asked, naming the argument, exit
// 2 with and without --json.
func TestPastedIDs(t *testing.T) {
	env := clientEnv(t, browseOrigin(t))
	var artists []catalog.Artist
	decodeJSON(t, segueOK(t, append(env, "library", "--json")...), &artists)
	var cream catalog.Artist
	for _, ar := range artists {
		if ar.Name == "Cream" {
			decodeJSON(t, segueOK(t, append(env, "library", ar.ID, "--json")...), &cream)
		}
	}
	if len(cream.Albums) != 1 {
		t.Fatalf("Cream has %d albums, want 1", len(cream.Albums))
	}
	album := cream.Albums[0].ID
	var wheels catalog.Album
	decodeJSON(t, segueOK(t, append(env, "library", album, "--json")...), &wheels)
	track := wheels.Tracks[0].ID
	var pl catalog.Playlist
	decodeJSON(t, segueOK(t, append(env, "playlist", "create", "Pasted", track, "--json")...), &pl)
	wav := filepath.Join(t.TempDir(), "out.wav")

	for _, args := range [][]string{
		{"library", album + "."},
		{"library", "(" + cream.ID + ")"},
		{"library", "“" + album + "”,"},
		{"playlist", "show", pl.ID + "."},
		{"playlist", "add", pl.ID + ":", album + ","},
		{"playlist", "rename", "<" + pl.ID + ">", "Pasted again"},
		{"playlist", "export", pl.ID + "!"},
		{"playlist", "create", "From a chat", "[" + track + "]"},
		{"playlist", "move", pl.ID, "1", "1", "--track", track + "."},
		{"radio", track + "?"},
		{"offline", "add", album + "."},
		{"offline", "remove", "'" + album + "'"},
		{"play", "--output", "wav:" + wav, "--fast", track + ","},
		{"play", "--output", "wav:" + wav, "--fast", "--radio", track + ".", "--json"},
	} {
		if out, errOut, code := segue(t, append(slices.Clone(env), args...)...); code != 0 {
			t.Errorf("segue %s: exit %d, stdout %q, stderr %q; want 0, the ID taken as pasted", strings.Join(args, " "), code, out, errOut)
		}
	}

	// still no ID once trimmed: refused before the origin is asked,
	// naming the argument, with what to do
	checkFailCases(t, env, []failCase{
		{"library of an album ID with a bad character", []string{"library", album + "!x"}, `library "` + album + `!x": not an artist ID`, ExitUsage, true},
		{"playlist show of a bad playlist ID", []string{"playlist", "show", pl.ID + "!x"}, `"` + pl.ID + `!x" is not a playlist ID (pl…): segue playlist list shows them`, ExitUsage, true},
		{"playlist add to a bad playlist ID", []string{"playlist", "add", pl.ID + "!x", track}, `"` + pl.ID + `!x" is not a playlist ID (pl…)`, ExitUsage, true},
		{"playlist export of a bad playlist ID", []string{"playlist", "export", pl.ID + "/x"}, `"` + pl.ID + `/x" is not a playlist ID (pl…)`, ExitUsage, true},
		{"playlist share of a bad playlist ID", []string{"playlist", "share", pl.ID + "!x"}, `"` + pl.ID + `!x" is not a playlist ID (pl…)`, ExitUsage, true},
		// it said "position 1 now holds … not x!: the playlist was edited since you loaded it", exit 1
		{"playlist remove --track of no track ID", []string{"playlist", "remove", pl.ID, "1", "--track", "x!"}, `--track "x!": not a track ID (t…), the one playlist show lists at the position`, ExitUsage, true},
		{"playlist move --track of an album ID", []string{"playlist", "move", pl.ID, "1", "1", "--track", album}, `--track "` + album + `": not a track ID (t…)`, ExitUsage, true},
	}, func(t *testing.T, c failCase) {
		if _, errOut, _ := segue(t, append(slices.Clone(env), c.args...)...); strings.Contains(errOut, "malformed id") {
			t.Errorf("segue %s: the origin's %q, not the CLI's sentence", strings.Join(c.args, " "), errOut)
		}
	})
}

// TestPastedToken: an origin token copied from a sentence or chat, with a
// full stop, comma, quotes or brackets around it, is the token, given with
// --token, SEGUE_TOKEN or token in config.toml: sent with them, the
// origin refused it and segue said the token "is wrong or was revoked",
// sending the user to ask for a new one. A segue origin's secret is sgo_
// and 64 hex digits, so only what is around such a secret is dropped.
func TestPastedToken(t *testing.T) {
	url, token, _, _, _ := tokenOrigin(t)
	env := clientEnv(t, url)
	for _, pasted := range []string{token + ".", token + ",", "“" + token + "”", "<" + token + ">.", "'" + token + "'", "(" + token + ")"} {
		if out, errOut, code := segue(t, append(slices.Clone(env), "--token", pasted, "library", "--json")...); code != 0 {
			t.Errorf("segue --token %q library: exit %d, stdout %q, stderr %q; want 0, the token taken as pasted", pasted, code, out, errOut)
		}
	}
	cfg := env[1]
	if err := os.WriteFile(cfg, append([]byte("token = "+strconvQuote(token+".")+"\n"), readFile(t, cfg)...), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := segue(t, append(slices.Clone(env), "library")...); code != 0 {
		t.Errorf("segue library with token = \"sgo_….\" in config.toml: exit %d, stdout %q, stderr %q; want 0", code, out, errOut)
	}
	// a wrong token is still refused as wrong
	if _, errOut, code := segue(t, append(slices.Clone(env), "--token", "sgo_"+strings.Repeat("0", 64)+".", "library")...); code == 0 || !strings.Contains(errOut, "wrong or was revoked") {
		t.Errorf("a wrong token with a full stop: exit %d, %q; want it refused as wrong", code, errOut)
	}
}

// TestPastedOrigin: an origin URL copied from a sentence or chat, with a
// full stop or comma after it or brackets and quotes around it, is the
// URL, given with --origin, SEGUE_ORIGIN or origin in config.toml, as a
// pasted share link is: it was refused, "want http(s)://host[:port]" (exit
// 2), though nothing but the punctuation was wrong.
func TestPastedOrigin(t *testing.T) {
	url := browseOrigin(t)
	env := clientEnv(t, "http://127.0.0.1:9")
	for _, pasted := range []string{url + ".", url + ",", "<" + url + ">.", "“" + url + "”", "(" + url + "/)."} {
		if out, errOut, code := segue(t, append(slices.Clone(env), "--origin", pasted, "library", "--json")...); code != 0 {
			t.Errorf("segue --origin %q library: exit %d, stdout %q, stderr %q; want 0, the URL taken as pasted", pasted, code, out, errOut)
		}
	}
	t.Setenv("SEGUE_ORIGIN", "("+url+"),")
	if out, errOut, code := segue(t, append(slices.Clone(env), "library")...); code != 0 {
		t.Errorf("SEGUE_ORIGIN=(%s), segue library: exit %d, stdout %q, stderr %q; want 0", url, code, out, errOut)
	}
	t.Setenv("SEGUE_ORIGIN", "")
	cfg := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(cfg, append([]byte("origin = "+strconvQuote(url+".")+"\n"), readFile(t, env[1])[len("origin = "+strconvQuote("http://127.0.0.1:9")+"\n"):]...), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := segue(t, "--config", cfg, "library"); code != 0 {
		t.Errorf("origin = \"%s.\" in config.toml, segue library: exit %d, stdout %q, stderr %q; want 0", url, code, out, errOut)
	}
	// what is no URL without the punctuation either is still refused
	if _, errOut, code := segue(t, append(slices.Clone(env), "--origin", "(127.0.0.1:9).", "library")...); code != ExitUsage || !strings.Contains(errOut, "want http(s)://host[:port]") {
		t.Errorf("--origin (127.0.0.1:9).: exit %d, %q; want %d saying what an origin URL is", code, errOut, ExitUsage)
	}
}

// TestCtlPastedIDs: segue ctl queue add and queue next take an ID pasted
// from a sentence, a chat or JSON ("t….", "(t…)", "“al…”,") as every other
// command does since pastedIDs: they refused it, "bad control command: ...
// is not a track (t…), album (al…), artist (ar…) or playlist (pl…) ID"
// (exit 2), flags before or after the verb alike. ctl open and ctl radio,
// which took it already, are checked with them; a position (queue play
// 1.) is no ID and is still refused as a position.
func TestCtlPastedIDs(t *testing.T) {
	url, tracks := ctlOrigin(t)
	h := newCtlHost(t)
	h.startPlay("--origin", url, "play", "--output", "null", tracks[0].ID)
	for _, args := range [][]string{
		{"queue", "add", tracks[1].ID + "."},
		{"queue", "add", "(" + tracks[2].ID + "),", "“" + tracks[1].ID + "”"},
		{"queue", "next", "\"" + tracks[2].ID + "\","},
		{"--json", "queue", "next", "'" + tracks[1].ID + "'."},
		{"queue", "--instance", "", "add", "<" + tracks[2].ID + ">", "--json"},
	} {
		if out, errOut, code := h.ctl(args...); code != 0 {
			t.Errorf("segue ctl %s: exit %d, stdout %q, stderr %q; want 0, the ID taken as pasted", strings.Join(args, " "), code, out, errOut)
		}
	}
	var ids []string
	for _, e := range h.queue() {
		ids = append(ids, e.Track.ID)
	}
	want := []string{tracks[0].ID, tracks[1].ID, tracks[2].ID, tracks[1].ID, tracks[2].ID, tracks[1].ID, tracks[2].ID}
	if !slices.Equal(ids, want) {
		t.Errorf("queue after the pasted adds: %v; want %v", ids, want)
	}
	h.refuses(2, `queue play "1.": want a position from 1`, "queue", "play", "1.")
	h.refuses(2, `"`+tracks[1].ID+`!x" is not a track`, "queue", "add", tracks[1].ID+"!x")
	for _, args := range [][]string{
		{"open", "(" + tracks[2].ID + ")."},
		{"radio", "“" + tracks[0].ID + "”,"},
	} {
		if out, errOut, code := h.ctl(args...); code != 0 {
			t.Errorf("segue ctl %s: exit %d, stdout %q, stderr %q; want 0, the ID taken as pasted", strings.Join(args, " "), code, out, errOut)
		}
	}
}
