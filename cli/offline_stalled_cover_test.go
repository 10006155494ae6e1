package cli

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
)

// TestOfflineListOfStalledOriginWithCoverlessAlbums: two albums without a
// cover pinned, then the origin holds every answer (a stopped process, a
// hung proxy). Stored copies answered its documents within 0.5 s, so it
// counted as answering, and each album's cover, never stored since the
// album has none, was asked and waited 5 s for: offline list took 10.5 s
// and said nothing. A cover is asked only of an album that has one, a pin
// planned from stored copies is left as it was, and stderr says the
// origin did not answer, with and without --json.
func TestOfflineListOfStalledOriginWithCoverlessAlbums(t *testing.T) {
	lib := t.TempDir()
	for _, album := range []string{"Dusk", "Dawn"} {
		dir := filepath.Join(lib, album)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		makeTone(t, filepath.Join(dir, "01.flac"), 3, "title="+album+" One", "artist=Held Band", "album="+album, "track=1")
	}
	o := serveLibrary(t, lib, t.TempDir())
	var hold atomic.Bool
	proxy := testkit.FaultProxy(t, "http://"+o.addr, time.Minute, func(*http.Request) testkit.Fault {
		if hold.Load() {
			return testkit.HoldHeaders
		}
		return testkit.Pass
	})
	env := clientEnv(t, proxy.URL)
	var res catalog.SearchResult
	getJSON(t, "http://"+o.addr+"/api/v1/search?q=held&limit=5", &res)
	if len(res.Albums) != 2 {
		t.Fatalf("search found %d albums, want 2", len(res.Albums))
	}
	for _, al := range res.Albums {
		if al.HasCover {
			t.Fatalf("album %q has a cover: the test needs two without", al.Title)
		}
		segueOK(t, append(slices.Clone(env), "offline", "add", al.ID)...)
	}
	hold.Store(true)
	const bound = 5 * time.Second // generous: about half a second; it took 5 s per album
	for _, run := range [][]string{{"offline", "list"}, {"offline", "list", "--json"}} {
		start := time.Now()
		out, errOut, code := segue(t, append(slices.Clone(env), run...)...)
		took := time.Since(start)
		t.Logf("segue %s with the origin holding its answers: %v", strings.Join(run, " "), took.Round(time.Millisecond))
		if code != 0 || took > bound || !strings.Contains(out, "Dusk") || !strings.Contains(out, "Dawn") {
			t.Errorf("segue %s, origin holding its answers: exit %d after %v, stdout %q; want 0 within %v listing both pins",
				strings.Join(run, " "), code, took.Round(time.Millisecond), out, bound)
		}
		if want := "did not answer within 0.5 s; its pins are listed as they were when it last answered"; !strings.Contains(errOut, want) {
			t.Errorf("segue %s, origin holding its answers: stderr %q; want it to say %q", strings.Join(run, " "), errOut, want)
		}
		if run[len(run)-1] == "--json" {
			var entries []offlineEntry
			if err := json.Unmarshal([]byte(out), &entries); err != nil || len(entries) != 2 {
				t.Errorf("segue %s: %v, %d entries in %q; want the two pins as JSON", strings.Join(run, " "), err, len(entries), out)
			}
			for _, e := range entries {
				if e.State != "complete" {
					t.Errorf("segue %s: %s is %q; want complete (its segments are pinned)", strings.Join(run, " "), e.Name, e.State)
				}
			}
		}
	}
}
