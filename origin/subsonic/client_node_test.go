package subsonic

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"segue/catalog"
)

// nodeDir holds the pinned client library (testdata/README.md).
const nodeDir = "testdata/node"

// nodeClient makes sure node and the pinned subsonic-api package are
// there, installing the package with npm ci (from package-lock.json) when
// it is missing.
func nodeClient(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is required: make deps (Debian nodejs and npm)", tool)
		}
	}
	if _, err := os.Stat(filepath.Join(nodeDir, "node_modules/subsonic-api/package.json")); err == nil {
		return
	}
	cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = nodeDir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", nodeDir, err, out)
	}
}

// driveResult is what drive.mjs prints.
type driveResult struct {
	Ping string
	Song struct {
		ID, Title, AlbumID string
		Size               int64
	}
	Album struct {
		Name      string
		SongCount int
		Songs     []string
	}
	Stream struct {
		Status int
		Type   string
		Bytes  int
	}
	Playlist struct {
		Created   int
		Listed    bool
		Name      string
		After     []string
		Remaining int
	}
	Scrobble string
	Synced   []string // song IDs, a page of 2 at a time
	Rating   int      // userRating after setRating 4
	Jukebox  int      // jukeboxControl's error code
	Chat     int      // getChatMessages' messages
	ChatPost int      // addChatMessage's error code
	Avatar   struct {
		Status int
		Type   string
		Bytes  int
	}
}

// TestNodeClient is acceptance 4 of issue 19: the npm package subsonic-api
// (a real Subsonic client library, pinned in testdata/node) drives the
// origin through ping, search3, getAlbum, stream, the playlist calls,
// scrobble, a library sync by search3 pages, setRating, jukeboxControl,
// getChatMessages (none), addChatMessage (error 50) and getAvatar (the
// default PNG), once with token auth over GET and once with an API key over
// form POST. The streamed song decodes (ffmpeg) to exactly the manifest's
// sample count and is as many bytes as search3's size said, and the
// scrobble is a play event of the user.
func TestNodeClient(t *testing.T) {
	nodeClient(t)
	f := newFixture(t)
	want := f.tracks["Moonlight Highway"]
	for i, mode := range []struct {
		name string
		env  []string
	}{
		{"token auth, GET", []string{"SEGUE_USER=" + alice, "SEGUE_PASSWORD=" + alicePassword}},
		{"API key, form POST", []string{"SEGUE_API_KEY=" + f.apiKey, "SEGUE_POST=1"}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "song.mp3")
			at := time.Date(2026, 11, 30, 12, i, 0, 0, time.UTC)
			cmd := exec.Command("node", "drive.mjs")
			cmd.Dir = nodeDir
			cmd.Env = append(os.Environ(), append(mode.env, "SEGUE_URL="+f.base, "SEGUE_OUT="+out,
				"SEGUE_QUERY=moonlight high", fmt.Sprint("SEGUE_SCROBBLE_MS=", at.UnixMilli()))...)
			stdout, err := cmd.Output()
			if err != nil {
				var stderr []byte
				if ee, ok := err.(*exec.ExitError); ok {
					stderr = ee.Stderr
				}
				t.Fatalf("node drive.mjs: %v\n%s", err, stderr)
			}
			var got driveResult
			if err := json.Unmarshal(stdout, &got); err != nil {
				t.Fatalf("%v in %s", err, stdout)
			}
			if got.Ping != "ok" || got.Scrobble != "ok" {
				t.Errorf("ping %q, scrobble %q; want ok", got.Ping, got.Scrobble)
			}
			if got.Song.ID != want.ID || got.Song.Title != "Moonlight Highway" || got.Song.AlbumID != want.AlbumID {
				t.Errorf("search3 found %+v, want %s (Moonlight Highway on %s)", got.Song, want.ID, want.AlbumID)
			}
			if got.Album.Name != "Night Drive" || got.Album.SongCount != 1 || !slices.Equal(got.Album.Songs, []string{"Moonlight Highway"}) {
				t.Errorf("getAlbum: %+v, want Night Drive with Moonlight Highway only", got.Album)
			}
			if got.Stream.Status != 200 || got.Stream.Type != "audio/mpeg" {
				t.Errorf("stream: HTTP %d, %s; want 200 audio/mpeg", got.Stream.Status, got.Stream.Type)
			}
			if got.Song.Size != int64(got.Stream.Bytes) {
				t.Errorf("search3's song has size %d, its stream is %d bytes", got.Song.Size, got.Stream.Bytes)
			}
			if n, want := decodedSamples(t, out), manifestSamples(t, f, want.ID); n != want {
				t.Errorf("the streamed song decodes to %d samples, want %d (the manifest's total)", n, want)
			}
			p := got.Playlist
			if p.Created != 1 || !p.Listed || p.Name != "Road trip 2" || len(p.After) != 0 || p.Remaining != 0 {
				t.Errorf("playlists: %+v; want 1 entry made, listed, renamed Road trip 2, emptied, deleted", p)
			}
			var all []string
			for _, tr := range f.tracks {
				all = append(all, tr.ID)
			}
			slices.Sort(all)
			if slices.Sort(got.Synced); !slices.Equal(got.Synced, all) {
				t.Errorf("search3 \"\" page by page synced %v, want every song once: %v", got.Synced, all)
			}
			if got.Rating != 4 || got.Jukebox != CodeNotAuthorized {
				t.Errorf("userRating after setRating 4: %d, jukeboxControl error %d; want 4 and 50", got.Rating, got.Jukebox)
			}
			avatar, _ := defaultAvatar()
			if got.Chat != 0 || got.ChatPost != CodeNotAuthorized || got.Avatar.Status != 200 || got.Avatar.Type != "image/png" || got.Avatar.Bytes != len(avatar) {
				t.Errorf("chat messages %d, addChatMessage error %d, getAvatar %+v; want none, 50 and 200 image/png of %d bytes",
					got.Chat, got.ChatPost, got.Avatar, len(avatar))
			}
			var plays []catalog.PlayEvent
			f.srv.Events().Each(context.Background(), f.aliceID, func(ev catalog.PlayEvent) error {
				if ev.At.Equal(at) {
					plays = append(plays, ev)
				}
				return nil
			})
			if len(plays) != 1 || plays[0].TrackID != want.ID || !plays[0].Completed || plays[0].PlayedMS != want.DurationMS {
				t.Errorf("play events at %v: %+v; want one completed play of %s lasting %d ms", at, plays, want.ID, want.DurationMS)
			}
		})
	}
}

// decodedSamples decodes an MP3 with ffmpeg (which honours the LAME
// tag's delay and padding) and counts the samples per channel.
func decodedSamples(t *testing.T, path string) int64 {
	t.Helper()
	pcm, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-i", path, "-f", "s16le", "-ac", "2", "pipe:1").Output()
	if err != nil {
		t.Fatalf("ffmpeg decode %s: %v", path, err)
	}
	return int64(len(pcm) / 4)
}

// manifestSamples is a track's total_samples.
func manifestSamples(t *testing.T, f *fixture, id string) int64 {
	t.Helper()
	raw, err := f.srv.Reader().Manifest(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var m catalog.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m.TotalSamples
}
