package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"segue/catalog"
	"segue/offline"
)

// TestOfflineListOfStalledOrigin: with an origin that takes connections
// but never answers (a stopped process, a hung proxy), offline list asks
// it once, gives up after answerWait and lists the pins as they were, with
// and without --json. Each pin's documents waited out the client's 15 s
// one after another: with two pins pinned, 135 s without a word.
func TestOfflineListOfStalledOrigin(t *testing.T) {
	var asked atomic.Int32
	stalled := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		<-r.Context().Done() // never answers; the client gives up
	}))
	t.Cleanup(stalled.Close)
	env := clientEnv(t, stalled.URL)
	l, err := offline.Load(filepath.Join(filepath.Dir(env[1]), "state"))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"t1", "t2"} {
		l.Put(offline.Collection{Ref: id, Kind: "track", Name: "Song " + id, Quality: "normal", Tracks: []string{id}, Added: time.Now()})
	}
	if err := l.Save(); err != nil {
		t.Fatal(err)
	}
	for _, run := range [][]string{{"offline", "list"}, {"offline", "list", "--json"}} {
		asked.Store(0)
		out, errOut, code := segue(t, append(slices.Clone(env), run...)...)
		if code != 0 || !strings.Contains(out, "Song t1") || !strings.Contains(out, "Song t2") {
			t.Errorf("segue %s: exit %d, stdout %q, stderr %q; want 0 listing both pins", strings.Join(run, " "), code, out, errOut)
		}
		if n := asked.Load(); n != 1 {
			t.Errorf("segue %s asked the stalled origin %d times; want once", strings.Join(run, " "), n)
		}
	}
}

// TestOfflineRemoveAllOrNothing: offline remove of several refs, one not
// pinned, unpins none of them and says so (exit 3, with and without
// --json); it unpinned the ones before the typo, then failed. A ref named
// twice is removed once (the second said "not pinned", exit 3).
func TestOfflineRemoveAllOrNothing(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9")
	state := filepath.Join(filepath.Dir(env[1]), "state")
	pin := func(ids ...string) {
		l, err := offline.Load(state)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			l.Put(offline.Collection{Ref: id, Kind: "track", Name: "Song " + id, Quality: "normal", Tracks: []string{id}, Added: time.Now()})
		}
		if err := l.Save(); err != nil {
			t.Fatal(err)
		}
	}
	pinned := func() []string {
		l, err := offline.Load(state)
		if err != nil {
			t.Fatal(err)
		}
		var refs []string
		for _, c := range l.Collections {
			refs = append(refs, c.Ref)
		}
		return refs
	}
	pin("t1", "t2")
	for _, run := range [][]string{{"offline", "remove", "t1", "t9"}, {"offline", "remove", "t1", "t9", "--json"}} {
		_, errOut, code := segue(t, append(slices.Clone(env), run...)...)
		msg := checkFailure(t, strings.Join(run, " "), errOut, code, ExitNotFound)
		if want := `offline remove "t9": not pinned (see segue offline list); nothing was unpinned`; msg != want {
			t.Errorf("segue %s: %q; want %q", strings.Join(run, " "), msg, want)
		}
		if got := pinned(); !slices.Equal(got, []string{"t1", "t2"}) {
			t.Errorf("segue %s left the pins %v; want t1 and t2 kept", strings.Join(run, " "), got)
		}
	}
	for _, run := range [][]string{{"offline", "remove", "t1", "t1"}, {"offline", "remove", "t2", "t2", "--json"}} {
		if _, errOut, code := segue(t, append(slices.Clone(env), run...)...); code != 0 {
			t.Errorf("segue %s: exit %d, %q; want 0", strings.Join(run, " "), code, errOut)
		}
	}
	if got := pinned(); len(got) != 0 {
		t.Errorf("after removing both: pins %v; want none", got)
	}
	pin("t3", "t4", "t5") // several refs in one run, from the list loaded once
	if _, errOut, code := segue(t, append(slices.Clone(env), "offline", "remove", "t3", "t5")...); code != 0 || !slices.Equal(pinned(), []string{"t4"}) {
		t.Errorf("segue offline remove t3 t5: exit %d, %q, pins %v; want 0 and t4 kept", code, errOut, pinned())
	}
}

// TestPinnedPlaysAtOnceFromStalledOrigin: with the origin's process
// stopped (SIGSTOP: the kernel still takes connections, nothing answers),
// a pinned track, album and playlist play from their stored copies at
// once, every sample, from the cache, exit 0, and the pinned album
// browses; each document (the playlist's or album's, then every track's
// manifest) waited out the client's 15 s before its stored copy answered.
func TestPinnedPlaysAtOnceFromStalledOrigin(t *testing.T) {
	url, track, _, proc := swarmOriginProcess(t, segueBinary(t))
	env := clientEnv(t, url)
	var m catalog.Manifest
	getJSON(t, url+"/api/v1/tracks/"+track.ID+"/manifest", &m)
	var pl catalog.Playlist
	if err := json.Unmarshal([]byte(segueOK(t, append(slices.Clone(env), "playlist", "create", "Stalled", track.ID, "--json")...)), &pl); err != nil {
		t.Fatal(err)
	}
	targets := []string{track.ID, track.AlbumID, pl.ID}
	for _, ref := range targets {
		segueOK(t, append(slices.Clone(env), "offline", "add", ref)...)
	}
	if err := proc.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proc.Signal(syscall.SIGCONT) })

	const bound = 5 * time.Second // generous: it takes about a second; it took 15 s per document
	for _, ref := range targets {
		wav := filepath.Join(t.TempDir(), "out.wav")
		start := time.Now()
		out, errOut, code := segue(t, append(slices.Clone(env), "play", ref, "--json", "--output", "wav:"+wav, "--fast")...)
		took := time.Since(start)
		t.Logf("play %s with the origin stopped: %v", ref, took.Round(time.Millisecond))
		if code != 0 || took > bound {
			t.Errorf("play %s, origin stopped: exit %d after %v; want 0 within %v\n%s", ref, code, took.Round(time.Millisecond), bound, errOut)
		}
		if got := wavFrames(t, wav); got != m.TotalSamples {
			t.Errorf("play %s, origin stopped: %d samples, want every one (%d)", ref, got, m.TotalSamples)
		}
		var segments int
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			var e playEvent
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatalf("play %s: --json line %q: %v", ref, line, err)
			}
			if e.Event == "segment" {
				segments++
				if e.Source != "cache" {
					t.Errorf("play %s: %s; want every segment from the cache (the pinned copy)", ref, line)
				}
			}
		}
		if segments != len(m.Renditions[0].Segments) {
			t.Errorf("play %s: %d segment events, want %d", ref, segments, len(m.Renditions[0].Segments))
		}
	}
	start := time.Now()
	out, errOut, code := segue(t, append(slices.Clone(env), "library", track.AlbumID)...)
	if took := time.Since(start); code != 0 || took > bound || !strings.Contains(out, track.Title) {
		t.Errorf("library %s, origin stopped: exit %d after %v, stdout %q, stderr %q; want 0 within %v listing %q",
			track.AlbumID, code, took.Round(time.Millisecond), out, errOut, bound, track.Title)
	}
}

// TestTUIPinnedPlaysAtOnceFromStalledOrigin: in the interface, with the
// origin's process stopped (SIGSTOP), a pinned album opened with o plays
// at once from its stored copies (its document and its track's manifest
// each waited out the client's 15 s), and the Library shows the pinned
// artists within seconds.
func TestTUIPinnedPlaysAtOnceFromStalledOrigin(t *testing.T) {
	url, track, _, proc := swarmOriginProcess(t, segueBinary(t))
	dir := t.TempDir()
	segueIn(t, dir, "--origin", url, "offline", "add", track.AlbumID)
	if err := proc.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proc.Signal(syscall.SIGCONT) })
	s := startTUIIn(t, url, 100, 30, dir)
	s.waitText("nothing playing")
	s.keys("o")
	s.waitText("Open share URL or ID:")
	s.keys("-l", track.AlbumID)
	start := time.Now()
	s.keys("Enter")
	const bound = 5 * time.Second // generous: about half a second; it took 30 s
	s.waitScreenFor(bound, "the pinned album to play", func(scr string) bool { return strings.Contains(scr, "▶ "+track.Title) })
	t.Logf("the pinned album played %v after Enter", time.Since(start).Round(time.Millisecond))
	wav := filepath.Join(dir, "out.wav")
	s.waitScreen("the wav output to grow", func(string) bool { return fileSize(wav) > 200_000 })
	// The Library's artists, asked at start, were never stored: once the
	// origin is deaf they are given up 5 s after they were asked, and the
	// pinned artists show (it was 15 s).
	s.keys("Tab")
	start = time.Now()
	s.waitScreenFor(2*bound, "the Library of what is pinned", func(scr string) bool {
		return strings.Contains(scr, "offline: 1 artist with pinned albums")
	})
	t.Logf("the Library of what is pinned showed %v after Tab", time.Since(start).Round(time.Millisecond))
	s.keys("q")
	s.waitScreen("segue to exit", func(string) bool { return fileSize(filepath.Join(dir, "exit")) > 0 })
}
