package cli

import (
	"strings"
	"testing"
	"unicode/utf16"
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

// TestImportReadsPlaylistEncodings: a playlist saved in UTF-16 with its
// byte order mark (Windows tools' "Unicode" text) and an XSPF whose XML
// declaration names another encoding (ISO-8859-1) import. The first was
// refused as "binary data" (its NUL bytes), the second as "xml: encoding
// \"ISO-8859-1\" declared but Decoder.CharsetReader is nil" (both exit 2).
func TestImportReadsPlaylistEncodings(t *testing.T) {
	url, ids := importOrigin(t)
	env := clientEnv(t, url)
	write := fileWriter(t, t.TempDir())
	asUTF16 := func(s string) string { // little-endian, with its byte order mark, as Notepad saves "Unicode"
		b := []byte{0xff, 0xfe}
		for _, r := range utf16.Encode([]rune(s)) {
			b = append(b, byte(r), byte(r>>8))
		}
		return string(b)
	}
	for _, c := range []struct{ name, body, want string }{
		{"win.m3u", asUTF16("#EXTM3U\r\n#EXTINF:2,ヨアソビ - 夜に駆ける\r\nC:\\Music\\x.flac\r\n"), ids["夜に駆ける"]},
		{"win.pls", asUTF16("[playlist]\r\nFile1=C:\\Music\\x.flac\r\nTitle1=Daft Punk - Get Lucky\r\nLength1=2\r\n"), ids["Get Lucky"]},
		{"latin1.xspf", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<playlist version=\"1\" xmlns=\"http://xspf.org/ns/0/\"><trackList>" +
			"<track><title>Don't Stop</title><creator>Daft Punk</creator><album>Random Access Memories</album></track></trackList></playlist>\n", ids["Don't Stop"]},
		{"utf16.xspf", asUTF16("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<playlist version=\"1\" xmlns=\"http://xspf.org/ns/0/\"><trackList>" +
			"<track><title>夜に駆ける</title><creator>ヨアソビ</creator></track></trackList></playlist>\n"), ids["夜に駆ける"]},
	} {
		imp := importJSON(t, env, write(c.name, c.body))
		if got := playlistIDs(imp.Playlist); len(got) != 1 || got[0] != c.want || len(imp.Unmatched) != 0 {
			t.Errorf("import of %s: tracks %q, unmatched %+v; want %s", c.name, got, imp.Unmatched, c.want)
		}
	}
}

// TestImportOfPlaylistFileURLs: a file: URL (as a file manager copies a
// file) imports that file, and the URL of a playlist file on the web (a
// radio's .pls) says to download it first, exit 2 with --json too; both
// said only "not a segue share URL: ... path is not /p/TOKEN".
func TestImportOfPlaylistFileURLs(t *testing.T) {
	url, ids := importOrigin(t)
	env := clientEnv(t, url)
	write := fileWriter(t, t.TempDir())
	file := write("road trip.pls", "[playlist]\nFile1=x.flac\nTitle1=Daft Punk - Get Lucky\nLength1=2\n")
	imp := importJSON(t, env, "file://"+strings.ReplaceAll(file, " ", "%20"))
	if got := playlistIDs(imp.Playlist); len(got) != 1 || got[0] != ids["Get Lucky"] || imp.Playlist.Name != "road trip" {
		t.Errorf("import of a file: URL: %q named %q; want [%s] named road trip", got, imp.Playlist.Name, ids["Get Lucky"])
	}
	web := url + "/lists/radio.pls"
	say := "playlist import: " + web + " is a playlist file on the web, not a segue share link: download it (curl -o FILE '" + web + "') and import the file"
	for _, asJSON := range []bool{false, true} {
		args := append(append([]string{}, env...), "playlist", "import", web)
		if asJSON {
			args = append(args, "--json")
		}
		out, errOut, code := segue(t, args...)
		if code != ExitUsage || !strings.Contains(errOut, say) || (asJSON && !strings.Contains(out, `"error"`)) {
			t.Errorf("import of %s (json %v): exit %d, stdout %q, stderr %q; want %d and %q", web, asJSON, code, out, errOut, ExitUsage, say)
		}
	}
}

// TestImportRefusesWhatIsNoPlaylist: a file that is no playlist segue
// reads is refused as bad input (2), one sentence saying what the file is
// and naming the formats import reads. A plain text file (notes) was read
// as an M3U, each line an entry, and ended "none of the 4 entries ...
// matches a track on the origin" (3); an HTML page (a playlist's web page
// saved instead of the file) "does not parse: read xspf: expected element
// type <playlist> but have <html>"; an empty file "holds no entries". A
// plain M3U of paths or URLs alone, without #EXTM3U, still imports.
func TestImportRefusesWhatIsNoPlaylist(t *testing.T) {
	url, ids := importOrigin(t)
	env := clientEnv(t, url)
	write := fileWriter(t, t.TempDir())
	formats := "give an M3U8, PLS or XSPF playlist"
	for _, tc := range []struct{ name, body, says string }{
		{"notes.txt", "Shopping: milk and/or bread\nCall Anna about the party, e.g. on Friday.\n\nRemember: 3/4 of the rent\n", "is not a playlist: none of its 3 lines is a track's path, URL or #EXTINF entry (it is plain text)"},
		{"list.m3u", "Get Lucky\nDaft Punk - Don't Stop\n", "is not a playlist: none of its 2 lines is a track's path, URL or #EXTINF entry (it is plain text)"},
		{"page.html", "<!DOCTYPE html>\n<html><head><title>My mix</title></head><body><a href=\"mix.m3u\">mix</a></body></html>\n", "is not a playlist: it is an HTML page (a web page, not the playlist file it may link to: save the playlist file itself)"},
		{"feed.xspf", "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>x</title></channel></rss>\n", "is not a playlist: it is an XML document of <rss>, not XSPF's <playlist>"},
		{"empty.m3u8", "", "is empty"},
		{"blank.m3u", " \n\r\n\t\n", "is empty"},
	} {
		file := write(tc.name, tc.body)
		out, errOut, code := segue(t, append(env, "playlist", "import", file, "--json")...)
		say := "playlist import: " + file + " " + tc.says
		if code != ExitUsage || !strings.Contains(errOut, say) || !strings.Contains(errOut, formats) || !strings.Contains(out, `"error"`) ||
			strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("import of %s: exit %d, stdout %q, stderr %q; want %d, one line saying %q and %q", tc.name, code, out, errOut, ExitUsage, say, formats)
		}
	}
	// plain lists, with no #EXTM3U: a path, a URL (a bare file name: TestImportMatchesPathsAndSkipsBadEntries)
	for _, tc := range []struct{ name, body, want string }{
		{"paths.m3u", "Daft Punk/Random Access Memories/08 Get Lucky.mp3\n", ids["Get Lucky"]},
		{"urls.m3u", "http://music.example/Daft%20Punk/Random%20Access%20Memories/Get%20Lucky.mp3\n", ids["Get Lucky"]},
	} {
		imp := importJSON(t, env, write(tc.name, tc.body))
		if got := playlistIDs(imp.Playlist); len(got) != 1 || got[0] != tc.want {
			t.Errorf("import of the plain list %s: %q, unmatched %+v; want [%s]", tc.name, got, imp.Unmatched, tc.want)
		}
	}
}
