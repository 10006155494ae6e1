package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"segue/catalog"
)

// TestGivenStateFoldersAreNotMade: a state_dir or log_file given in
// config.toml whose folder does not exist (a typo) makes no folder, as a
// mistyped cache path makes none: offline add and demo refuse such a
// state_dir (exit 2) naming the setting and the folder, and play says
// either in one warning and plays.
// segue made the folders wherever the path pointed.
func TestGivenStateFoldersAreNotMade(t *testing.T) {
	o := newTestOrigin(t)
	url := "http://" + o.addr
	var res catalog.SearchResult
	getJSON(t, url+"/api/v1/search?q=play&limit=5", &res)
	track := res.Tracks[0]
	for _, key := range []string{"state_dir", "log_file"} {
		t.Run(key, func(t *testing.T) {
			dir := t.TempDir()
			typo := filepath.Join(dir, "typo")
			given := filepath.Join(typo, "deeper", "x")
			cfg := filepath.Join(dir, "config.toml")
			set := map[string]string{"state_dir": filepath.Join(dir, "state"), "log_file": filepath.Join(dir, "segue.log")}
			set[key] = given
			body := "state_dir = " + strconvQuote(set["state_dir"]) + "\nlog_file = " + strconvQuote(set["log_file"]) + "\n"
			if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			env := []string{"--origin", url, "--config", cfg, "--cache", filepath.Join(dir, "cache.db")}
			want := "config " + cfg + ": " + key + ": the folder " + filepath.Dir(given) + " does not exist (make it, or check the path)"

			_, errOut, code := segue(t, append(env, "play", track.ID, "--output", "wav:"+filepath.Join(dir, "p.wav"), "--fast")...)
			if code != 0 || strings.Count(errOut, want) != 1 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Errorf("play: exit %d, stderr %q; want 0 and one warning saying %q", code, errOut, want)
			}
			if key == "state_dir" {
				_, errOut, code := segue(t, append(env, "offline", "add", track.ID)...)
				if msg := checkFailure(t, "offline add", errOut, code, ExitUsage); msg != want {
					t.Errorf("offline add: %q; want %q", msg, want)
				}
				out, errOut, code := segue(t, append(env, "offline", "add", track.ID, "--json")...)
				checkFailure(t, "offline add --json", errOut, code, ExitUsage)
				var got struct{ Error string }
				decodeJSON(t, out, &got)
				if got.Error != want {
					t.Errorf("offline add --json: %q; want {\"error\": %q}", out, want)
				}
				_, errOut, code = segue(t, append(env, "demo", "--no-tui")...)
				if msg := checkFailure(t, "demo", errOut, code, ExitUsage); msg != want {
					t.Errorf("demo: %q; want %q", msg, want)
				}
			}
			if _, err := os.Stat(typo); err == nil {
				t.Fatalf("%s named a path in a folder that does not exist, and segue made %s", key, typo)
			}
		})
	}
}

// TestGivenDataDirIsNotMade: an origin data dir given by --data,
// SEGUE_DATA or [origin_server] data_dir whose folder does not exist (a
// typo) makes no folder: ingest and serve refuse it (exit 2) naming the
// setting and the folder, and token create, which needs an origin there
// (TestAdminCommandsMakeNoCatalog), says there is none: exit 3, naming the
// setting and the folder that does not exist. ingest made the folders
// wherever the path pointed.
func TestGivenDataDirIsNotMade(t *testing.T) {
	dir := t.TempDir()
	typo := filepath.Join(dir, "typo")
	data := filepath.Join(typo, "deeper", "data")
	plain := filepath.Join(dir, "plain.toml")
	withData := filepath.Join(dir, "data.toml")
	log := "log_file = " + strconvQuote(filepath.Join(dir, "segue.log")) + "\n"
	if err := os.WriteFile(plain, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(withData, []byte(log+"[origin_server]\ndata_dir = "+strconvQuote(data)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, way := range []struct {
		setting string
		args    []string
		envVar  bool
	}{
		{"--data", []string{"--config", plain, "--data", data}, false},
		{"SEGUE_DATA", []string{"--config", plain}, true},
		{"config " + withData + ": origin_server.data_dir", []string{"--config", withData}, false},
	} {
		t.Run(way.setting, func(t *testing.T) {
			if way.envVar {
				t.Setenv("SEGUE_DATA", data)
			}
			want := way.setting + ": the folder " + filepath.Dir(data) + " does not exist (make it, or check the path)"
			for _, args := range [][]string{{"origin", "ingest", t.TempDir()}, {"origin", "serve", "--addr", "127.0.0.1:0"}} {
				_, errOut, code := segue(t, append(slices.Clone(args), way.args...)...)
				if msg := checkFailure(t, strings.Join(args[:2], " "), errOut, code, ExitUsage); msg != want {
					t.Errorf("segue %s: %q; want %q", strings.Join(args[:2], " "), msg, want)
				}
			}
			_, errOut, code := segue(t, append([]string{"origin", "token", "create", "laptop"}, way.args...)...)
			if msg, want := checkFailure(t, "origin token create", errOut, code, ExitNotFound), way.setting+": no origin in "+data+": the folder does not exist; check the path"; !strings.HasPrefix(msg, want) {
				t.Errorf("segue origin token create: %q; want %q...", msg, want)
			}
			if _, err := os.Stat(typo); err == nil {
				t.Fatalf("%s named a data dir in a folder that does not exist, and segue made %s", way.setting, typo)
			}
		})
	}
}
