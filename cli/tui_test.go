package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"segue/internal/testkit"
)

// TestTUIInTmux is acceptances 2-4 on a real terminal: segue runs in tmux
// against a real origin; the pane shows search results and the now-playing
// title; the wav output receives audio; idle costs no CPU; resizing to
// 40x15 and 200x60 keeps a sane screen; q exits 0 and restores the pane.
func TestTUIInTmux(t *testing.T) {
	url := tuiOrigin(t)
	s := startTUI(t, url, 120, 40)
	s.waitScreen("the first full frame", func(scr string) bool {
		return strings.Contains(scr, "Now Playing") && strings.Contains(scr, "nothing playing")
	})
	pid := s.pid()

	// idle: nothing playing, nothing typed. The window is an observation
	// period; the assertion is on CPU ticks (10 ms each), not on time. It
	// opens once start-up work (first answers, cache open) has settled: on a
	// loaded machine that work can finish after the first frame.
	settle(t, pid)
	t0 := testkit.ProcTicks(t, pid)
	<-time.After(3 * time.Second)
	idle := testkit.ProcTicks(t, pid) - t0
	t.Logf("idle CPU over 3 s: %d ticks (%.1f%% of a core)", idle, float64(idle)/3)
	if idle > 2 {
		t.Errorf("idle for 3 s used %d ticks of CPU, want at most 2 (the cache's flush timer): something redraws or polls", idle)
	}

	s.keys("/")
	s.keys("-l", "aurora")
	s.waitText("1 track · 0 albums · 0 artists")
	s.waitText("Aurora Test")
	s.keys("Enter", "Enter")
	s.waitText("▶ Aurora Test · Tmux Band — Pane Songs")

	wav := filepath.Join(s.dir, "out.wav")
	s.waitScreen("the wav output to grow", func(string) bool { return fileSize(wav) > 200_000 })
	size := fileSize(wav)
	s.waitScreen("the wav output to keep growing", func(string) bool { return fileSize(wav) > size })
	t.Logf("RSS while playing: %d KiB", testkit.ProcStatus(t, pid, "VmRSS:"))

	t0 = testkit.ProcTicks(t, pid)
	<-time.After(2 * time.Second)
	t.Logf("CPU while playing over 2 s: %d ticks", testkit.ProcTicks(t, pid)-t0)

	for _, sz := range [][2]string{{"40", "15"}, {"200", "60"}, {"120", "40"}} {
		s.tmux("resize-window", "-t", "t", "-x", sz[0], "-y", sz[1])
		scr := s.waitScreen("a redraw at "+sz[0]+"x"+sz[1], func(scr string) bool {
			lines := strings.Split(strings.TrimRight(scr, "\n"), "\n")
			return len(lines) == atoi(sz[1]) && strings.Contains(scr, "Aurora Test") && strings.Contains(lines[0], "Search")
		})
		for i, l := range strings.Split(strings.TrimRight(scr, "\n"), "\n") {
			if w := len([]rune(l)); w > atoi(sz[0]) {
				t.Fatalf("at %sx%s line %d is %d cells wide:\n%s", sz[0], sz[1], i, w, scr)
			}
		}
		if dead := strings.TrimSpace(s.tmux("display-message", "-p", "-t", "t", "#{pane_dead}")); dead != "0" {
			t.Fatalf("segue died after resizing to %sx%s:\n%s", sz[0], sz[1], scr)
		}
	}

	s.keys("q")
	s.waitScreen("segue to exit", func(string) bool { return fileSize(filepath.Join(s.dir, "exit")) > 0 })
	code, _ := os.ReadFile(filepath.Join(s.dir, "exit"))
	if strings.TrimSpace(string(code)) != "0" {
		t.Fatalf("segue exited with %s", code)
	}
	if scr := s.capture(); strings.Contains(scr, "Now Playing") || strings.Contains(scr, "Aurora Test") {
		t.Fatalf("the pane still shows the interface after quitting:\n%s", scr)
	}
	if fi, err := os.Stat(filepath.Join(s.dir, "state", "segue", "queue.json")); err != nil || fi.Size() == 0 {
		t.Fatalf("queue and position were not saved on quit: %v", err)
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// TestTUISigterm: SIGTERM ends the interface like q does: exit 0, the
// terminal restored, the queue saved.
func TestTUISigterm(t *testing.T) {
	url := tuiOrigin(t)
	s := startTUI(t, url, 100, 30)
	s.waitText("nothing playing")
	if err := syscall.Kill(s.pid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	s.waitScreen("segue to exit", func(string) bool { return fileSize(filepath.Join(s.dir, "exit")) > 0 })
	code, _ := os.ReadFile(filepath.Join(s.dir, "exit"))
	if strings.TrimSpace(string(code)) != "0" {
		t.Fatalf("segue exited with %s after SIGTERM", code)
	}
	if scr := s.capture(); strings.Contains(scr, "Now Playing") {
		t.Fatalf("the pane still shows the interface after SIGTERM:\n%s", scr)
	}
	if fileSize(filepath.Join(s.dir, "state", "segue", "queue.json")) == 0 {
		t.Fatal("queue not saved on SIGTERM")
	}
}

// settle waits (up to 15 s) until pid used no CPU for half a second.
func settle(t *testing.T, pid int) {
	t.Helper()
	for range 30 {
		t0 := testkit.ProcTicks(t, pid)
		<-time.After(500 * time.Millisecond)
		if testkit.ProcTicks(t, pid) == t0 {
			return
		}
	}
	t.Log("start-up work did not settle in 15 s; measuring idle anyway")
}
