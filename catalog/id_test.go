package catalog

import (
	"strings"
	"testing"
)

func TestIsID(t *testing.T) {
	for s, want := range map[string]bool{
		"t3f2c9a1b0d4e5f67": true, "al1": true, "ar_x-2": true, "pl_pl-3": true, // a Subsonic server's IDs carry the prefixes
		"pl_pl-MS9ub25lLm0zdQ==": true, "pl_pl-MS9hYi5tM3U=": true, // gonic's playlists: padded URL-safe base64
		"": false, "zz": false, "x1": false, "t 1": false, "t1/2": false, "https://h/p/TOKEN": false, "tñ": false,
		"=": false, "pl===": false, "pl=x": false, "t1?a=b": false,
	} {
		if got := IsID(s); got != want {
			t.Errorf("IsID(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestNotATargetSaysWhatToDo: a target that is no ID says what to do for
// what it looks like. It said only what it was not, so a new user who
// typed a song's name, a music file or a playlist file was left there.
func TestNotATargetSaysWhatToDo(t *testing.T) {
	const ids = "segue search WORDS, segue library and segue playlist list show the IDs there are"
	for _, c := range []struct {
		s    string
		urls bool
		want string
	}{
		{"Crying", true, `"Crying" is not a track (t…), album (al…), artist (ar…) or playlist (pl…) ID, nor a URL; ` + ids},
		{"Crying", false, `"Crying" is not a track (t…), album (al…), artist (ar…) or playlist (pl…) ID; ` + ids},
		{"My Mix.M3U8", true, `ID, nor a URL: to play a playlist file, import it first (segue playlist import 'My Mix.M3U8') and play the playlist's ID it prints`},
		{"it's.pls", false, `ID: to play a playlist file, import it first (segue playlist import 'it'\''s.pls') and play`},
		{"list.xspf", true, `(segue playlist import list.xspf)`},
		{"~/Music/01 Song.flac", true, `ID, nor a URL: segue plays what an origin serves: add the file's folder to one (segue origin ingest FOLDER), then play the track's ID`},
		{"song.mp3", false, `ID: segue plays what an origin serves`},
		{"example.org/p/AAAA", true, `ID, nor a URL: a URL starts with http:// or https://`},
		{"http://example.org/p/AAAA", false, `ID: only an ID is taken here, not a URL; ` + ids},
		{"v1.2", true, `ID, nor a URL; ` + ids},
	} {
		msg := NotATarget(c.s, c.urls).Error()
		if !strings.Contains(msg, c.want) {
			t.Errorf("NotATarget(%q, %v) = %q; want it to contain %q", c.s, c.urls, msg, c.want)
		}
	}
}
