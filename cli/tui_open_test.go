package cli

import (
	"context"
	"strings"
	"testing"

	"segue/ui/notice"
)

// TestTUIOpenTakesAnIDAsPasted: o takes a share link with the <...>,
// quotes and punctuation it was pasted with, but an ID so pasted (from
// segue library --json, a chat) was "neither a share link nor a playlist,
// album or track ID", which also left out the artist IDs o opens. The ID
// opens now (here an empty playlist, which says it holds no tracks), and
// what is neither says all four kinds.
func TestTUIOpenTakesAnIDAsPasted(t *testing.T) {
	_, c, r := openResolver(t)
	ctx := context.Background()
	pl, err := c.CreatePlaylist(ctx, "Empty", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{pl.ID, "<" + pl.ID + ">", `"` + pl.ID + `",`, " “" + pl.ID + "”. "} {
		_, err := r.Open(ctx, ref)
		if got := notice.Say(err); !strings.Contains(got, "the playlist \"Empty\" holds no tracks") {
			t.Errorf("o %q: the status line says %q; want the playlist Empty opened (it holds no tracks)", ref, got)
		}
	}
	_, err = r.Open(ctx, "<what is this?>")
	if got := notice.Say(err); !strings.HasSuffix(got, "is neither a share link nor a playlist, album, artist or track ID") {
		t.Errorf("o <what is this?>: the status line says %q; want it to name the four kinds of ID", got)
	}
}

// TestTUIOpenSaysWhatToDo: o given a word (a title, where / searches) or a
// file's name says so on the status line with what to do. A word said
// "it failed (the log has the details)" (the resolver's sentence was too
// long for the line) and a playlist file "no http(s) link in it".
func TestTUIOpenSaysWhatToDo(t *testing.T) {
	_, _, r := openResolver(t)
	for ref, want := range map[string]string{
		"Crying":              `"Crying" is neither a share link nor a playlist, album, artist or track ID: press / to search by name`,
		"/tmp/my mix.m3u8":    `"/tmp/my mix.m3u8" is a file, not a share link or ID: to play a playlist file, import it first (segue playlist import '/tmp/my mix.m3u8')`,
		"~/Music/01 Song.mp3": `is a file, not a share link or ID: segue plays what an origin serves: add the file's folder to one (segue origin ingest FOLDER)`,
		// a file: URL said "scheme file is not http or https"
		"file:///tmp/my%20mix.m3u8":      `the link names a file, not a share link or ID: to play a playlist file, import it first (segue playlist import '/tmp/my mix.m3u8')`,
		"https://radio.example/live.pls": `the link names a file, not a share link or ID: download it (curl -o live.pls URL), then: to play a playlist file`,
	} {
		_, err := r.Open(context.Background(), ref)
		if got := notice.Say(err); err == nil || !strings.Contains(got, want) || strings.Contains(got, "the log has the details") {
			t.Errorf("o %q: the status line says %q; want %q", ref, got, want)
		}
	}
}
