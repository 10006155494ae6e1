package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"segue/net/originclient"
)

// segueIn runs the segue binary with the environment of a TUI session in
// dir (same cache, state and config), so what it changes is what the
// running interface sees; it fails the test unless segue exits 0.
func segueIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(segueBinary(t), args...)
	cmd.Env = append(os.Environ(), tuiEnv(dir)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("segue %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// bodyLines returns the pane's lines between the tab line and the status
// line (the screen or the help overlay).
func bodyLines(scr string, barHeight int) []string {
	lines := strings.Split(strings.TrimRight(scr, "\n"), "\n")
	if len(lines) < 2+barHeight {
		return nil
	}
	return lines[1 : len(lines)-1-barHeight]
}

// TestTUIKeysInTmux is issue 11's acceptance 5 on a real terminal, against
// a real origin (two 12-second tracks on the album Pane Songs): keys that
// arrive together, album-row actions, seeking while paused and to a time,
// adding after the queue ended, shuffle on and off, playlists made from the
// command line, the help (once per key, scrolled when small) and 20x6.
func TestTUIKeysInTmux(t *testing.T) {
	url := tuiOrigin(t)
	s := startTUI(t, url, 120, 40)
	s.waitText("nothing playing")
	if scr := s.capture(); strings.Contains(scr, "[Search]") {
		t.Fatalf("in color the active tab is bracketed:\n%s", scr)
	}

	// five volume steps typed at once
	s.waitText("vol 100%")
	s.keys("-l", "--", "-----")
	s.waitText("vol 75%")

	// a on an album row queues the album's tracks and plays them
	s.keys("Tab")
	s.waitText("Tmux Band")
	s.keys("Enter")
	s.waitText("Pane Songs")
	s.keys("a")
	s.waitText("added 2 tracks from Pane Songs to the queue")
	s.waitText("▶ Aurora Test · Tmux Band")

	// seek while paused keeps the length; t goes to a time; 5 to half
	progress := func(pos string) {
		t.Helper()
		re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(pos) + ` [━─]+ 0:12\s*$`)
		s.waitScreen("the progress line at "+pos+" of 0:12", func(scr string) bool { return re.MatchString(scr) })
	}
	s.keys("Space")
	s.waitText("⏸ Aurora Test")
	s.keys("t")
	s.waitText("Seek to (MM:SS or H:MM:SS):")
	s.keys("-l", "0:09")
	s.keys("Enter")
	progress("0:09")
	s.keys("Left")
	progress("0:04")
	s.keys("5")
	progress("0:06")

	// the queue runs out; adding then plays what was added
	s.keys("n")
	s.waitText("⏸ Borealis Test") // still paused
	s.keys("n")
	s.waitText("nothing playing")
	s.keys("/")
	s.keys("-l", "borealis")
	s.waitText("1 track · 0 albums · 0 artists")
	s.keys("Enter", "a")
	s.waitText("added “Borealis Test” to the queue")
	s.waitText("▶ Borealis Test · Tmux Band")

	// shuffle is a mode
	s.keys("Tab", "Tab") // Queue
	s.waitText("repeat off · shuffle off")
	s.keys("z")
	s.waitText("repeat off · shuffle on")
	s.keys("z")
	s.waitText("repeat off · shuffle off")

	// playlists made from the command line show when the screen comes back
	// into view, and with ctrl+r
	s.keys("Tab", "Tab") // Playlists
	s.waitText("none yet")
	s.keys("Tab") // Search
	segueIn(t, s.dir, "--origin", url, "playlist", "create", "From The CLI")
	s.keys("BTab")
	s.waitText("From The CLI")
	segueIn(t, s.dir, "--origin", url, "playlist", "create", "Second One")
	s.keys("C-r")
	s.waitText("Second One")

	// help: each key once
	s.keys("?")
	scr := s.waitScreen("the whole help", func(scr string) bool { // drawn line by line
		return strings.Contains(scr, "Keys — Playlists") && regexp.MustCompile(`q\s+quit`).MatchString(scr) &&
			strings.Contains(scr, "seek to a time") && strings.Contains(scr, "reload")
	})
	body := strings.Join(bodyLines(scr, 3), "\n")
	for _, what := range []string{"next track", "new playlist", "seek to a time", "reload", "search"} {
		if n := regexp.MustCompile(`\b`+what+`\b`).FindAllStringIndex(body, -1); len(n) != 1 {
			t.Errorf("the help names %q %d times, want once:\n%s", what, len(n), body)
		}
	}
	s.keys("Escape")

	// at 40x15 the help scrolls
	s.tmux("resize-window", "-t", "t", "-x", "40", "-y", "15")
	s.waitScreen("a 40x15 frame", func(scr string) bool { return len(strings.Split(strings.TrimRight(scr, "\n"), "\n")) == 15 })
	s.keys("?")
	s.waitScreen("the help to scroll", func(scr string) bool { return regexp.MustCompile(`Keys 1-\d+ of \d+, ↑↓ scroll`).MatchString(scr) })
	s.keys("j")
	s.waitScreen("the help to move down", func(scr string) bool { return regexp.MustCompile(`Keys 2-\d+ of \d+`).MatchString(scr) })
	s.keys("Escape")

	// at 20x6 a list row stays visible
	s.tmux("resize-window", "-t", "t", "-x", "20", "-y", "6")
	scr = s.waitScreen("a 20x6 frame with a list row", func(scr string) bool {
		lines := strings.Split(strings.TrimRight(scr, "\n"), "\n")
		return len(lines) == 6 && strings.Contains(scr, "› ") && strings.Contains(lines[0], "Playlists")
	})
	t.Logf("20x6:\n%s", scr)

	s.keys("q")
	s.waitScreen("segue to exit", func(string) bool { return fileSize(filepath.Join(s.dir, "exit")) > 0 })
	if code, _ := os.ReadFile(filepath.Join(s.dir, "exit")); strings.TrimSpace(string(code)) != "0" {
		t.Fatalf("segue exited with %s", code)
	}
}

// TestTUIPlainInTmux: with NO_COLOR and TERM=dumb the active tab and the
// selection are still marked, and with no sound device the interface
// starts, plays silently and says how to choose an output.
func TestTUIPlainInTmux(t *testing.T) {
	url := tuiOrigin(t)
	dir := t.TempDir()
	noALSA := filepath.Join(dir, "alsa.conf") // no PCM defined: no device opens
	if err := os.WriteFile(noALSA, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s := startTUIWith(t, url, 100, 30, dir, "NO_COLOR=1", "TERM=dumb", "SEGUE_OUTPUT=alsa", "ALSA_CONFIG_PATH="+noALSA)
	s.waitText("no sound device, playing silently: choose one with --output or in config.toml")
	scr := s.waitText("[Search]")
	if !strings.HasPrefix(scr, "[Search]") {
		t.Fatalf("the active tab is not marked first on the tab line:\n%s", scr)
	}
	s.keys("Tab")
	s.waitText("[Library]")
	s.waitText("› Tmux Band")
	s.keys("Enter")
	s.waitText("Pane Songs")
	s.keys("Enter")
	s.waitText("Aurora Test")
	s.keys("Enter")
	s.waitText("▶ Aurora Test")
	s.keys("Tab", "Tab") // Now Playing keeps saying it
	s.waitText("no sound device: playing silently")
	s.waitText("(choose an output with --output)")
	s.keys("q")
	s.waitScreen("segue to exit", func(string) bool { return fileSize(filepath.Join(dir, "exit")) > 0 })
}

// TestTUIOfflineInTmux: an album pinned with segue offline add; with the
// origin down the Library shows its artist and the album, which opens from
// its stored document, and search says it is offline; the status line says
// at start which origin is down.
func TestTUIOfflineInTmux(t *testing.T) {
	url, stop := stoppableTUIOrigin(t)
	ctx := context.Background()
	c, err := originclient.New(url, originclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	artists, err := c.Artists(ctx)
	if err != nil || len(artists) != 1 {
		t.Fatalf("artists %v, %v", artists, err)
	}
	artist, err := c.Artist(ctx, artists[0].ID)
	if err != nil || len(artist.Albums) != 1 {
		t.Fatalf("artist %+v, %v", artist, err)
	}
	dir := t.TempDir()
	segueIn(t, dir, "--origin", url, "offline", "add", artist.Albums[0].ID)

	stop()
	s := startTUIIn(t, url, 100, 30, dir)
	s.waitText("nothing playing")
	s.waitText("the origin at " + strings.TrimPrefix(url, "http://") + " is unreachable") // once, on the status line
	s.keys("Tab")
	s.waitText("offline: 1 artist with pinned albums")
	s.waitText("› Tmux Band")
	s.keys("Enter")
	s.waitText("Pane Songs")
	s.keys("Enter")
	scr, _, _ := strings.Cut(s.waitText("Borealis Test"), "the origin at ") // the status line's
	if strings.Contains(scr, "127.0.0.1") || strings.Contains(scr, "could not") {
		t.Fatalf("the offline library shows an error:\n%s", scr)
	}
	s.keys("/")
	s.keys("-l", "aur")
	s.waitText("offline: search needs the origin; the Library shows what is pinned")
	s.keys("Escape") // alone: an escape followed at once by q would read as alt+q
	s.waitText("/ search")
	s.keys("q")
	s.waitScreen("segue to exit", func(string) bool { return fileSize(filepath.Join(dir, "exit")) > 0 })
}
