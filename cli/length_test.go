package cli

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"segue/origin"
	"segue/origin/subsonic"
)

// clockBandOrigin serves a library of one tone of secs seconds called
// title, by Clock Band on Clock Album, and returns a client's arguments
// for it.
func clockBandOrigin(t *testing.T, secs float64, title string) (*testOrigin, []string) {
	needTools(t, "ffmpeg", "ffprobe")
	lib := t.TempDir()
	makeTone(t, filepath.Join(lib, "01.flac"), secs, "title="+title, "artist=Clock Band", "album=Clock Album")
	o := serveLibrary(t, lib, t.TempDir())
	return o, clientEnv(t, "http://"+o.addr)
}

// TestOneLengthEverywhere: a track's length reads the same in every
// command. The demo's "Continuum I" (46.6 s) was 0:46 in search, library
// and playlist show but 0:47 in play and ctl (which rounded), and past an
// hour play and ctl wrote 61:02 where the listings wrote 1:01:02.
func TestOneLengthEverywhere(t *testing.T) {
	_, env := clockBandOrigin(t, 2.7, "Lengthy")
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

// TestOneRoundingOfLengths: a 59.6 s track is 59 whole seconds in every
// output that gives whole seconds. play said 0:59 while the M3U8 export's
// #EXTINF and Subsonic's duration (XML and JSON, song and album) said 60;
// XSPF keeps the milliseconds.
func TestOneRoundingOfLengths(t *testing.T) {
	o, env := clockBandOrigin(t, 59.6, "Almost A Minute")
	var res struct {
		Tracks []struct {
			ID         string
			AlbumID    string `json:"album_id"`
			DurationMS int64  `json:"duration_ms"`
		}
	}
	if err := json.Unmarshal([]byte(segueOK(t, append(slices.Clone(env), "search", "almost", "--json")...)), &res); err != nil || len(res.Tracks) != 1 {
		t.Fatalf("search almost --json: %v (%d tracks)", err, len(res.Tracks))
	}
	tr := res.Tracks[0]
	if tr.DurationMS != 59600 {
		t.Fatalf("the track lasts %d ms, want 59600", tr.DurationMS)
	}
	wav := filepath.Join(t.TempDir(), "out.wav")
	if play := segueOK(t, append(slices.Clone(env), "play", tr.ID, "--output", "wav:"+wav, "--fast")...); !strings.Contains(play, "Almost A Minute (0:59)") {
		t.Errorf("play shows:\n%s\nwant 0:59", play)
	}
	var pl struct{ ID string }
	if err := json.Unmarshal([]byte(segueOK(t, append(slices.Clone(env), "playlist", "create", "Minute", tr.ID, "--json")...)), &pl); err != nil {
		t.Fatal(err)
	}
	if m3u := segueOK(t, append(slices.Clone(env), "playlist", "export", pl.ID)...); !strings.Contains(m3u, "#EXTINF:59,Clock Band - Almost A Minute") {
		t.Errorf("playlist export (M3U8):\n%s\nwant #EXTINF:59", m3u)
	}
	if xspf := segueOK(t, append(slices.Clone(env), "playlist", "export", pl.ID, "--format", "xspf")...); !strings.Contains(xspf, "<duration>59600</duration>") {
		t.Errorf("playlist export --format xspf:\n%s\nwant <duration>59600</duration>", xspf)
	}

	api, err := subsonic.New(o.srv, subsonic.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	o.srv.Mount(subsonic.Prefix, api) // as origin serve does
	db, err := origin.OpenCatalog(o.data)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = subsonic.AddUser(context.Background(), db, o.data, "alice", "pw", false)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	rest := func(method, id, format string) string {
		q := url.Values{"u": {"alice"}, "p": {"pw"}, "v": {"1.16.1"}, "c": {"length-test"}, "id": {id}, "f": {format}}
		resp, err := http.Get("http://" + o.addr + "/rest/" + method + ".view?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return string(body)
	}
	for _, c := range []struct{ method, id, format, want string }{
		{"getSong", tr.ID, "json", `"duration":59,`},
		{"getSong", tr.ID, "xml", `duration="59"`},
		{"getAlbum", tr.AlbumID, "json", `"duration":59,`},
		{"getAlbum", tr.AlbumID, "xml", `duration="59"`},
	} {
		if body := rest(c.method, c.id, c.format); !strings.Contains(body, c.want) {
			t.Errorf("Subsonic %s (%s):\n%s\nwant %s", c.method, c.format, body, c.want)
		}
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
