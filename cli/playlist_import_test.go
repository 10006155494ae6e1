package cli

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"segue/catalog"
	"segue/origin"
)

// importOrigin serves a real catalog (ffmpeg-made files, real ingest)
// whose tags are spelled as libraries really hold them: Japanese kana with
// voiced marks and a middle dot, NFD from macOS, punctuation. It returns
// the origin's URL and the track IDs by title.
func importOrigin(t *testing.T) (string, map[string]string) {
	t.Helper()
	needTools(t, "ffmpeg", "ffprobe")
	lib, data := t.TempDir(), t.TempDir()
	for i, tags := range [][3]string{
		{"夜に駆ける", "ヨアソビ", "ザ・ブック"},
		{"Svefn-g-englar", "Sigur Ro\u0301s", "A\u0301gætis Byrjun"},
		{"Get Lucky", "Daft Punk", "Random Access Memories"},
		{"Don't Stop", "Daft Punk", "Random Access Memories"},
	} {
		out := filepath.Join(lib, strings.Repeat("x", i+1)+".flac")
		cmd := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi",
			"-i", "sine=frequency=440:duration=2:sample_rate=44100", "-ac", "2",
			"-metadata", "title="+tags[0], "-metadata", "artist="+tags[1], "-metadata", "album="+tags[2], out)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("make %s: %v\n%s", tags[0], err, b)
		}
	}
	if _, err := origin.Ingest(context.Background(), lib, origin.IngestOptions{DataDir: data, Jobs: 1}); err != nil {
		t.Fatalf("ingest: %v", err)
	}
	o := &testOrigin{t: t, data: data, addr: "127.0.0.1:0"}
	o.start()
	t.Cleanup(o.stop)
	url := "http://" + o.addr
	ids := map[string]string{}
	for _, q := range []string{"ヨアソビ", "sigur", "daft"} {
		var res catalog.SearchResult
		getJSON(t, url+"/api/v1/search?q="+strings.ReplaceAll(q, " ", "+"), &res)
		for _, tr := range res.Tracks {
			ids[tr.Title] = tr.ID
		}
	}
	if len(ids) != 4 {
		t.Fatalf("search found %d of the 4 tracks: %v", len(ids), ids)
	}
	return url, ids
}

func importJSON(t *testing.T, env []string, file string) importResult {
	t.Helper()
	var imp importResult
	out := segueOK(t, append(env, "playlist", "import", file, "--json")...)
	if err := json.Unmarshal([]byte(out), &imp); err != nil {
		t.Fatalf("import --json: %v in %s", err, out)
	}
	return imp
}

// fileWriter returns a function that writes body to dir/name and returns
// the path.
func fileWriter(t *testing.T, dir string) func(name, body string) string {
	return func(name, body string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
}

func playlistIDs(pl catalog.Playlist) []string {
	var ids []string
	for _, t := range pl.Tracks {
		ids = append(ids, t.ID)
	}
	return ids
}

// Issue 10, acceptance 6: path-only M3U entries (POSIX, Windows, relative,
// percent-encoded) and location-only XSPF entries match from their paths;
// an entry that matches nothing, or has nothing to match, is listed with
// its reason and the rest imports; an export holding a Japanese title
// round trips.
func TestImportMatchesPathsAndSkipsBadEntries(t *testing.T) {
	url, ids := importOrigin(t)
	env := clientEnv(t, url)
	dir := t.TempDir()
	write := fileWriter(t, dir)

	// Round trip of an export: the Japanese title, the NFD artist.
	order := []string{ids["夜に駆ける"], ids["Svefn-g-englar"], ids["Get Lucky"], ids["Don't Stop"]}
	var pl catalog.Playlist
	if err := json.Unmarshal([]byte(segueOK(t, append(append(env, "playlist", "create", "Mix"), append(order, "--json")...)...)), &pl); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"m3u8", "xspf"} {
		file := filepath.Join(dir, "mix."+format)
		segueOK(t, append(env, "playlist", "export", pl.ID, "--format", format, "-o", file)...)
		imp := importJSON(t, env, file)
		if len(imp.Unmatched) != 0 || strings.Join(playlistIDs(imp.Playlist), " ") != strings.Join(order, " ") {
			t.Errorf("%s round trip: tracks %q unmatched %+v; want %q", format, playlistIDs(imp.Playlist), imp.Unmatched, order)
		}
	}

	// Entries that are only paths, with one that matches nothing, one with
	// nothing to search for and one line that is not UTF-8 among them.
	m3u := write("paths.m3u", strings.Join([]string{
		"/home/user/Music/ヨアソビ/ザ・ブック/01 夜に駆ける.mp3",
		`C:\Music\Daft Punk\Random Access Memories\08 - Get Lucky.flac`,
		"/home/user/Music/Nobody/Nothing/01 Nothing At All.mp3",
		"Sigur Ro\u0301s/A\u0301gætis Byrjun/02. Svefn-g-englar.ogg",
		"#EXTINF:0,",
		"# (no location)",
		"file:///home/u/Daft%20Punk/Random%20Access%20Memories/Don%27t%20Stop.mp3",
		"Caf\xe9/\xc9t\xe9/01 Song.mp3",
	}, "\n")+"\n")
	imp := importJSON(t, env, m3u)
	want := []string{ids["夜に駆ける"], ids["Get Lucky"], ids["Svefn-g-englar"], ids["Don't Stop"]}
	if got := playlistIDs(imp.Playlist); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("path-only M3U imported %q; want %q", got, want)
	}
	if len(imp.Unmatched) != 3 {
		t.Fatalf("path-only M3U: unmatched %+v; want 3 (no such track, nothing to search, Café)", imp.Unmatched)
	}
	for i, want := range []string{"Nothing At All.mp3", "", "Café/Été/01 Song.mp3"} {
		if u := imp.Unmatched[i]; !strings.HasSuffix(u.Location, want) || u.Problem == "" {
			t.Errorf("unmatched %d: %+v; want location ending %q and a problem", i, u, want)
		}
	}

	// A bare file name is relative to the playlist's folder, whose names
	// then say album and artist.
	albumDir := filepath.Join(dir, "ヨアソビ", "ザ・ブック")
	if err := os.MkdirAll(albumDir, 0o755); err != nil {
		t.Fatal(err)
	}
	imp = importJSON(t, env, write(filepath.Join("ヨアソビ", "ザ・ブック", "album.m3u"), "01 夜に駆ける.flac\n"))
	if got := playlistIDs(imp.Playlist); len(got) != 1 || got[0] != ids["夜に駆ける"] {
		t.Errorf("album.m3u with a bare file name imported %q, unmatched %+v", got, imp.Unmatched)
	}

	// The same through XSPF locations, and the listing without --json.
	xspf := write("paths.xspf", `<?xml version="1.0" encoding="UTF-8"?>
<playlist version="1" xmlns="http://xspf.org/ns/0/"><trackList>
<track><location>file:///home/user/Music/%E3%83%A8%E3%82%A2%E3%82%BD%E3%83%93/%E3%82%B6%E3%83%BB%E3%83%96%E3%83%83%E3%82%AF/01%20%E5%A4%9C%E3%81%AB%E9%A7%86%E3%81%91%E3%82%8B.flac</location></track>
<track><location>file:///nowhere/at/all.mp3</location></track>
<track><location>Daft Punk/Random Access Memories/08 Get Lucky.mp3</location><duration>not a number</duration></track>
</trackList></playlist>`)
	out := segueOK(t, append(env, "playlist", "import", xspf)...)
	if !strings.Contains(out, "imported 2 of 3") || !strings.Contains(out, "no match: file:///nowhere/at/all.mp3: ") {
		t.Errorf("import of location-only XSPF:\n%s", out)
	}
	// An entry's name with a terminal escape (an M3U line holds any byte
	// but a line break) is listed without it: it reached the terminal.
	out = segueOK(t, append(env, "playlist", "import", write("escape.m3u",
		"/home/user/Music/ヨアソビ/ザ・ブック/01 夜に駆ける.flac\n#EXTINF:10,Band - \x1b]0;owned\x07Song\nnowhere/song.mp3\n"))...)
	if strings.ContainsAny(out, "\x1b\x07") || !strings.Contains(out, "no match: Band - Song (0:10): ") {
		t.Errorf("import of an entry named with an escape:\n%q", out)
	}
}

// TestImportShowsProgressAndMakesNothingFromNothing: import tells how far
// it is on stderr (a line each tenth when stderr is not a terminal) while
// --json keeps stdout one JSON document; a file none of whose entries
// matches makes no empty playlist (exit 3, saying why for the first); a
// file with no entries at all is a bad argument (2).
func TestImportShowsProgressAndMakesNothingFromNothing(t *testing.T) {
	url, _ := importOrigin(t)
	env := clientEnv(t, url)
	dir := t.TempDir()
	write := fileWriter(t, dir)
	four := write("four.m3u8", "#EXTM3U\n#EXTINF:2,Daft Punk - Get Lucky\nx1.mp3\n#EXTINF:2,Daft Punk - Don't Stop\nx2.mp3\n"+
		"#EXTINF:2,ヨアソビ - 夜に駆ける\nx3.mp3\n#EXTINF:2,Nobody - Nothing Here\nx4.mp3\n")
	out, errOut, code := segue(t, append(env, "playlist", "import", four, "--json")...)
	if code != 0 {
		t.Fatalf("import: exit %d\n%s", code, errOut)
	}
	var imp importResult
	if err := json.Unmarshal([]byte(out), &imp); err != nil || len(imp.Playlist.Tracks) != 3 || len(imp.Unmatched) != 1 {
		t.Fatalf("import --json: %v, %d tracks and %d unmatched in %s; want 3 and 1", err, len(imp.Playlist.Tracks), len(imp.Unmatched), out)
	}
	want := "playlist import: matching 0% (0 of 4)\nplaylist import: matching 25% (1 of 4)\nplaylist import: matching 50% (2 of 4)\n" +
		"playlist import: matching 75% (3 of 4)\nplaylist import: matching 100% (4 of 4)\n"
	if errOut != want {
		t.Errorf("import's progress on stderr:\n%s\nwant:\n%s", errOut, want)
	}

	before := segueOK(t, append(env, "playlist", "list", "--json")...)
	none := write("none.m3u8", "#EXTM3U\n#EXTINF:2,Nobody - Nothing Here\nx1.mp3\n#EXTINF:3,Nobody - Nothing Either\nx2.mp3\n")
	_, errOut, code = segue(t, append(env, "playlist", "import", none)...)
	if code != ExitNotFound || !strings.Contains(errOut, "none of the 2 entries of "+none+" matches a track on the origin (the first: no track on the origin has this title and artist); no playlist was made") {
		t.Errorf("import of nothing that matches: exit %d, %q; want %d, saying no playlist was made", code, errOut, ExitNotFound)
	}
	// One entry is said in the singular: it said "none of the 1 entries".
	one := write("one.m3u8", "#EXTM3U\n#EXTINF:2,Nobody - Nothing Here\nx1.mp3\n")
	_, errOut, code = segue(t, append(env, "playlist", "import", one)...)
	if code != ExitNotFound || !strings.Contains(errOut, "none of the 1 entry of "+one+" matches a track on the origin") {
		t.Errorf("import of one entry that does not match: exit %d, %q; want %d, saying \"none of the 1 entry\"", code, errOut, ExitNotFound)
	}
	empty := write("empty.m3u8", "#EXTM3U\n")
	_, errOut, code = segue(t, append(env, "playlist", "import", empty)...)
	if code != ExitUsage || !strings.Contains(errOut, empty+" holds no entries; give an M3U8, PLS or XSPF playlist") {
		t.Errorf("import of an empty file: exit %d, %q; want %d, saying it holds no entries", code, errOut, ExitUsage)
	}
	if after := segueOK(t, append(env, "playlist", "list", "--json")...); after != before {
		t.Errorf("the failed imports made playlists:\n%s\nwas:\n%s", after, before)
	}
}

// A playlist's name taken from the file (its XSPF title, its M3U8's
// #PLAYLIST, its file name) is fitted to what the origin keeps: an XSPF
// title on two lines, a 300-byte #PLAYLIST and a file name of 120 "é"
// (240 bytes, which Linux allows) each made the import fail after
// matching with "a name of 1-200 bytes is required" or "the name has a
// control character", naming neither the file nor --name.
func TestImportFitsTheNameTheFileGives(t *testing.T) {
	url, _ := importOrigin(t)
	env := clientEnv(t, url)
	write := fileWriter(t, t.TempDir())
	entry := "#EXTINF:2,Daft Punk - Get Lucky\nx1.mp3\n"
	long := strings.Repeat("z", 300)
	for _, c := range []struct{ file, body, want string }{
		{"trip.xspf", `<?xml version="1.0"?><playlist version="1" xmlns="http://xspf.org/ns/0/"><title>Road
trip</title><trackList><track><title>Get Lucky</title><creator>Daft Punk</creator><duration>2000</duration></track></trackList></playlist>`, "Road trip"},
		{"long.m3u8", "#EXTM3U\n#PLAYLIST:" + long + "\n" + entry, strings.Repeat("z", catalog.MaxPlaylistName-len("…")) + "…"},
		{strings.Repeat("é", 120) + ".m3u", "#EXTM3U\n" + entry, strings.Repeat("é", (catalog.MaxPlaylistName-len("…"))/2) + "…"},
	} {
		imp := importJSON(t, env, write(c.file, c.body))
		if imp.Playlist.Name != c.want || len(imp.Playlist.Tracks) != 1 {
			t.Errorf("import of %.20s…: playlist %q with %d tracks; want %q with 1", c.file, imp.Playlist.Name, len(imp.Playlist.Tracks), c.want)
		}
	}
}

// playlist export --json printed the M3U8 or XSPF itself to stdout, and
// with -o nothing: no JSON for a script's parser. It prints one object:
// the format, the count of entries, and the text itself or the file's path.
func TestExportJSON(t *testing.T) {
	url, ids := importOrigin(t)
	env := clientEnv(t, url)
	var pl catalog.Playlist
	if err := json.Unmarshal([]byte(segueOK(t, append(env, "playlist", "create", "Out", ids["Get Lucky"], ids["Don't Stop"], "--json")...)), &pl); err != nil {
		t.Fatal(err)
	}
	plain := segueOK(t, append(env, "playlist", "export", pl.ID)...)
	var res exportResult
	out := segueOK(t, append(env, "playlist", "export", pl.ID, "--json")...)
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Format != "m3u8" || res.Entries != 2 || res.Text != plain || res.Path != "" {
		t.Errorf("export --json: %v, %+v; want m3u8, 2 entries and the text export prints", err, res)
	}
	file := filepath.Join(t.TempDir(), "out.xspf")
	out = segueOK(t, append(env, "playlist", "export", pl.ID, "--format", "xspf", "-o", file, "--json")...)
	res = exportResult{}
	written, rerr := os.ReadFile(file)
	if err := json.Unmarshal([]byte(out), &res); err != nil || rerr != nil || res.Path != file || res.Entries != 2 || res.Text != "" || !strings.Contains(string(written), "<trackList>") {
		t.Errorf("export -o FILE --json: %v, %q (%v); want the path and 2 entries, and the XSPF in the file", err, out, rerr)
	}
}

// Importing someone's share link into a library that has none of its
// tracks, or a link of a playlist with no tracks, says so in those words: none of the shared playlist's tracks was
// found in your library, and what to do. It said "none of the 2 entries of
// URL matches a track on the origin (the first: no track on the origin has
// this title and artist)", which reads as the sharing origin at fault.
func TestImportOfASharedPlaylistNothingMatches(t *testing.T) {
	theirs, _ := playOrigin(t)
	alice := clientEnv(t, theirs)
	tr := tones(t, theirs)
	pl := catalog.Playlist{}
	if err := json.Unmarshal([]byte(segueOK(t, append(alice, "playlist", "create", "Trip", tr[0].ID, tr[1].ID, "--json")...)), &pl); err != nil {
		t.Fatal(err)
	}
	link := strings.TrimSpace(segueOK(t, append(alice, "playlist", "share", pl.ID)...))
	solo := strings.TrimSpace(segueOK(t, append(alice, "playlist", "create", "Solo", tr[0].ID)...))
	soloLink := strings.TrimSpace(segueOK(t, append(alice, "playlist", "share", strings.Fields(solo)[0])...))

	empty := strings.TrimSpace(segueOK(t, append(alice, "playlist", "create", "Empty")...))
	emptyLink := strings.TrimSpace(segueOK(t, append(alice, "playlist", "share", strings.Fields(empty)[0])...))

	mine, _ := importOrigin(t) // other music: none of the tones
	bob := clientEnv(t, mine)
	before := segueOK(t, append(bob, "playlist", "list", "--json")...)
	// A shared playlist with no tracks imports nothing, from another origin
	// or one's own: it made an empty playlist ("imported 0 of 0 tracks").
	aliceBefore := segueOK(t, append(alice, "playlist", "list", "--json")...)
	for _, env := range [][]string{bob, alice} {
		_, errOut, code := segue(t, append(env, "playlist", "import", emptyLink)...)
		want := `playlist import: the shared playlist "Empty" (` + emptyLink + `) has no tracks: there is nothing to import; no playlist was made`
		if code != ExitNotFound || !strings.Contains(errOut, want) {
			t.Errorf("import of an empty shared playlist: exit %d, %q; want %d and %q", code, errOut, ExitNotFound, want)
		}
	}
	if after := segueOK(t, append(alice, "playlist", "list", "--json")...); after != aliceBefore {
		t.Errorf("the import of an empty shared playlist into its own origin made a playlist:\n%s\nwas:\n%s", after, aliceBefore)
	}
	for _, c := range []struct{ link, says string }{
		{link, `none of the 2 tracks of the shared playlist "Trip" (` + link + `) was found in your library at ` + mine},
		{soloLink, `the one track of the shared playlist "Solo" (` + soloLink + `) was not found in your library at ` + mine},
	} {
		_, errOut, code := segue(t, append(bob, "playlist", "import", c.link)...)
		for _, want := range []string{c.says, "no track in your library has this title and artist", "no playlist was made",
			"add their music to your library and import again, or play the playlist where it is shared: segue play " + c.link} {
			if !strings.Contains(errOut, want) {
				t.Errorf("import of %s: exit %d, %q; want it to say %q", c.link, code, errOut, want)
			}
		}
		if code != ExitNotFound || strings.Contains(errOut, "on the origin") {
			t.Errorf("import of %s: exit %d, %q; want %d, not blaming \"the origin\"", c.link, code, errOut, ExitNotFound)
		}
	}
	if after := segueOK(t, append(bob, "playlist", "list", "--json")...); after != before {
		t.Errorf("the failed imports made playlists:\n%s\nwas:\n%s", after, before)
	}
}
