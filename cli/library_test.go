package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"segue/catalog"
)

// browseOrigin serves a library as people tag it (issue 10): "The Beetles"
// with artist-sort "Beetles, The" beside Abba and Cream, Beta only as a
// guest on Cream's album and on a folder compilation without album artist,
// and Cream's album over two disc folders without disc tags.
func browseOrigin(t *testing.T) string {
	needTools(t, "ffmpeg", "ffprobe")
	lib := t.TempDir()
	for i, f := range []struct {
		path string
		tags []string
	}{
		{"Beetles/Help/01.mp3", []string{"title=Help", "artist=The Beetles", "artist-sort=Beetles, The", "album=Help", "track=1"}},
		{"Abba/Gold/01.mp3", []string{"title=Waterloo", "artist=Abba", "album=Gold", "track=1"}},
		{"Cream/Wheels/CD1/01.mp3", []string{"title=White Room", "artist=Cream", "album=Wheels", "track=1"}},
		{"Cream/Wheels/CD2/01.mp3", []string{"title=Crossroads", "artist=Cream", "album=Wheels", "track=1"}},
		{"Cream/Wheels/CD2/02.mp3", []string{"title=Guest Spot", "artist=Beta", "album_artist=Cream", "album=Wheels", "track=2"}},
		{"Mix/01.mp3", []string{"title=Sun", "artist=Abba", "album=Summer Mix", "track=1"}},
		{"Mix/02.mp3", []string{"title=Sea", "artist=Beta", "album=Summer Mix", "track=2"}},
	} {
		args := []string{"-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=" + []string{"220", "247", "262", "294", "330", "349", "392"}[i] + ":duration=0.5"}
		for _, tag := range f.tags {
			args = append(args, "-metadata", tag)
		}
		path := filepath.Join(lib, f.path)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("ffmpeg", append(args, path)...).CombinedOutput(); err != nil {
			t.Fatalf("make %s: %v\n%s", f.path, err, out)
		}
	}
	o := serveLibrary(t, lib, t.TempDir())
	return "http://" + o.addr
}

// Acceptance 2 and 3 through the CLI: an artist only on a compilation and
// as a guest has a page listing those albums with its tracks; artists are
// ordered by sort name; a two-disc album is numbered disc-track.
func TestLibraryAppearsOnDiscsAndSortNames(t *testing.T) {
	env := clientEnv(t, browseOrigin(t))

	var artists []catalog.Artist
	decodeJSON(t, segueOK(t, append(env, "library", "--json")...), &artists)
	var names []string
	byName := map[string]string{}
	for _, a := range artists {
		names = append(names, a.Name)
		byName[a.Name] = a.ID
	}
	if want := []string{"Abba", "The Beetles", "Beta", "Cream", catalog.VariousArtists}; !slices.Equal(names, want) {
		t.Errorf("library --json artists %q, want %q (The Beetles under B by its artist-sort)", names, want)
	}
	if out := segueOK(t, append(env, "library")...); !strings.Contains(out, "Abba") || strings.Index(out, "The Beetles") > strings.Index(out, "Cream") {
		t.Errorf("library: The Beetles not before Cream:\n%s", out)
	}

	var beta catalog.Artist
	decodeJSON(t, segueOK(t, append(env, "library", byName["Beta"], "--json")...), &beta)
	var on []string
	for _, al := range beta.AppearsOn {
		var ts []string
		for _, tr := range al.Tracks {
			ts = append(ts, tr.Title)
		}
		on = append(on, al.Title+" by "+al.Artist+": "+strings.Join(ts, ", "))
	}
	if want := []string{"Summer Mix by Various Artists: Sea", "Wheels by Cream: Guest Spot"}; len(beta.Albums) != 0 || !slices.Equal(on, want) {
		t.Errorf("library BETA --json: own %d albums, appears on %q; want none and %q", len(beta.Albums), on, want)
	}
	// An artist ID stands for all its tracks, those on others' albums too.
	var pl catalog.Playlist
	decodeJSON(t, segueOK(t, append(env, "playlist", "create", "Beta", byName["Beta"], "--json")...), &pl)
	if len(pl.Tracks) != 2 {
		t.Errorf("playlist create Beta BETA_ID: %d tracks, want Beta's 2 (Sea, Guest Spot)", len(pl.Tracks))
	}
	out := segueOK(t, append(env, "library", byName["Beta"])...)
	if !strings.Contains(out, "APPEARS ON") || !strings.Contains(out, "Guest Spot") || !strings.Contains(out, "2-02") {
		t.Errorf("library BETA: want the appears-on table with Guest Spot as 2-02:\n%s", out)
	}

	var cream catalog.Artist
	decodeJSON(t, segueOK(t, append(env, "library", byName["Cream"], "--json")...), &cream)
	if len(cream.Albums) != 1 || cream.Albums[0].Discs != 2 {
		t.Fatalf("library CREAM --json: %+v, want Wheels on 2 discs", cream.Albums)
	}
	var wheels struct {
		Discs  int
		Tracks []struct {
			Title  string
			DiscNo int `json:"disc_no"`
		}
	}
	decodeJSON(t, segueOK(t, append(env, "library", cream.Albums[0].ID, "--json")...), &wheels)
	var discs []string
	for _, tr := range wheels.Tracks {
		discs = append(discs, tr.Title+" "+string(rune('0'+tr.DiscNo)))
	}
	if want := []string{"White Room 1", "Crossroads 2", "Guest Spot 2"}; wheels.Discs != 2 || !slices.Equal(discs, want) {
		t.Errorf("library WHEELS --json: discs %d, tracks %q; want 2 and %q", wheels.Discs, discs, want)
	}
	out = segueOK(t, append(env, "library", cream.Albums[0].ID)...)
	for _, row := range []string{"1-01  White Room", "2-01  Crossroads", "2-02  Guest Spot"} {
		if !strings.Contains(out, row) {
			t.Errorf("library WHEELS: no row %q in\n%s", row, out)
		}
	}
}

func decodeJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("%v in %s", err, s)
	}
}

// segue library given a track ID said only "give an artist ID (ar...) or
// an album ID (al...)"; it now says what the target is and where to go:
// the track's album (looked up), a playlist's segue playlist show, words'
// segue search. The exit status stays 2, with and without --json.
func TestLibrarySaysWhatTheTargetIs(t *testing.T) {
	env := clientEnv(t, browseOrigin(t))
	var res catalog.SearchResult
	decodeJSON(t, segueOK(t, append(env, "search", "waterloo", "--json")...), &res)
	if len(res.Tracks) != 1 {
		t.Fatalf("search waterloo found %d tracks", len(res.Tracks))
	}
	track := res.Tracks[0]
	for _, c := range []struct{ target, says string }{
		{track.ID, "a track (Waterloo by Abba), not an artist ID (ar…) or an album ID (al…), which segue library takes; its album is segue library " + track.AlbumID},
		{"t0123456789abcdef", "a track ID, not an artist ID (ar…) or an album ID (al…), which segue library takes; segue search --json names a track's album_id"},
		{"pl0123456789abcdef", "segue playlist show pl0123456789abcdef lists its tracks"},
		{"Waterloo", "segue search WORDS finds them by name"},
	} {
		for _, json := range []bool{false, true} {
			args := append(slices.Clone(env), "library", c.target)
			if json {
				args = append(args, "--json")
			}
			out, errOut, code := segue(t, args...)
			if code != ExitUsage || !strings.Contains(errOut, c.says) {
				t.Errorf("library %s (--json %v): exit %d, stderr %q; want exit %d saying %q", c.target, json, code, errOut, ExitUsage, c.says)
			}
			if wantOut := json; strings.Contains(out, c.says) != wantOut { // --json: the error's object on stdout too
				t.Errorf("library %s (--json %v): stdout %q", c.target, json, out)
			}
		}
	}
}
