package cli

import (
	"strings"
	"testing"
)

// TestImportReadsPLS: a PLS playlist (Winamp's format, which VLC,
// Audacious and Clementine write) imports its tracks in the order of their
// numbers, matched by TitleN and LengthN or by FileN's path. It was read
// as an M3U, each of its lines an entry ("[playlist]", "Title1=...",
// "NumberOfEntries=2"), so it imported what a FileN's file name happened
// to match, listed the rest as unmatched and exited 0. A JSON document
// (a streaming service's export) was read so too; it is refused (2), as a
// binary file is.
func TestImportReadsPLS(t *testing.T) {
	url, ids := importOrigin(t)
	env := clientEnv(t, url)
	write := fileWriter(t, t.TempDir())

	pls := write("mix.pls", strings.Join([]string{
		"\ufeff[Playlist]",
		"; written by hand, numbered out of order",
		"File2=C:\\Music\\Daft Punk\\Random Access Memories\\08 - Get Lucky.flac",
		"File1=/home/user/Music/whatever.mp3",
		"Title1=ヨアソビ - 夜に駆ける",
		"Length1=2",
		"file3=http://radio.example/stream",
		"title3=Nobody - Nothing At All",
		"length3=-1",
		"NumberOfEntries=3",
		"Version=2",
	}, "\r\n")+"\r\n")
	imp := importJSON(t, env, pls)
	want := []string{ids["夜に駆ける"], ids["Get Lucky"]}
	if got := playlistIDs(imp.Playlist); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("PLS imported %q; want %q", got, want)
	}
	if len(imp.Unmatched) != 1 || imp.Unmatched[0].Title != "Nothing At All" || imp.Unmatched[0].Artist != "Nobody" {
		t.Errorf("PLS unmatched %+v; want the one entry Nobody - Nothing At All", imp.Unmatched)
	}
	if imp.Playlist.Name != "mix" {
		t.Errorf("PLS playlist named %q; want the file's name, mix", imp.Playlist.Name)
	}

	for _, tc := range []struct{ name, body string }{
		{"export.json", `[{"trackName": "Get Lucky", "artistName": "Daft Punk"}]`},
		{"list.m3u", ` {"tracks": ["Get Lucky"]}`},
	} {
		file := write(tc.name, tc.body)
		for _, asJSON := range []bool{false, true} {
			args := append(append([]string{}, env...), "playlist", "import", file)
			if asJSON {
				args = append(args, "--json")
			}
			out, errOut, code := segue(t, args...)
			say := "playlist import: " + file + " is not a playlist: it is a JSON document; give an M3U8, PLS or XSPF playlist"
			if code != ExitUsage || !strings.Contains(errOut, say) || (asJSON && !strings.Contains(out, `"error"`)) {
				t.Errorf("import of %s (json %v): exit %d, stdout %q, stderr %q; want %d and %q", tc.name, asJSON, code, out, errOut, ExitUsage, say)
			}
		}
	}
}
