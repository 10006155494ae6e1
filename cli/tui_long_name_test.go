package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestTUILongPlaylistName: a playlist whose name is longer than the line
// pushed off it what the line was for: S showed “name…” and never the share
// URL, r's rename prompt never showed the answer being typed, D never said
// "y to confirm". The quoted name is shortened now and the rest stays.
func TestTUILongPlaylistName(t *testing.T) {
	url := tuiOrigin(t)
	name := "Ünïcødé 🎵 " + strings.Repeat("long name ", 15)
	out, errOut, code := segue(t, "--origin", url, "--cache", t.TempDir()+"/cache.db", "playlist", "create", name, "--json")
	if code != 0 {
		t.Fatalf("playlist create: exit %d\n%s", code, errOut)
	}
	var pl struct{ ID string }
	if err := json.Unmarshal([]byte(out), &pl); err != nil {
		t.Fatal(err)
	}
	s := startTUI(t, url, 100, 30)
	s.waitText("type to search")
	s.keys("Tab", "Tab", "Tab", "Tab")
	s.waitText("1 playlist")
	s.keys("S")
	s.waitText(url + "/p/")
	s.waitText("(copied)")
	s.keys("r")
	s.waitText("Rename “Ünïcødé")
	s.keys("C-u", "x", "y", "z")
	s.waitText("xyz█")
	s.keys("Escape")
	s.waitScreen("the prompt closed", func(scr string) bool { return !strings.Contains(scr, "Rename") })
	s.keys("D")
	s.waitText("y to confirm, any other key cancels")
	s.tmux("resize-window", "-t", "t", "-x", "60", "-y", "20")
	s.waitScreen("the confirm hint at 60 columns", func(scr string) bool {
		return strings.Contains(scr, "Delete playlist “Ünïcødé") && strings.Contains(scr, "y to confirm")
	})
	s.keys("n")
	s.keys("S")
	s.waitText("/p/")
}
