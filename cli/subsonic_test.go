package cli

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"segue/cache"
	"segue/catalog"
	"segue/internal/testkit"
	"segue/net/subsonic"
	"segue/net/subsonic/subsonictest"
	"segue/player"
)

// subsonicArgs writes a config (log and state in a temp dir) and the
// password file for s, and returns the global flags that point segue at
// s with a fresh cache.
func subsonicArgs(t *testing.T, s subsonictest.Server, password string) []string {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	body := "log_file = " + strconvQuote(filepath.Join(dir, "segue.log")) + "\nstate_dir = " + strconvQuote(filepath.Join(dir, "state")) + "\n"
	pw := filepath.Join(dir, "password")
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pw, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"--config", cfg, "--origin", s.URL(), "--password-file", pw, "--cache", filepath.Join(dir, "cache.db")}
}

// segueJSON runs segue, wants exit 0 and decodes its stdout into v.
func segueJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	out, errOut, code := segue(t, args...)
	if code != 0 {
		t.Fatalf("segue %s: exit %d\n%s\n%s", strings.Join(args, " "), code, out, errOut)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("segue %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// rawID is the server's ID inside a segue ID ("t_tr-3" -> "tr-3").
func rawID(id string) string { _, raw, _ := strings.Cut(id, "_"); return raw }

// TestSubsonicServers is issue 20's acceptance 1, against supysonic (API
// 1.10.2, enc: password) and gonic (API 1.15, token and salt), through
// segue's commands: search, browse, play an album and an MP3 the server
// sends as it is (LAME tag) to wav with the sample counts ffmpeg decodes
// of the server's streams, a playlist made in segue visible in the server,
// the scrobble recorded (gonic counts plays; supysonic only passes
// scrobbles to Last.fm, so there the call's success is what is checked),
// and a wrong password or a call the server has no counterpart for (share)
// in one sentence with exit 1.
func TestSubsonicServers(t *testing.T) {
	lib := subsonictest.Library(t)
	for _, s := range []subsonictest.Server{subsonictest.Supysonic(t, lib), subsonictest.Gonic(t, lib)} {
		t.Run(s.Name, func(t *testing.T) {
			args := subsonicArgs(t, s, s.Password)
			var res catalog.SearchResult
			segueJSON(t, &res, append(args, "search", "tone", "--json")...)
			if len(res.Tracks) != 2 || res.Tracks[0].Album != "First Light" {
				t.Fatalf("search tone: %+v; want 2 tracks on First Light", res)
			}
			var artists []catalog.Artist
			segueJSON(t, &artists, append(args, "library", "--json")...)
			if len(artists) != 3 {
				t.Fatalf("library: %+v; want Alpha Band, Beta Duo and Gamma Trio", artists)
			}
			var album catalog.Album
			segueJSON(t, &album, append(args, "library", res.Tracks[0].AlbumID, "--json")...)
			if len(album.Tracks) != 2 || album.Tracks[0].Title != "Morning Tone" || album.Tracks[1].Title != "Evening Tone" {
				t.Fatalf("library %s: %+v; want Morning Tone, Evening Tone", res.Tracks[0].AlbumID, album)
			}

			// The album, transcoded from FLAC at normal (160 kbit/s) into a
			// pipe (no LAME tag): its sources' samples, gapless.
			wav := filepath.Join(t.TempDir(), "album.wav")
			out, errOut, code := segue(t, append(args, "play", album.ID, "--quality", "normal", "--output", "wav:"+wav, "--fast")...)
			if code != 0 {
				t.Fatalf("play album: exit %d\n%s\n%s", code, out, errOut)
			}
			var titles []string
			for _, tr := range album.Tracks {
				titles = append(titles, tr.Title)
			}
			playsSources(t, wav, lib, titles...)

			// An MP3 below the asked bitrate: gonic sends it as it is, LAME
			// tag and all; supysonic transcodes it into a pipe. Either way
			// its source's samples play.
			var breeze catalog.SearchResult
			segueJSON(t, &breeze, append(args, "search", "breeze", "--json")...)
			if len(breeze.Tracks) != 1 {
				t.Fatalf("search breeze: %+v", breeze)
			}
			wav = filepath.Join(t.TempDir(), "breeze.wav")
			out, errOut, code = segue(t, append(args, "play", breeze.Tracks[0].ID, "--quality", "normal", "--output", "wav:"+wav, "--fast")...)
			if code != 0 {
				t.Fatalf("play breeze: exit %d\n%s\n%s", code, out, errOut)
			}
			playsSources(t, wav, lib, "Breeze")

			// A sine in FLAC and in Ogg Vorbis is below the asked bitrate:
			// gonic sends the files as they are, segue decodes them with
			// beep's decoders; supysonic transcodes them to MP3 into a pipe.
			// Either way their sources' samples play.
			var plain catalog.SearchResult
			segueJSON(t, &plain, append(args, "search", "plain", "--json")...)
			if len(plain.Tracks) != 2 {
				t.Fatalf("search plain: %+v", plain)
			}
			for _, tr := range plain.Tracks {
				wav := filepath.Join(t.TempDir(), "plain.wav")
				out, errOut, code := segue(t, append(args, "play", tr.ID, "--quality", "normal", "--output", "wav:"+wav, "--fast")...)
				if code != 0 {
					t.Fatalf("play %s: exit %d\n%s\n%s", tr.Title, code, out, errOut)
				}
				playsSources(t, wav, lib, tr.Title)
			}

			// A playlist made in segue is the server's.
			var pl catalog.Playlist
			segueJSON(t, &pl, append(args, "playlist", "create", "Made in segue", album.ID, breeze.Tracks[0].ID, "--json")...)
			if pl.TrackCount != 3 {
				t.Fatalf("playlist create: %+v; want 3 tracks", pl)
			}
			got := s.Get(t, "getPlaylist", url.Values{"id": {rawID(pl.ID)}})["playlist"].(map[string]any)
			if got["name"] != "Made in segue" || len(got["entry"].([]any)) != 3 {
				t.Errorf("the server's playlist %s: %v; want Made in segue with 3 entries", rawID(pl.ID), got)
			}
			segueJSON(t, &pl, append(args, "playlist", "move", pl.ID, "3", "1", "--json")...)
			var shown catalog.Playlist
			segueJSON(t, &shown, append(args, "playlist", "show", pl.ID, "--json")...)
			if len(shown.Tracks) != 3 || shown.Tracks[0].Title != "Breeze" {
				t.Errorf("playlist after move 3 to 1: %+v; want Breeze first", shown.Tracks)
			}

			// A position past the end is a bad argument (2), as on segue's
			// origin: remove said "not found" (3), add --at appended.
			for _, bad := range [][]string{{"remove", pl.ID, "9"}, {"move", pl.ID, "1", "9"}, {"add", pl.ID, breeze.Tracks[0].ID, "--at", "9"}} {
				out, errOut, code = segue(t, append(append(slices.Clone(args), "playlist"), bad...)...)
				if code != ExitUsage || !strings.Contains(errOut, "positions go from 1 to 3") {
					t.Errorf("playlist %s: exit %d, %q; want %d saying positions go from 1 to 3", strings.Join(bad, " "), code, errOut, ExitUsage)
				}
			}

			out, errOut, code = segue(t, append(args, "playlist", "export", pl.ID)...)
			if code != 0 || strings.Count(out, "#EXTINF") != 3 || strings.Contains(out, "http") {
				t.Errorf("playlist export: exit %d\n%s\n%s\nwant 3 entries and no URL (a Subsonic URL carries the credentials)", code, out, errOut)
			}
			out, errOut, code = segue(t, append(args, "playlist", "share", pl.ID)...)
			if code != 1 || !strings.Contains(errOut, "does not support this") || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Errorf("playlist share on a Subsonic server: exit %d, stderr %q; want exit 1 and one sentence saying it is not supported", code, errOut)
			}

			// A radio asks getSimilarSongs (it asked nothing and said the
			// server does not support this): gonic asks Last.fm, which has
			// no key here, and finds nothing (3); supysonic has no such call
			// (1, one sentence saying so).
			want := map[string]struct {
				code int
				says string
			}{"gonic": {3, "the Subsonic server has nothing to play after " + breeze.Tracks[0].ID}, "supysonic": {1, "answers no getSimilarSongs"}}[s.Name]
			out, errOut, code = segue(t, append(args, "radio", breeze.Tracks[0].ID)...)
			if code != want.code || !strings.Contains(errOut, want.says) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Errorf("radio on %s: exit %d, stdout %q, stderr %q; want exit %d saying %q", s.Name, code, out, errOut, want.code, want.says)
			}

			if s.Name == "gonic" {
				song := s.Get(t, "getSong", url.Values{"id": {rawID(breeze.Tracks[0].ID)}})["song"].(map[string]any)
				if n, _ := song["playCount"].(float64); n < 1 {
					t.Errorf("gonic's play count of Breeze after segue played it: %v, want 1 (the scrobble)", song["playCount"])
				}
			}

			bad := subsonicArgs(t, s, "not the password")
			out, errOut, code = segue(t, append(bad, "search", "tone")...)
			if code != 1 || !strings.Contains(errOut, "refused the user name or password") || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Errorf("wrong password: exit %d, stderr %q; want exit 1 and one sentence saying the server refused it", code, errOut)
			}
		})
	}
}

// TestSubsonicPinnedAlbumPlaysOffline is issue 20's acceptance 2: an album
// pinned from gonic plays, every sample, with gonic stopped.
func TestSubsonicPinnedAlbumPlaysOffline(t *testing.T) {
	lib := subsonictest.Library(t)
	s := subsonictest.Gonic(t, lib)
	args := subsonicArgs(t, s, s.Password)
	var res catalog.SearchResult
	segueJSON(t, &res, append(args, "search", "tone", "--json")...)
	album := res.Tracks[0].AlbumID
	segueOK(t, append(args, "offline", "add", album)...)
	listed := func(when string) {
		t.Helper()
		var l []offlineEntry
		segueJSON(t, &l, append(args, "offline", "list", "--json")...)
		if len(l) != 1 || l[0].Name != "First Light" || l[0].State != "complete" || l[0].Kind != "album" {
			t.Errorf("offline list %s: %+v; want First Light, an album, complete", when, l)
		}
	}
	listed("with gonic up (the pin follows the server)")
	s.Stop()
	listed("with gonic stopped")

	wav := filepath.Join(t.TempDir(), "album.wav")
	out, errOut, code := segue(t, append(args, "play", album, "--output", "wav:"+wav, "--fast")...)
	if code != 0 {
		t.Fatalf("pinned album, gonic stopped: exit %d, want 0\n%s\n%s", code, out, errOut)
	}
	playsSources(t, wav, lib, "Morning Tone", "Evening Tone")

	// The album's cover was pinned too: the interface shows it offline.
	c, err := cache.Open(args[len(args)-1], cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sub, err := subsonic.New(s.URL(), subsonic.Options{Password: s.Password, Store: c})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if img, _, err := sub.Cover(t.Context(), album); err != nil || !bytes.HasPrefix(img, []byte{0xFF, 0xD8}) {
		t.Errorf("the pinned album's cover, gonic stopped: %d bytes, %v; want the JPEG", len(img), err)
	}
}

// TestSubsonicTUIInTmux is issue 20's acceptance 3: the interface in tmux
// against gonic finds a track by search, plays it (audio reaches the wav
// output) and the now-playing screen draws the album's cover (the red JPEG
// of the test library, in half blocks).
func TestSubsonicTUIInTmux(t *testing.T) {
	s := subsonictest.Gonic(t, subsonictest.Library(t))
	dir := t.TempDir()
	pw := filepath.Join(dir, "password")
	if err := os.WriteFile(pw, []byte(s.Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "config", "segue"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := "[source]\npassword_file = " + strconvQuote(pw) + "\n[player]\nautoplay = false\n"
	if err := os.WriteFile(filepath.Join(dir, "config", "segue", "config.toml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	tm := startTUIIn(t, s.URL(), 120, 40, dir)
	tm.waitText("nothing playing")
	tm.keys("/")
	tm.keys("-l", "morning")
	tm.waitText("Morning Tone")
	tm.keys("Enter", "Enter")
	tm.waitText("▶ Morning Tone")
	wav := filepath.Join(dir, "out.wav")
	tm.waitScreen("audio in the wav output", func(string) bool { return fileSize(wav) > 100_000 })
	tm.keys("Space") // the track stays current while the screens are looked at
	for i := 0; ; i++ {
		scr := tm.capture()
		if strings.Count(scr, "▀") >= 16 && strings.Contains(scr, "Morning Tone") {
			t.Logf("the screen with the cover:\n%s", scr)
			break
		}
		if i == 6 {
			t.Fatalf("no screen draws the cover of First Light:\n%s", scr)
		}
		tm.keys("Tab")
		tm.waitScreenFor(5*time.Second, "a screen after tab", func(s string) bool { return s != scr })
	}
}

// TestSubsonicSourceConfig: the server named in the config, [source] kind
// = "subsonic" with an http(s) origin, its user and a password file; a
// kind segue does not know is a usage error naming the key; no password
// anywhere says where to put one; the secret store's password is used.
func TestSubsonicSourceConfig(t *testing.T) {
	s := subsonictest.Supysonic(t, subsonictest.Library(t))
	dir := t.TempDir()
	pw := filepath.Join(dir, "password")
	if err := os.WriteFile(pw, []byte(s.Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	write := func(name, source string) string {
		cfg := filepath.Join(dir, name)
		body := "origin = " + strconvQuote(s.Base) + "\nlog_file = " + strconvQuote(filepath.Join(dir, "segue.log")) + "\n[source]\n" + source
		if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	cache := filepath.Join(dir, "cache.db")
	good := write("good.toml", "kind = \"subsonic\"\nuser = \"alice\"\npassword_file = "+strconvQuote(pw)+"\n")
	var res catalog.SearchResult
	segueJSON(t, &res, "--config", good, "--cache", cache, "search", "tone", "--json")
	if len(res.Tracks) != 2 {
		t.Fatalf("search tone through [source]: %+v", res)
	}
	_, errOut, code := segue(t, "--config", write("typo.toml", "kind = \"subsonik\"\n"), "--cache", cache, "search", "tone")
	if code != 2 || !strings.Contains(errOut, "source.kind") {
		t.Errorf("kind = subsonik: exit %d, %q; want 2 naming source.kind", code, errOut)
	}
	// A password file that is not there, or a folder, is said as every
	// flag's file is, exit 2 (it was "password file: open FILE: no such
	// file or directory").
	missing := filepath.Join(dir, "no-such-file")
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"--config", good, "--password-file", missing}, "segue: --password-file: " + missing + " does not exist (check the path)\n"},
		{[]string{"--config", good, "--password-file", dir}, "segue: --password-file: " + dir + " is a folder: give a file\n"},
		{[]string{"--config", write("missing.toml", "kind = \"subsonic\"\nuser = \"alice\"\npassword_file = "+strconvQuote(missing)+"\n")},
			"segue: password_file in [source] of the config: " + missing + " does not exist (check the path)\n"},
	} {
		if _, errOut, code := segue(t, append(c.args, "--cache", cache, "search", "tone")...); code != 2 || errOut != c.says {
			t.Errorf("%v: exit %d, %q; want 2 saying %q", c.args, code, errOut, c.says)
		}
	}
	nopw := write("nopw.toml", "kind = \"subsonic\"\nuser = \"alice\"\n")
	t.Setenv("PATH", t.TempDir()) // no secret-tool
	_, errOut, code = segue(t, "--config", nopw, "--cache", cache, "search", "tone")
	if code != 2 || !strings.Contains(errOut, "--password-file") {
		t.Errorf("no password: exit %d, %q; want 2 saying to give --password-file", code, errOut)
	}

	// The system secret store, through secret-tool: a stand-in on PATH
	// (the real one needs a keyring daemon unlocked on a session bus)
	// that answers only the lookup segue documents.
	bin := t.TempDir()
	host := strings.TrimPrefix(s.Base, "http://")
	script := "#!/bin/sh\n[ \"$*\" = \"lookup service segue server " + host + "\" ] && printf '%s\\n' " + strconvQuote(s.Password) + "\n"
	if err := os.WriteFile(filepath.Join(bin, "secret-tool"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	segueJSON(t, &res, "--config", nopw, "--cache", cache, "search", "tone", "--json")
	if len(res.Tracks) != 2 {
		t.Fatalf("search tone with the password from secret-tool: %+v", res)
	}
}

// TestSubsonicQualityFollowsThePlayer: the stream of the next track is
// asked at the bitrate of the player's quality as it is then (the
// interface's b changes it while playing); auto keeps the client's.
func TestSubsonicQualityFollowsThePlayer(t *testing.T) {
	s := subsonictest.Supysonic(t, subsonictest.Library(t))
	sub, err := subsonic.New(s.URL(), subsonic.Options{Password: s.Password, Kbps: 160})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	res, err := sub.Search(t.Context(), "morning", 1)
	if err != nil || len(res.Tracks) != 1 {
		t.Fatalf("search: %+v, %v", res, err)
	}
	var o player.Options
	m := subsonicPlayer(sub, nil, &o)
	q := player.QualityAuto
	m.quality = func() player.Quality { return q }
	for _, c := range []struct {
		q    player.Quality
		kbps int
	}{{player.QualityAuto, 160}, {catalog.RenditionLow, 96}, {catalog.RenditionHigh, 320}} {
		q = c.q
		man, err := o.Manifests.Manifest(t.Context(), res.Tracks[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if r := man.Renditions[0]; r.Bitrate != c.kbps {
			t.Errorf("quality %s: a stream at %d kbit/s (%s), want %d", c.q, r.Bitrate, r.Name, c.kbps)
		}
	}
}

// playsSources checks that the float32 wav segue wrote holds the sources
// of the test library's tracks titled titles one after the other, to the
// sample: as many samples as ffmpeg decodes of the files, each track's
// part lined up with its source (lag 0). A transcoded stream's encoder
// delay left in shifts a track by 1105 samples, its padding adds about
// 1,000 more between tracks.
func playsSources(t *testing.T, wav, lib string, titles ...string) {
	t.Helper()
	got := wavPCM(t, wav)
	at := 0
	for _, title := range titles {
		src := subsonictest.SourcePCM(t, lib, title)
		if at+len(src) > len(got) {
			t.Errorf("%s: %d samples played; want the sources' %d", wav, len(got), at+len(src))
			return
		}
		part := got[at : at+len(src)]
		for c := range 2 {
			if r := testkit.Correlation(src, part, c, 0); r < 0.95 {
				best, bestLag := r, 0
				for lag := -1500; lag <= 1500; lag++ {
					if v := testkit.Correlation(src, part, c, lag); v > best {
						best, bestLag = v, lag
					}
				}
				t.Errorf("%s, channel %d: correlation with its source %.3f at lag 0 (want 0.95 or more); best %.3f at lag %d", title, c, r, best, bestLag)
			}
		}
		at += len(src)
	}
	if at != len(got) {
		t.Errorf("%s: %d samples played; want the sources' %d", wav, len(got), at)
	}
}

// wavPCM reads the float32 stereo wav segue wrote.
func wavPCM(t *testing.T, path string) [][2]float64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pcm := make([][2]float64, wavFrames(t, path))
	for i := range pcm {
		for c := range 2 {
			pcm[i][c] = float64(math.Float32frombits(binary.LittleEndian.Uint32(b[44+i*8+c*4:])))
		}
	}
	return pcm
}
