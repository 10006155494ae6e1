package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"segue/internal/testkit"
	"segue/origin"
)

// needTools fails the test when a real tool it drives is not installed
// (make deps installs them; CI refuses skipped tests).
func needTools(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is required: run make deps", tool)
		}
	}
}

// tuiOrigin ingests two short ffmpeg-made tracks and serves them on
// 127.0.0.1:0; it returns the origin's URL.
func tuiOrigin(t testing.TB) string {
	t.Helper()
	url, _ := stoppableTUIOrigin(t)
	return url
}

// stoppableTUIOrigin is tuiOrigin with a stop that takes the origin down
// (the listener closed, its URL unreachable); it is safe to call twice.
func stoppableTUIOrigin(t testing.TB) (url string, stop func()) {
	t.Helper()
	return serveTracks(t, []tuiTrack{
		{"01.flac", "Aurora Test", "sine=frequency=440:duration=12:sample_rate=44100"},
		{"02.flac", "Borealis Test", "sine=frequency=330:duration=12:sample_rate=44100"},
	})
}

// tuiTrack is one file of a test origin's library, made by ffmpeg from an
// lavfi source (stereo, 44.1 kHz), by the artist Tmux Band on the album
// Pane Songs.
type tuiTrack struct{ file, title, lavfi string }

// serveTracks ingests tracks (numbered in order) and serves them on
// 127.0.0.1:0; it returns the origin's URL and a stop as stoppableTUIOrigin's.
func serveTracks(t testing.TB, tracks []tuiTrack) (url string, stop func()) {
	t.Helper()
	return serveAlbum(t, "Tmux Band", "Pane Songs", tracks)
}

// serveAlbum is serveTracks with the artist and album named.
func serveAlbum(t testing.TB, artist, album string, tracks []tuiTrack) (url string, stop func()) {
	t.Helper()
	needTools(t, "ffmpeg", "ffprobe")
	lib, data := t.TempDir(), t.TempDir()
	for i, tr := range tracks {
		cmd := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi",
			"-i", tr.lavfi, "-ac", "2",
			"-metadata", "title="+tr.title, "-metadata", "artist="+artist,
			"-metadata", "album="+album, "-metadata", "track="+strconv.Itoa(i+1),
			"-metadata", "date=2025", filepath.Join(lib, tr.file))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("make %s: %v\n%s", tr.file, err, out)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := origin.Ingest(ctx, lib, origin.IngestOptions{DataDir: data, Jobs: 1}); err != nil {
		t.Fatalf("ingest: %v", err)
	}
	srv, err := origin.New(origin.ServerOptions{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = srv.Serve(ctx, ln) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); srv.Close(); wg.Wait() }) }
	t.Cleanup(stop)
	return "http://" + ln.Addr().String(), stop
}

// segueBinary builds segue once per test process.
func segueBinary(t testing.TB) string { return testkit.Binary(t) }

// tmuxSession is segue running in a detached tmux session on a private
// tmux server.
type tmuxSession struct {
	t      testing.TB
	socket string
	dir    string
}

// startTUI runs `segue --origin URL` in a w x h tmux window with the audio
// going to dir/out.wav and every XDG path inside dir.
func startTUI(t testing.TB, url string, w, h int) *tmuxSession {
	t.Helper()
	return startTUIIn(t, url, w, h, t.TempDir())
}

// startTUIIn is startTUI with the XDG dirs under dir, so a cache and state
// can be reused across starts.
func startTUIIn(t testing.TB, url string, w, h int, dir string) *tmuxSession {
	t.Helper()
	return startTUIWith(t, url, w, h, dir)
}

// startTUIWith is startTUIIn with more environment (NAME=value), applied
// after the defaults (tuiEnv) so that it may replace them.
func startTUIWith(t testing.TB, url string, w, h int, dir string, env ...string) *tmuxSession {
	t.Helper()
	needTools(t, "tmux")
	bin := segueBinary(t)
	_ = os.Remove(filepath.Join(dir, "exit"))
	s := &tmuxSession{t: t, socket: fmt.Sprintf("segue-test-%d-%d", os.Getpid(), time.Now().UnixNano()), dir: dir}
	script := fmt.Sprintf(`env %[4]s %[2]s --origin %[3]s; echo $? > %[1]s/exit`,
		dir, bin, url, strings.Join(append(tuiEnv(dir), env...), " "))
	s.tmux("new-session", "-d", "-s", "t", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), script)
	s.tmux("set-option", "-t", "t", "remain-on-exit", "on")
	t.Cleanup(s.end)
	return s
}

// end kills the tmux server and waits (up to 20 s) for segue to exit: it
// saves its state on the hangup, and must be done before the test's
// temporary dirs are removed.
func (s *tmuxSession) end() {
	out, _ := exec.Command("tmux", "-L", s.socket, "display-message", "-p", "-t", "t", "#{pane_pid}").Output()
	shell := strings.TrimSpace(string(out))
	children, _ := os.ReadFile(fmt.Sprintf("/proc/%s/task/%s/children", shell, shell))
	_ = exec.Command("tmux", "-L", s.socket, "kill-server").Run()
	for _, pid := range strings.Fields(string(children)) {
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); {
			if _, err := os.Stat("/proc/" + pid); err != nil {
				break
			}
			<-time.After(10 * time.Millisecond)
		}
	}
}

// tuiEnv is the environment segue runs in under dir: a UTF-8 color terminal,
// the XDG dirs inside dir (its control socket too) and the audio going to
// dir/out.wav. CI, NO_COLOR and CLICOLOR are emptied: a CI runner sets CI,
// and termenv then takes even a real terminal for no TTY (no color).
func tuiEnv(dir string) []string {
	return []string{"TERM=xterm-256color", "LANG=C.UTF-8", "LC_ALL=", "CI=", "NO_COLOR=", "CLICOLOR=", "CLICOLOR_FORCE=", "XDG_CONFIG_HOME=" + dir + "/config", "XDG_RUNTIME_DIR=" + dir + "/run",
		"XDG_CACHE_HOME=" + dir + "/cache", "XDG_STATE_HOME=" + dir + "/state", "XDG_DATA_HOME=" + dir + "/data",
		"SEGUE_OUTPUT=wav:" + dir + "/out.wav"}
}

func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (s *tmuxSession) capture() string { return s.tmux("capture-pane", "-p", "-t", "t") }

func (s *tmuxSession) keys(keys ...string) {
	s.tmux(append([]string{"send-keys", "-t", "t"}, keys...)...)
}

// waitScreen polls the pane until ok holds; it fails with the last screen.
func (s *tmuxSession) waitScreen(what string, ok func(string) bool) string {
	s.t.Helper()
	return s.waitScreenFor(20*time.Second, what, ok)
}

// waitScreenFor is waitScreen with a deadline of its own.
func (s *tmuxSession) waitScreenFor(d time.Duration, what string, ok func(string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(d)
	for {
		scr := s.capture()
		if ok(scr) {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("waiting for %s; the pane shows:\n%s", what, scr)
		}
		<-time.After(2 * time.Millisecond)
	}
}

func (s *tmuxSession) waitText(want string) string {
	s.t.Helper()
	return s.waitScreen(fmt.Sprintf("%q", want), func(scr string) bool { return strings.Contains(scr, want) })
}

// pid returns the segue process: the child of the pane's shell.
func (s *tmuxSession) pid() int {
	s.t.Helper()
	shell := strings.TrimSpace(s.tmux("display-message", "-p", "-t", "t", "#{pane_pid}"))
	b, err := os.ReadFile(fmt.Sprintf("/proc/%s/task/%s/children", shell, shell))
	if err != nil {
		s.t.Fatal(err)
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		s.t.Fatalf("pane shell %s has no child", shell)
	}
	pid, _ := strconv.Atoi(f[0])
	return pid
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// firstFrameMS returns the latest start-up time segue logged: process
// start to the first full frame written, in milliseconds.
func firstFrameMS(t testing.TB, dir string) float64 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "state", "segue", "segue.log"))
	if err != nil {
		t.Fatal(err)
	}
	ms := -1.0
	for _, l := range strings.Split(string(b), "\n") {
		var e struct {
			Msg string  `json:"msg"`
			MS  float64 `json:"since_start_ms"`
		}
		if json.Unmarshal([]byte(l), &e) == nil && e.Msg == "tui first frame" {
			ms = e.MS
		}
	}
	if ms < 0 {
		t.Fatalf("segue logged no first frame:\n%s", b)
	}
	return ms
}
