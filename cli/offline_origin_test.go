package cli

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"segue/catalog"
	"segue/config"
)

// pinEntry is what these tests read of offline list --json: origin is
// read by name, so the test builds (and fails) on a segue without it.
type pinEntry struct {
	Ref    string   `json:"ref"`
	Origin string   `json:"origin"`
	State  string   `json:"state"`
	Note   string   `json:"note"`
	Tracks []string `json:"tracks"`
}

func listPins(t *testing.T, env []string) map[string]pinEntry {
	t.Helper()
	out, errOut, code := segue(t, append(env, "offline", "list", "--json")...)
	var list []pinEntry
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != 0 {
		t.Fatalf("offline list --json: exit %d, %v\n%s\n%s", code, err, out, errOut)
	}
	byRef := map[string]pinEntry{}
	for _, e := range list {
		byRef[e.Ref] = e
	}
	return byRef
}

// TestPinsKeepTheirOrigin: an album and a playlist pinned by ID from
// origin A (and the playlist's share link), then the client switched to origin B (--origin), whose library
// has the same album ID with other tracks and no such playlist. offline
// list on B followed the pins there: the album took B's tracks (A's
// segments unpinned) and the playlist was "gone from the origin". Now
// each pin names its origin, in --json and in the table; on B they are
// listed "elsewhere", as they were, B asked nothing about them, and
// offline add of the album on B is refused rather than replace A's pin;
// back on A they follow as before.
func TestPinsKeepTheirOrigin(t *testing.T) {
	a, b := newTestOrigin(t), toneOrigin(t, 660, 770)
	urlA, urlB := "http://"+a.addr, "http://"+b.addr
	onA, onB := tones(t, urlA), tones(t, urlB)
	album := onA[0].AlbumID
	if onB[0].AlbumID != album {
		t.Fatalf("origin B's album is %s, A's %s: the test wants the same ID on both", onB[0].AlbumID, album)
	}
	env := clientEnv(t, urlA)
	var pl catalog.Playlist
	if err := json.Unmarshal([]byte(segueOK(t, append(env, "playlist", "create", "Mine", onA[1].ID, "--json")...)), &pl); err != nil {
		t.Fatal(err)
	}
	link := strings.TrimSpace(segueOK(t, append(env, "playlist", "share", pl.ID)...))
	segueOK(t, append(env, "offline", "add", album, pl.ID, link, "--quality", "low")...)
	before := listPins(t, env)
	albumTracks := before[album].Tracks
	pinned := pinnedBytesOf(t, env)

	switched := append(slices.Clone(env), "--origin", urlB)
	after := listPins(t, switched)
	for _, ref := range []string{album, pl.ID} {
		e := after[ref]
		if !config.SameOrigin(e.Origin, urlA) || e.State != "elsewhere" || !strings.Contains(e.Note, "--origin "+urlA) {
			t.Errorf("offline list on B: pin %s is %+v; want origin %s, state elsewhere, a note saying segue --origin %s", ref, e, urlA, urlA)
		}
	}
	// a share link's pin names its origin in its link, and follows it there
	if e := after[link]; !config.SameOrigin(e.Origin, urlA) || e.State != "complete" {
		t.Errorf("offline list on B: the share link's pin is %+v; want origin %s, complete (followed on its link's origin)", e, urlA)
	}
	if got := after[album].Tracks; !slices.Equal(got, albumTracks) {
		t.Errorf("offline list on B: the album pin holds %v; want A's tracks %v", got, albumTracks)
	}
	if got := pinnedBytesOf(t, switched); got != pinned {
		t.Errorf("after offline list on B: %d bytes pinned; want %d, as before", got, pinned)
	}
	asked := b.access.requests("/api/v1/albums/", 0)
	maps.Copy(asked, b.access.requests("/api/v1/playlists/", 0))
	maps.Copy(asked, b.access.requests("/api/v1/tracks/", 0))
	if len(asked) != 0 {
		t.Errorf("offline list on B asked B about A's pins: %v", asked)
	}
	if out := segueOK(t, append(switched, "offline", "list")...); !strings.Contains(out, urlA) || !strings.Contains(out, "ORIGIN") {
		t.Errorf("offline list on B (table) does not name the pins' origin %s:\n%s", urlA, out)
	}

	_, errOut, code := segue(t, append(switched, "offline", "add", album, "--quality", "low")...)
	if code == 0 || !strings.Contains(errOut, "pinned already from the origin at "+urlA) {
		t.Errorf("offline add of A's pinned album on B: exit %d\n%s\nwant a refusal naming %s", code, errOut, urlA)
	}
	if got := listPins(t, env)[album]; !slices.Equal(got.Tracks, albumTracks) || got.State != "complete" || !config.SameOrigin(got.Origin, urlA) {
		t.Errorf("back on A, the album pin is %+v; want A's tracks %v, complete, origin %s", got, albumTracks, urlA)
	}
}

// TestOldPinsGetTheirOrigin: an offline list saved before pins kept their
// origin (no "origin" keys), read with another origin configured: each
// pin gets the origin its stored documents came from (A), is listed
// elsewhere, and the list is saved with it; the interface's pinned refs
// on B leave it out (they marked B's album of the same ID pinned).
func TestOldPinsGetTheirOrigin(t *testing.T) {
	a, b := newTestOrigin(t), toneOrigin(t, 660, 770)
	urlA, urlB := "http://"+a.addr, "http://"+b.addr
	album := tones(t, urlA)[0].AlbumID
	env := clientEnv(t, urlA)
	segueOK(t, append(env, "offline", "add", album, "--quality", "low")...)
	stateDir := filepath.Join(filepath.Dir(env[1]), "state")
	file := filepath.Join(stateDir, "offline.json")
	var raw map[string][]map[string]any
	if err := json.Unmarshal(readFile(t, file), &raw); err != nil {
		t.Fatal(err)
	}
	for _, col := range raw["collections"] {
		delete(col, "origin")
	}
	old, _ := json.Marshal(raw)
	if err := os.WriteFile(file, old, 0o600); err != nil {
		t.Fatal(err)
	}

	a2 := &app{cfg: config.Config{Origin: urlB, StateDir: stateDir}}
	refs, err := (&tuiPins{a: a2}).Pinned()
	if err != nil || slices.Contains(refs, album) {
		t.Errorf("the interface's pinned refs on B: %v, %v; want no %s (A's album)", refs, err, album)
	}

	switched := append(slices.Clone(env), "--origin", urlB)
	if e := listPins(t, switched)[album]; !config.SameOrigin(e.Origin, urlA) || e.State != "elsewhere" {
		t.Errorf("offline list on B of an older list: %+v; want origin %s (its documents'), elsewhere", e, urlA)
	}
	if !strings.Contains(string(readFile(t, file)), `"origin": "`+urlA) {
		t.Errorf("the offline list was not saved with the pin's origin:\n%s", readFile(t, file))
	}
}
