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
