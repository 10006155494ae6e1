package cli

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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
