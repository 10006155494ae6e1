package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"segue/player"
)

// TestTUIStateSurvivesKill is issue 11's acceptance 3: queue edits and a
// volume change are written while the interface runs (debounced, atomic
// rename), so a process killed with SIGKILL, or whose terminal closed
// (SIGHUP), shows them again when segue starts next.
func TestTUIStateSurvivesKill(t *testing.T) {
	url := tuiOrigin(t)
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			s := startTUIIn(t, url, 120, 40, dir)
			s.waitText("nothing playing")
			s.search("test", "2 tracks")
			s.keys("Enter")
			s.keys("a")
			s.waitText("added “Aurora Test” to the queue")
			s.keys("j")
			s.waitText("› Borealis Test")
			s.keys("a")
			s.waitText("added “Borealis Test” to the queue")
			s.keys("-")
			s.waitText("vol 95%")
			s.keys("-")
			s.waitText("vol 90%")
			s.keys("b") // auto -> low
			s.waitText("quality low: from the next segment on")
			// The edits reach the file while segue runs: no exit path is
			// needed (SIGKILL runs none).
			statePath := filepath.Join(dir, "state", "segue", "queue.json")
			s.waitScreen("the queue to be saved", func(string) bool {
				b, err := os.ReadFile(statePath)
				var st player.SavedState
				return err == nil && json.Unmarshal(b, &st) == nil && len(st.Tracks) == 2 && st.Volume == 90 && st.Quality == "low"
			})
			if err := syscall.Kill(s.pid(), sig); err != nil {
				t.Fatal(err)
			}
			s.waitScreen("segue to end", func(string) bool { return fileSize(filepath.Join(dir, "exit")) > 0 })

			again := startTUIIn(t, url, 120, 40, dir)
			again.waitText("vol 90%")
			again.keys("Tab")
			again.keys("Tab")
			scr := again.waitText("Queue  2 tracks")
			if !strings.Contains(scr, "Aurora Test") || !strings.Contains(scr, "Borealis Test") {
				t.Fatalf("after %s and a restart the queue shows:\n%s", sig, scr)
			}
			// the quality setting came back: b goes on from low, not auto
			again.keys("b")
			again.waitText("quality normal: from the next segment on")
			// quit before the temp dir goes: killing the tmux server would
			// have segue save its state into a dir being removed
			again.keys("q")
			again.waitScreen("segue to exit", func(string) bool { return fileSize(filepath.Join(dir, "exit")) > 0 })
			// --quality given wins over the saved one (the URL is a word of
			// the shell command startTUIIn runs)
			flagged := startTUIIn(t, url+" --quality high", 120, 40, dir)
			flagged.waitText("vol 90%")
			flagged.keys("b") // high -> auto
			flagged.waitText("quality auto: from the next segment on")
			flagged.keys("q")
			flagged.waitScreen("segue to exit", func(string) bool { return fileSize(filepath.Join(dir, "exit")) > 0 })
		})
	}
}

// search opens the search input, types query and waits for want. One key
// at a time, each waited for: keys that arrive together are another part
// of issue 11.
func (s *tmuxSession) search(query, want string) {
	s.t.Helper()
	s.keys("/")
	s.waitScreen("the search input", func(scr string) bool { return !strings.Contains(scr, "(press /)") })
	s.keys("-l", query)
	s.waitText(want)
}
