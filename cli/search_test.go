package cli

import (
	"encoding/json"
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
	// A limit above what an origin answers says so rather than being cut.
	if _, errOut, code := segue(t, append(env, "search", "tone", "--limit", "101")...); code != ExitUsage || !strings.Contains(errOut, "100") {
		t.Errorf("search --limit 101: exit %d (%q), want %d naming the maximum, 100", code, errOut, ExitUsage)
	}
}
