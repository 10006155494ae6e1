package cli

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestOneLengthEverywhere: a track's length reads the same in every
// command. The demo's "Continuum I" (46.6 s) was 0:46 in search, library
// and playlist show but 0:47 in play and ctl (which rounded), and past an
// hour play and ctl wrote 61:02 where the listings wrote 1:01:02.
func TestOneLengthEverywhere(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	lib := t.TempDir()
	makeTone(t, filepath.Join(lib, "01.flac"), 2.7, "title=Lengthy", "artist=Clock Band", "album=Clock Album")
	o := serveLibrary(t, lib, t.TempDir())
	env := clientEnv(t, "http://"+o.addr)
	search := segueOK(t, append(slices.Clone(env), "search", "lengthy")...)
	if !strings.Contains(search, "Lengthy  Clock Band  Clock Album  0:02") {
		t.Fatalf("search shows:\n%s\nwant the 2.7 s track as 0:02", search)
	}
	wav := filepath.Join(t.TempDir(), "out.wav")
	play := segueOK(t, append(slices.Clone(env), "play", "--search", "lengthy", "--output", "wav:"+wav, "--fast")...)
	if !strings.Contains(play, "Clock Band — Lengthy (0:02)") {
		t.Errorf("play shows:\n%s\nwant the length search shows, 0:02", play)
	}
}

// TestOneTrackSaidInTheSingular: one track is "1 track" wherever a count
// is printed: offline add said "pinned track \"Tone 440\": 1 tracks",
// playlist show "(1 tracks, 0:08)", cache stats "1 documents".
func TestOneTrackSaidInTheSingular(t *testing.T) {
	o := newTestOrigin(t)
	env := clientEnv(t, "http://"+o.addr)
	var res struct{ Tracks []struct{ ID string } }
	if err := json.Unmarshal([]byte(segueOK(t, append(slices.Clone(env), "search", "tone", "--json")...)), &res); err != nil || len(res.Tracks) == 0 {
		t.Fatalf("search tone: %v", err)
	}
	one := res.Tracks[0].ID
	var pl struct{ ID string }
	if err := json.Unmarshal([]byte(segueOK(t, append(slices.Clone(env), "playlist", "create", "Single", one, "--json")...)), &pl); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"offline", "add", one}, ": 1 track, "},
		{[]string{"playlist", "show", pl.ID}, "(1 track, 0:08)"},
	} {
		if out := segueOK(t, append(slices.Clone(env), c.args...)...); !strings.Contains(out, c.want) || strings.Contains(out, "1 tracks") {
			t.Errorf("segue %s:\n%s\nwant %q", strings.Join(c.args, " "), out, c.want)
		}
	}
}
