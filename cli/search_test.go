package cli

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"segue/catalog"
)

func TestSearchAndLibraryCommands(t *testing.T) {
	url, _ := playOrigin(t)
	env := clientEnv(t, url)
	var res catalog.SearchResult
	if err := json.Unmarshal([]byte(segueOK(t, append(env, "search", "tone", "--json")...)), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Tracks) != 2 || res.Query != "tone" {
		t.Fatalf("search tone --json: %+v", res)
	}
	if out := segueOK(t, append(env, "search", "play", "band")...); !strings.Contains(out, "Play Band") || !strings.Contains(out, "ARTIST") {
		t.Fatalf("search play band:\n%s", out)
	}
	var artists []catalog.Artist
	libOut := segueOK(t, append(env, "library", "--json")...)
	json.Unmarshal([]byte(libOut), &artists)
	if len(artists) != 1 || artists[0].Name != "Play Band" {
		t.Fatalf("library --json: %+v", artists)
	}
	if out := segueOK(t, append(env, "library", artists[0].ID)...); !strings.Contains(out, "Play Album") {
		t.Fatalf("library ARTIST:\n%s", out)
	}
	var album catalog.Album
	json.Unmarshal([]byte(segueOK(t, append(env, "library", res.Tracks[0].AlbumID, "--json")...)), &album)
	if len(album.Tracks) != 2 {
		t.Fatalf("library ALBUM --json: %+v", album)
	}
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"search", "zzzz"}, ExitNotFound},
		{[]string{"library", "al0000000000000000"}, ExitNotFound},
		{[]string{"library", "x"}, ExitUsage},
	} {
		if _, errOut, code := segue(t, append(env, c.args...)...); code != c.code || errOut == "" {
			t.Errorf("segue %v: exit %d (%q), want %d", c.args, code, errOut, c.code)
		}
	}
	// An ID the origin does not know says where IDs are seen.
	for _, args := range [][]string{{"library", "al0000000000000000"}, {"play", "t0000000000000000", "--output", "null"}, {"radio", "t0000000000000000"}} {
		if _, errOut, code := segue(t, append(env, args...)...); code != ExitNotFound || !strings.Contains(errOut, "0000000000000000 not found") || !strings.HasSuffix(errOut, idsHint+"\n") {
			t.Errorf("segue %v: exit %d (%q), want %d ending with where IDs are seen", args, code, errOut, ExitNotFound)
		}
	}
	// A limit above what an origin answers says so rather than being cut.
	if _, errOut, code := segue(t, append(env, "search", "tone", "--limit", "101")...); code != ExitUsage || !strings.Contains(errOut, "100") {
		t.Errorf("search --limit 101: exit %d (%q), want %d naming the maximum, 100", code, errOut, ExitUsage)
	}
}

// TestPlaySearchPlaysWhatSearchListsFirst: play --search plays the first
// track segue search lists. Asked for one track the origin ranks by text
// alone and answers the shorter title, while its longer list keeps an
// album's order: "segue search aurora" on the demo listed Platform Lights
// first and "segue play --search aurora" played Terminus.
func TestPlaySearchPlaysWhatSearchListsFirst(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	lib := t.TempDir()
	for i, title := range []string{"Platform Lights Of The Night", "Terminus"} {
		makeTone(t, filepath.Join(lib, fmt.Sprintf("%02d.flac", i+1)), 1, "title="+title, "artist=Zed Static", "album=Transit", "track="+strconv.Itoa(i+1))
	}
	o := serveLibrary(t, lib, t.TempDir())
	env := clientEnv(t, "http://"+o.addr)
	var res struct{ Tracks []catalog.Track }
	if err := json.Unmarshal([]byte(segueOK(t, append(slices.Clone(env), "search", "zed", "--json")...)), &res); err != nil || len(res.Tracks) != 2 {
		t.Fatalf("search zed: %v, %d tracks; want 2", err, len(res.Tracks))
	}
	first := res.Tracks[0].Title
	wav := filepath.Join(t.TempDir(), "out.wav")
	play := segueOK(t, append(slices.Clone(env), "play", "--search", "zed", "--output", "wav:"+wav, "--fast")...)
	if !strings.Contains(play, "Zed Static — "+first+" (") {
		t.Errorf("play --search zed played:\n%s\nwant %q, the track search lists first", play, first)
	}
}

// TestJSONBeforeTheCommand: --json before the command's words is the
// command's own flag, as after them (it was refused as unknown to segue).
func TestJSONBeforeTheCommand(t *testing.T) {
	url, _ := playOrigin(t)
	env := clientEnv(t, url)
	for _, args := range [][]string{
		{"--json", "search", "tone"},
		{"--json=true", "search", "tone"},
		{"search", "--json", "tone"},
	} {
		var res catalog.SearchResult
		out := segueOK(t, append(slices.Clone(env), args...)...)
		if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Tracks) != 2 {
			t.Errorf("segue %v: %v\n%s", args, err, out)
		}
	}
	var artists []catalog.Artist
	if out := segueOK(t, append([]string{"--json"}, append(slices.Clone(env), "library")...)...); json.Unmarshal([]byte(out), &artists) != nil || len(artists) != 1 {
		t.Errorf("segue --json --config … library:\n%s", out)
	}
	// A command without --json still refuses it, naming it.
	if _, errOut, code := segue(t, append(slices.Clone(env), "--json", "completion", "bash")...); code != ExitUsage || !strings.Contains(errOut, "--json") {
		t.Errorf("segue --json completion bash: exit %d (%q), want %d naming --json", code, errOut, ExitUsage)
	}
}

// TestSearchOfPunctuationAlone: a query with no word to search for, only
// the punctuation a search engine's syntax suggests ("*", "-", a quote), is
// a usage error (2) saying so and what to give, as an empty one is; it was
// "nothing found" (3), as if the library had no such track. Words around
// such punctuation still search. play --search says the same.
func TestSearchOfPunctuationAlone(t *testing.T) {
	url, _ := playOrigin(t)
	env := clientEnv(t, url)
	for _, q := range []string{"*", "-", `"`, "( )", "--"} {
		out, errOut, code := segue(t, append(env, "search", "--", q)...)
		want := fmt.Sprintf("segue: search %q: no word to search for", q)
		if code != ExitUsage || out != "" || !strings.HasPrefix(errOut, want) || !strings.Contains(errOut, "segue library") {
			t.Errorf("search %q: exit %d, stdout %q, stderr %q; want exit 2 saying %q and to list with segue library", q, code, out, errOut, want)
		}
	}
	// play --search, the first track search lists, too
	out, errOut, code := segue(t, append(slices.Clone(env), "play", "--search", "*", "--output", "null")...)
	if want := `segue: search "*": no word to search for`; code != ExitUsage || !strings.HasPrefix(errOut, want) {
		t.Errorf("play --search '*': exit %d, stdout %q, stderr %q; want exit 2 saying %q", code, out, errOut, want)
	}
	if out := segueOK(t, append(env, "search", "--", "tone*", `"play"`)...); !strings.Contains(out, "Play Band") {
		t.Errorf("search tone* \"play\":\n%s\nwant the tracks of tone and play", out)
	}
}
