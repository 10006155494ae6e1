package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"segue/catalog"
	"segue/origin"
	"segue/scrobble"
)

// TestPlaysReachTheOriginUnlessTurnedOff plays the two-track album with
// [events] send = false (nothing recorded, nothing spooled) and then with
// the default (two completed plays stored for the open origin's owner).
func TestPlaysReachTheOriginUnlessTurnedOff(t *testing.T) {
	o := newTestOrigin(t)
	url := "http://" + o.addr
	var res catalog.SearchResult
	getJSON(t, url+"/api/v1/search?q=play&limit=5", &res)
	if len(res.Albums) != 1 {
		t.Fatalf("search found %d albums", len(res.Albums))
	}
	for _, c := range []struct {
		name, conf string
		plays      int
	}{{"off", "[events]\nsend = false\n", 0}, {"on by default", "", 2}} {
		t.Run(c.name, func(t *testing.T) {
			dir, common := clientDirs(t, url, c.conf)
			state := filepath.Join(dir, "state")
			out, errOut, code := segue(t, append(common, "play", res.Albums[0].ID, "--output", "wav:"+filepath.Join(dir, "a.wav"), "--fast")...)
			if code != 0 {
				t.Fatalf("play: exit %d\n%s\n%s", code, out, errOut)
			}
			got := exportedPlays(t, o.data)
			if n := strings.Count(got, `"completed":true`); n != c.plays || strings.Count(got, "\n") != c.plays {
				t.Fatalf("origin holds %d completed plays, want %d:\n%s", n, c.plays, got)
			}
			if c.plays > 0 && strings.Count(got, `"listener":"local"`) != c.plays {
				t.Fatalf("plays not stored for local:\n%s", got)
			}
			if _, err := os.Stat(filepath.Join(state, scrobble.SpoolFile)); c.plays == 0 && err == nil {
				t.Fatalf("with events off a spool was written")
			}
			if evs, _ := scrobble.OpenSpool(state).Pending(10); len(evs) != 0 {
				t.Fatalf("%d plays left in the spool after a delivery", len(evs))
			}
		})
	}
}

// exportedPlays is every play the origin with data dir data stored, as
// JSON Lines.
func exportedPlays(t *testing.T, data string) string {
	t.Helper()
	db, err := origin.OpenCatalog(data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out bytes.Buffer
	if _, err := origin.NewEvents(db).Export(t.Context(), &out, ""); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestOriginEventsImportExportCommands(t *testing.T) {
	data, dir := t.TempDir(), t.TempDir()
	makeCatalog(t, data) // events import makes none
	file := filepath.Join(dir, "plays.jsonl")
	in := `{"listener":"ann","track_id":"t1","played_ms":183000,"completed":true,"at":"2026-11-30T17:00:00Z","session":"s1"}
{"listener":"ann","track_id":"t2","played_ms":4000,"completed":false,"position_ms":4000,"at":"2026-11-30T17:03:00Z","session":"s1"}
`
	os.WriteFile(file, []byte(in), 0o644)
	for _, want := range []int{2, 0} { // the second import adds nothing
		out, errOut, code := segue(t, "origin", "events", "--data", data, "import", file, "--json")
		var got map[string]int
		decodeJSON(t, out, &got)
		if code != 0 || got["read"] != 2 || got["added"] != want {
			t.Fatalf("import: exit %d, %v (want read 2, added %d)\n%s", code, got, want, errOut)
		}
	}
	out, _, code := segue(t, "origin", "events", "--data", data, "export")
	if code != 0 || strings.Count(out, "\n") != 2 || !strings.Contains(out, `"track_id":"t2","played_ms":4000,"completed":false,"position_ms":4000`) {
		t.Fatalf("export: exit %d\n%s", code, out)
	}
	if _, _, code := segue(t, "origin", "events", "--data", data, "import", filepath.Join(dir, "missing.jsonl")); code != ExitNotFound {
		t.Fatalf("missing file: exit %d, want %d", code, ExitNotFound)
	}
	os.WriteFile(file, []byte(in+"{oops\n"), 0o644)
	if _, errOut, code := segue(t, "origin", "events", "--data", data, "import", file); code != ExitUsage || !strings.Contains(errOut, "line 3") {
		t.Fatalf("bad line: exit %d, want 2 naming line 3\n%s", code, errOut)
	}
}

// clientDirs makes a client's dirs (log, state in dir/state, cache) and a
// config.toml with extra appended; common are the global flags that use
// them against the origin at url.
func clientDirs(t *testing.T, url, extra string) (dir string, common []string) {
	dir = t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	conf := "log_file = " + strconvQuote(filepath.Join(dir, "segue.log")) + "\nstate_dir = " + strconvQuote(filepath.Join(dir, "state")) + "\n" + extra
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, []string{"--config", cfg, "--origin", url, "--cache", filepath.Join(dir, "cache.db")}
}
