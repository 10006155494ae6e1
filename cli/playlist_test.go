package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"segue/catalog"
)

// clientEnv is one listener's machine: its own config, cache, state and
// log, talking to origin by default.
func clientEnv(t *testing.T, origin string) []string {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	body := "origin = " + strconvQuote(origin) + "\nstate_dir = " + strconvQuote(filepath.Join(dir, "state")) +
		"\nlog_file = " + strconvQuote(filepath.Join(dir, "segue.log")) + "\n[cache]\npath = " + strconvQuote(filepath.Join(dir, "cache.db")) + "\n"
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{"--config", cfg}
}

// ingestEnv writes a config file that keeps the log and the default data
// dir inside the test, and returns its path and that data dir.
func ingestEnv(t *testing.T) (config, data string) {
	t.Helper()
	dir := t.TempDir()
	data = filepath.Join(dir, "origin-data")
	config = filepath.Join(dir, "config.toml")
	body := "log_file = " + strconvQuote(filepath.Join(dir, "segue.log")) + "\n[origin_server]\ndata_dir = " + strconvQuote(data) + "\n"
	if err := os.WriteFile(config, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return config, data
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

// segueOK runs segue and fails the test unless it exits 0.
func segueOK(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := segue(t, args...)
	if code != 0 {
		t.Fatalf("segue %s: exit %d\n%s\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Issue 7, acceptance 1, 4 and 5 through the CLI: create and share a
// playlist; a second client with an empty cache and another configured
// origin plays the URL sample-exact against the first; export/import round
// trips; a pinned playlist plays entirely with the origin down.
func TestPlaylistShareExportOffline(t *testing.T) {
	url, stop := playOrigin(t)
	alice := clientEnv(t, url)
	tracks := tones(t, url)
	var pl catalog.Playlist
	out := segueOK(t, append(alice, "playlist", "create", "Trip", tracks[1].ID, tracks[0].ID, "--json")...)
	if err := json.Unmarshal([]byte(out), &pl); err != nil || pl.TrackCount != 2 {
		t.Fatalf("create --json: %v in %s", err, out)
	}
	shareURL := strings.TrimSpace(segueOK(t, append(alice, "playlist", "share", pl.ID)...))
	if !strings.HasPrefix(shareURL, url+"/p/") {
		t.Fatalf("share printed %q", shareURL)
	}
	if ls := segueOK(t, append(alice, "playlist", "list")...); !strings.Contains(ls, "Trip") || !strings.Contains(ls, shareURL) {
		t.Fatalf("playlist list:\n%s", ls)
	}

	dir := t.TempDir()
	aWav, bWav := filepath.Join(dir, "a.wav"), filepath.Join(dir, "b.wav")
	// One fixed rendition: at auto each run's renditions follow its own
	// measurements, and the two outputs differ by the codec.
	segueOK(t, append(alice, "play", pl.ID, "--quality", "high", "--output", "wav:"+aWav, "--fast")...)
	bob := clientEnv(t, "http://127.0.0.1:9") // configured for an origin that is not there
	segueOK(t, append(bob, "play", shareURL, "--quality", "high", "--output", "wav:"+bWav, "--fast")...)
	if a, b := readFile(t, aWav), readFile(t, bWav); len(a) < 1000 || !bytes.Equal(a, b) {
		t.Fatalf("shared playlist played %d bytes, owner's %d; want identical", len(b), len(a))
	}

	for _, format := range []string{"m3u8", "xspf"} {
		file := filepath.Join(dir, "trip."+format)
		segueOK(t, append(alice, "playlist", "export", pl.ID, "--format", format, "-o", file)...)
		var imp importResult
		if err := json.Unmarshal([]byte(segueOK(t, append(alice, "playlist", "import", file, "--json")...)), &imp); err != nil {
			t.Fatal(err)
		}
		if len(imp.Unmatched) != 0 || len(imp.Playlist.Tracks) != 2 ||
			imp.Playlist.Tracks[0].ID != pl.Tracks[0].ID || imp.Playlist.Tracks[1].ID != pl.Tracks[1].ID {
			t.Fatalf("%s round trip: %+v", format, imp)
		}
	}

	carol := clientEnv(t, "http://127.0.0.1:9")
	segueOK(t, append(carol, "offline", "add", shareURL, "--quality", "low")...)
	if ls := segueOK(t, append(carol, "offline", "list")...); !strings.Contains(ls, "complete") {
		t.Fatalf("offline list:\n%s", ls)
	}
	stop()
	cWav := filepath.Join(dir, "c.wav")
	segueOK(t, append(carol, "play", shareURL, "--output", "wav:"+cWav, "--fast", "--quality", "low")...)
	if got, want := wavFrames(t, cWav), wavFrames(t, aWav); got != want {
		t.Fatalf("offline play wrote %d samples, want %d", got, want)
	}
	segueOK(t, append(carol, "offline", "remove", shareURL)...)
	if ls := segueOK(t, append(carol, "offline", "list", "--json")...); strings.TrimSpace(ls) != "[]" {
		t.Fatalf("offline list after remove: %s", ls)
	}
	if _, _, code := segue(t, append(carol, "offline", "remove", shareURL)...); code != ExitNotFound {
		t.Fatalf("removing what is not pinned: exit %d, want %d", code, ExitNotFound)
	}
	// Not pinned, origin down: a clear error and a non-zero exit.
	if _, errOut, code := segue(t, append(bob, "play", pl.Tracks[0].ID, "--origin", url, "--output", "null")...); code == 0 || !strings.Contains(errOut, "offline") {
		t.Fatalf("uncached play with the origin down: exit %d, %q", code, errOut)
	}
}

// Bad share URLs are refused with the reason, on one line, non-zero exit.
func TestBadShareURLs(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9")
	for url, why := range map[string]string{
		"ftp://host/p/" + strings.Repeat("a", 43):         "scheme ftp",
		"http://host/p/short":                             "token is malformed",
		"http://127.0.0.1:9/p/" + strings.Repeat("a", 43): "unreachable",
	} {
		_, errOut, code := segue(t, append(env, "playlist", "show", url)...)
		if code == 0 || !strings.Contains(errOut, why) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("show %s: exit %d, stderr %q; want one line naming %q", url, code, errOut, why)
		}
	}
}

// Issue 11: positions count from 1 in every playlist command, and `playlist
// add` takes an album ID for the album's tracks in order.
func TestPlaylistPositionsAndAlbums(t *testing.T) {
	url, _ := playOrigin(t)
	env := clientEnv(t, url)
	tracks := tones(t, url)
	album, first, second := tracks[0].AlbumID, tracks[0].ID, tracks[1].ID
	edit := func(args ...string) []string {
		t.Helper()
		var pl catalog.Playlist
		if err := json.Unmarshal([]byte(segueOK(t, append(append(env, "playlist"), append(args, "--json")...)...)), &pl); err != nil {
			t.Fatal(err)
		}
		ids := make([]string, len(pl.Tracks))
		for i, tr := range pl.Tracks {
			ids[i] = tr.ID
		}
		return ids
	}
	var pl catalog.Playlist
	json.Unmarshal([]byte(segueOK(t, append(env, "playlist", "create", "Album", album, "--json")...)), &pl)
	if got := edit("show", pl.ID); !slices.Equal(got, []string{first, second}) {
		t.Fatalf("create with the album ID: %v, want %v", got, []string{first, second})
	}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"add", pl.ID, second, "--at", "1"}, []string{second, first, second}},
		{[]string{"remove", pl.ID, "3"}, []string{second, first}},
		{[]string{"move", pl.ID, "2", "1"}, []string{first, second}},
		{[]string{"add", pl.ID, album}, []string{first, second, first, second}},
		{[]string{"remove", pl.ID, "1"}, []string{second, first, second}},
	} {
		edit(c.args...)
		if got := edit("show", pl.ID); !slices.Equal(got, c.want) {
			t.Fatalf("playlist %v: %v, want %v", c.args, got, c.want)
		}
	}
	if out := segueOK(t, append(env, "playlist", "show", pl.ID)...); !strings.Contains(out, "\n1  Tone") {
		t.Fatalf("playlist show numbers from 1:\n%s", out)
	}
	// --track: the track show listed at the position; another there (the
	// playlist was edited since) removes or moves nothing and says what
	for _, verb := range [][]string{{"remove", pl.ID, "2"}, {"move", pl.ID, "2", "1"}} {
		_, stderr, code := segue(t, append(append(env, "playlist"), append(verb, "--track", second)...)...)
		if code != ExitError || !strings.Contains(stderr, "position 2 now holds “Tone") || !strings.Contains(stderr, "reload") {
			t.Fatalf("playlist %v --track %s: exit %d, %s; want 1 saying what position 2 holds", verb, second, code, stderr)
		}
	}
	if got := edit("remove", pl.ID, "2", "--track", first); !slices.Equal(got, []string{second, second}) {
		t.Fatalf("remove 2 --track naming its track: %v", got)
	}
}

// A playlist with no tracks lists them as [] wherever its tracks are listed
// as JSON: create, show and an edit's --json, the origin's playlist and its
// share link. "tracks" was left out (omitempty), so a script reading
// .tracks of an empty playlist got null. A list of playlists (which lists
// no tracks) still has none.
func TestEmptyPlaylistJSONListsNoTracks(t *testing.T) {
	url, _ := playOrigin(t)
	env := clientEnv(t, url)
	tr := tones(t, url)
	hasEmptyTracks := func(what, out string) {
		t.Helper()
		var v map[string]any
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("%s: %v in %s", what, err, out)
		}
		if ts, ok := v["tracks"].([]any); !ok || len(ts) != 0 {
			t.Errorf("%s: tracks %#v in %s; want []", what, v["tracks"], out)
		}
	}
	out := segueOK(t, append(env, "playlist", "create", "Empty", "--json")...)
	hasEmptyTracks("playlist create --json", out)
	var pl catalog.Playlist
	if err := json.Unmarshal([]byte(out), &pl); err != nil {
		t.Fatal(err)
	}
	hasEmptyTracks("playlist show --json", segueOK(t, append(env, "playlist", "show", pl.ID, "--json")...))
	segueOK(t, append(env, "playlist", "add", pl.ID, tr[0].ID)...)
	hasEmptyTracks("playlist remove of its one track --json", segueOK(t, append(env, "playlist", "remove", pl.ID, "1", "--json")...))
	link := strings.TrimSpace(segueOK(t, append(env, "playlist", "share", pl.ID)...))
	hasEmptyTracks("playlist show URL --json", segueOK(t, append(env, "playlist", "show", link, "--json")...))
	// pasted as mail and Markdown wrap a link: it was "cannot parse"
	hasEmptyTracks("playlist show <URL> --json", segueOK(t, append(env, "playlist", "show", "<"+link+">", "--json")...))
	for _, u := range []string{url + "/api/v1/playlists/" + pl.ID, link} {
		var raw json.RawMessage
		getJSON(t, u, &raw)
		hasEmptyTracks("GET "+u, string(raw))
	}
	if ls := segueOK(t, append(env, "playlist", "list", "--json")...); strings.Contains(ls, `"tracks"`) {
		t.Errorf("playlist list --json lists tracks: %s", ls)
	}
}

// segue play of the share link of a playlist with no tracks names the
// playlist and says what to do; it said only "the targets hold no tracks".
// A target that holds tracks beside it still plays.
func TestPlayOfAnEmptySharedPlaylistNamesIt(t *testing.T) {
	url, _ := playOrigin(t)
	env := clientEnv(t, url)
	var pl catalog.Playlist
	if err := json.Unmarshal([]byte(segueOK(t, append(env, "playlist", "create", "Nothing yet", "--json")...)), &pl); err != nil {
		t.Fatal(err)
	}
	link := strings.TrimSpace(segueOK(t, append(env, "playlist", "share", pl.ID)...))
	_, errOut, code := segue(t, append(env, "play", link, "--output", "null")...)
	want := `play: the targets hold no tracks: the shared playlist "Nothing yet" (` + link + `) has none; ask its owner to add some, then play the link again`
	if code != ExitNotFound || !strings.Contains(errOut, want) || strings.Contains(errOut, "asking the origin failed") {
		t.Errorf("play of an empty shared playlist: exit %d, %q; want %d and %q", code, errOut, ExitNotFound, want)
	}
	segueOK(t, append(env, "play", link, tones(t, url)[0].ID, "--output", "wav:"+filepath.Join(t.TempDir(), "out.wav"), "--fast")...)
}

// TestPlaylistRemovalsSayWhatJSONPrints: delete and unshare print nothing
// when they succeed, with --json too, as offline remove does; their help
// said "--json  print JSON", and a script waited for a document that never
// came. Their help now says what --json prints, and a failure is still
// {"error": ...} with its exit status.
func TestPlaylistRemovalsSayWhatJSONPrints(t *testing.T) {
	url, _ := playOrigin(t)
	env := clientEnv(t, url)
	for _, verb := range []string{"delete", "unshare"} {
		help := segueOK(t, append(env, "playlist", verb, "--help")...)
		if !strings.Contains(help, `success prints nothing on stdout`) {
			t.Errorf("playlist %s --help does not say what --json prints:\n%s", verb, help)
		}
	}
	var pl catalog.Playlist
	if err := json.Unmarshal([]byte(segueOK(t, append(env, "playlist", "create", "Gone", "--json")...)), &pl); err != nil {
		t.Fatal(err)
	}
	segueOK(t, append(env, "playlist", "share", pl.ID)...)
	for _, verb := range []string{"unshare", "delete"} {
		if out, errOut, code := segue(t, append(env, "playlist", verb, pl.ID, "--json")...); code != 0 || out != "" {
			t.Errorf("playlist %s --json: exit %d, stdout %q, stderr %q; want 0 and nothing", verb, code, out, errOut)
		}
	}
	out, _, code := segue(t, append(env, "playlist", "delete", pl.ID, "--json")...)
	var js struct{ Error string }
	if code != ExitNotFound || json.Unmarshal([]byte(out), &js) != nil || !strings.Contains(js.Error, "not found") {
		t.Errorf("playlist delete of a deleted playlist --json: exit %d, %q; want %d and {\"error\": ...}", code, out, ExitNotFound)
	}
}

// TestUnshareOfUnsharedPlaylistSaysSo: unshare of a playlist that has no
// share link (the wrong ID, one revoked already) is exit 1 saying it is
// not shared, so nothing was revoked, as against a Subsonic server; it
// printed nothing and exited 0, so a user who meant to revoke a leaked
// link with another playlist's ID believed it revoked. The link of the
// playlist that is shared keeps working; unshare of it still revokes it.
func TestUnshareOfUnsharedPlaylistSaysSo(t *testing.T) {
	url, _ := playOrigin(t)
	env := clientEnv(t, url)
	var shared, other catalog.Playlist
	decodeJSON(t, segueOK(t, append(env, "playlist", "create", "Shared", "--json")...), &shared)
	decodeJSON(t, segueOK(t, append(env, "playlist", "create", "Other", "--json")...), &other)
	link := strings.TrimSpace(segueOK(t, append(env, "playlist", "share", shared.ID)...))
	want := `playlist unshare ` + other.ID + `: the playlist "Other" is not shared, so nothing was revoked (segue playlist list shows which are, under SHARED)`
	for _, extra := range [][]string{nil, {"--json"}} {
		out, errOut, code := segue(t, slices.Concat(env, []string{"playlist", "unshare", other.ID}, extra)...)
		if code != ExitError || !strings.Contains(errOut, want) || (extra != nil && !strings.Contains(out, `"error"`)) {
			t.Errorf("playlist unshare of an unshared playlist %v: exit %d, stdout %q, stderr %q; want %d saying %q", extra, code, out, errOut, ExitError, want)
		}
	}
	segueOK(t, append(env, "playlist", "show", link)...) // still shared
	if out, errOut, code := segue(t, append(env, "playlist", "unshare", shared.ID)...); code != 0 || out != "" {
		t.Fatalf("playlist unshare of the shared one: exit %d, %q %q; want 0 and nothing", code, out, errOut)
	}
	if _, errOut, code := segue(t, append(env, "playlist", "unshare", shared.ID)...); code != ExitError || !strings.Contains(errOut, "is not shared, so nothing was revoked") {
		t.Errorf("playlist unshare again: exit %d, %q; want %d saying it is not shared", code, errOut, ExitError)
	}
}

// TestPlaylistEditOfATrackNotInIt: playlist remove and move --track naming
// a track that is at no position of the playlist (a mistyped or wrong ID)
// said "the playlist was edited since you loaded it; reload it" (exit 1),
// sending the user to reload a playlist nobody had changed. It says the
// track is not in the playlist and how to see what is (exit 2, as a
// position the playlist does not have), and changes nothing; a track that
// is in the playlist, at another position (a stale view), is still said
// as an edit since (exit 1).
func TestPlaylistEditOfATrackNotInIt(t *testing.T) {
	url, _ := playOrigin(t)
	env := clientEnv(t, url)
	tracks := tones(t, url)
	first, second := tracks[0].ID, tracks[1].ID
	var pl catalog.Playlist
	if err := json.Unmarshal([]byte(segueOK(t, append(env, "playlist", "create", "One", first, "--json")...)), &pl); err != nil {
		t.Fatal(err)
	}
	for _, verb := range [][]string{{"remove", pl.ID, "1"}, {"move", pl.ID, "1", "1"}, {"remove", pl.ID, "7"}} {
		args := append(append(append([]string{}, env...), "playlist"), append(verb, "--track", second)...)
		_, stderr, code := segue(t, args...)
		want := "track " + second + " is not in playlist " + pl.ID
		if code != ExitUsage || !strings.Contains(stderr, want) || !strings.Contains(stderr, "segue playlist show "+pl.ID) ||
			strings.Contains(stderr, "edited since") {
			t.Errorf("playlist %v --track %s (not in it): exit %d, %q; want %d saying %q and segue playlist show %s",
				verb, second, code, stderr, ExitUsage, want, pl.ID)
		}
	}
	if got := segueOK(t, append(env, "playlist", "show", pl.ID)...); !strings.Contains(got, "Tone") || strings.Count(got, "\n1  ") != 1 {
		t.Errorf("the refused edits changed the playlist:\n%s", got)
	}
	// the stale view: the track is in the playlist, at another position
	segueOK(t, append(env, "playlist", "add", pl.ID, second)...)
	_, stderr, code := segue(t, append(env, "playlist", "remove", pl.ID, "1", "--track", second)...)
	if code != ExitError || !strings.Contains(stderr, "the playlist was edited since you loaded it") {
		t.Errorf("playlist remove 1 --track of the track at 2: exit %d, %q; want %d, edited since", code, stderr, ExitError)
	}
}
