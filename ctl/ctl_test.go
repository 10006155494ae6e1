package ctl

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"segue/catalog"
	"segue/player"
)

func TestParseSeek(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Seek
		ok   bool
	}{
		{"90", Seek{D: 90 * time.Second}, true},
		{"+10", Seek{Relative: true, D: 10 * time.Second}, true},
		{"-5", Seek{Relative: true, D: -5 * time.Second}, true},
		{"1:30", Seek{D: 90 * time.Second}, true},
		{"-0:05", Seek{Relative: true, D: -5 * time.Second}, true},
		{"1:02:03", Seek{D: time.Hour + 2*time.Minute + 3*time.Second}, true},
		{"2.5", Seek{D: 2500 * time.Millisecond}, true},
		{"0:07.5", Seek{D: 7500 * time.Millisecond}, true},
		{"1:60", Seek{}, false},
		{"1:5", Seek{}, false},
		{"abc", Seek{}, false},
		{"", Seek{}, false},
		{"+", Seek{}, false},
		{"1.5:00", Seek{}, false},
		{"1:2:3:4", Seek{}, false},
		{"1e3", Seek{}, false},
		{"--5", Seek{}, false},
		// a position no track has, or a move that stops at an end: well formed
		{"1000000", Seek{D: MaxSeek}, true},
		{"1000001", Seek{D: MaxSeek, Beyond: "1000001"}, true},
		{"99999999999999999999", Seek{D: MaxSeek, Beyond: "99999999999999999999"}, true},
		{"-99999999999999999999", Seek{Relative: true, D: -MaxSeek, Beyond: "99999999999999999999"}, true},
	} {
		got, err := ParseSeek(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseSeek(%q) = %+v, %v; want %+v, ok=%v", c.in, got, err, c.want, c.ok)
		}
		if err != nil && !errors.Is(err, ErrBadRequest) {
			t.Errorf("ParseSeek(%q): %v does not wrap ErrBadRequest", c.in, err)
		}
	}
}

func TestParseVolume(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Volume
		ok   bool
	}{
		{"50", Volume{N: 50}, true},
		{"0", Volume{N: 0}, true},
		{"100", Volume{N: 100}, true},
		{"+5", Volume{Relative: true, N: 5}, true},
		{"-10", Volume{Relative: true, N: -10}, true},
		{"101", Volume{}, false},
		{"-200", Volume{Relative: true, N: -100}, true}, // a change: clamped when applied
		{"+99999999999999999999", Volume{Relative: true, N: 100}, true},
		{"-", Volume{}, false},
		{"5%", Volume{}, false},
		{"+-5", Volume{}, false},
		{" 5", Volume{}, false},
	} {
		got, err := ParseVolume(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseVolume(%q) = %+v, %v; want %+v, ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		req Request
		ok  bool
	}{
		{Request{Cmd: "status"}, true},
		{Request{Cmd: "toggle"}, true},
		{Request{Cmd: "toggle", Args: []string{"x"}}, false},
		{Request{Cmd: "seek"}, false},
		{Request{Cmd: "quality", Args: []string{"low"}}, true},
		{Request{Cmd: "quality", Args: []string{"ultra"}}, false},
		{Request{Cmd: "quality", Args: []string{""}}, false},
		{Request{Cmd: "queue", Args: []string{"list"}}, true},
		{Request{Cmd: "queue", Args: []string{"add"}}, false},
		{Request{Cmd: "queue", Args: []string{"add", "t1", "t2"}}, true},
		{Request{Cmd: "queue", Args: []string{"remove", "0"}}, false},
		{Request{Cmd: "queue", Args: []string{"remove", "3"}}, true},
		{Request{Cmd: "queue", Args: []string{"shuffle"}}, false},
		{Request{Cmd: "queue", Args: []string{"play", "2"}}, true},
		{Request{Cmd: "queue", Args: []string{"play"}}, false},
		{Request{Cmd: "queue", Args: []string{"play", "0"}}, false},
		{Request{Cmd: "queue", Args: []string{"move", "3", "1"}}, true},
		{Request{Cmd: "queue", Args: []string{"move", "3"}}, false},
		{Request{Cmd: "queue", Args: []string{"move", "1", "x"}}, false},
		{Request{Cmd: "queue", Args: []string{"move", "1", "2", "3"}}, false},
		{Request{Cmd: "queue"}, false},
		{Request{Cmd: "frobnicate"}, false},
		{Request{Cmd: "open", Args: []string{"al1"}}, true},
		// A target that is neither an ID nor a URL is malformed before any
		// instance is asked: "ctl open zz" exited 1 with none running.
		{Request{Cmd: "open", Args: []string{"zz"}}, false},
		{Request{Cmd: "open", Args: []string{""}}, false},
		{Request{Cmd: "open", Args: []string{"https://h/p/TOKEN"}}, true},
		{Request{Cmd: "queue", Args: []string{"add", "t1", "p/abc"}}, false},
		{Request{Cmd: "queue", Args: []string{"next", "pl_3"}}, true},
	} {
		err := Check(c.req)
		if (err == nil) != c.ok {
			t.Errorf("Check(%+v) = %v, want ok=%v", c.req, err, c.ok)
		}
		if err != nil && !errors.Is(err, ErrBadRequest) {
			t.Errorf("Check(%+v): %v does not wrap ErrBadRequest", c.req, err)
		}
	}
}

func TestSocketPath(t *testing.T) {
	if p, _ := SocketPath("/run/user/7", ""); p != "/run/user/7/segue/ctl.sock" {
		t.Errorf("default instance: %s", p)
	}
	if p, _ := SocketPath("/run/user/7", "work"); p != "/run/user/7/segue/ctl-work.sock" {
		t.Errorf("named instance: %s", p)
	}
	for _, bad := range []string{"../x", "a/b", "..", "a b"} {
		if _, err := SocketPath("/r", bad); !errors.Is(err, ErrBadRequest) {
			t.Errorf("instance %q: %v, want ErrBadRequest", bad, err)
		}
	}
}

// TestRuntimeDirIgnoresRelative: a relative XDG_RUNTIME_DIR is ignored, as
// the XDG spec says and segue's other XDG_* are: an instance started in
// one folder put its socket under that folder, and segue ctl run from
// another said no segue was running.
func TestRuntimeDirIgnoresRelative(t *testing.T) {
	fallback := filepath.Join(os.TempDir(), fmt.Sprintf("segue-runtime-%d", os.Getuid()))
	for env, want := range map[string]string{"/run/user/7": "/run/user/7", "run": fallback, "./run": fallback, "": fallback} {
		t.Setenv("XDG_RUNTIME_DIR", env)
		if got := RuntimeDir(); got != want {
			t.Errorf("XDG_RUNTIME_DIR=%q: RuntimeDir() = %q, want %q", env, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"90", "+10", "-0:05", "1:02:03", "0:07.5", "50", "+5"} {
		f.Add("seek", s)
	}
	f.Add("volume", "-10")
	f.Add("queue", "remove")
	f.Fuzz(func(t *testing.T, cmd, arg string) {
		err := Check(Request{Cmd: cmd, Args: []string{arg}})
		if err != nil && !errors.Is(err, ErrBadRequest) {
			t.Fatalf("%s %q: %v is not a bad request", cmd, arg, err)
		}
		if s, err := ParseSeek(arg); err == nil && (s.D > 1e6*time.Second || s.D < -1e6*time.Second || (!s.Relative && s.D < 0)) {
			t.Fatalf("seek %q = %+v out of range", arg, s)
		}
		if v, err := ParseVolume(arg); err == nil && (v.N > 100 || v.N < -100 || (!v.Relative && v.N < 0)) {
			t.Fatalf("volume %q = %+v out of range", arg, v)
		}
	})
}

// shortDir is a temporary directory with a path short enough for a unix
// socket (108 bytes), removed after the test.
func shortDir(t *testing.T) string {
	d, err := os.MkdirTemp("", "sgctl")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// Acceptance 4 and 5: the socket is 0600 in a 0700 directory, another
// instance on it is refused, and a dead one's socket is replaced.
func TestListenOwnsTheSocket(t *testing.T) {
	path, _ := SocketPath(shortDir(t), "")
	s, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Serve(Options{Player: player.New(player.Options{})})
	for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %o, want %o", p, got, want)
		}
	}
	if _, err := Listen(path); !errors.Is(err, ErrRunning) {
		t.Errorf("second Listen: %v, want ErrRunning", err)
	}
	if !Running(context.Background(), path) {
		t.Error("Running is false while serving")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Do(context.Background(), path, Request{Cmd: "status"}); !errors.Is(err, ErrNoInstance) {
		t.Errorf("status after Close: %v, want ErrNoInstance", err)
	}
	// A socket file left behind (a killed instance) does not hold the place.
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s2, err := Listen(path)
	if err != nil {
		t.Fatalf("Listen over a stale socket: %v", err)
	}
	s2.Close()
}

// Acceptance 4: a process of another user that reaches the socket (the
// test opens its modes up) is refused by SO_PEERCRED, while the owner is
// answered.
func TestSocketRefusesOtherUser(t *testing.T) {
	if os.Getuid() != 0 {
		t.Fatal("this test switches to another uid and must run as root (as CI does)")
	}
	py, err := exec.LookPath("/usr/bin/python3") // the system one: a user shim may be unreadable to nobody
	if err != nil {
		t.Fatal("/usr/bin/python3 is needed to connect as another user")
	}
	dir := shortDir(t)
	path, _ := SocketPath(dir, "")
	s, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Serve(Options{Player: player.New(player.Options{})})
	for _, p := range []string{dir, filepath.Dir(path)} {
		os.Chmod(p, 0o755)
	}
	os.Chmod(path, 0o666)
	script := `import socket,sys
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
try: s.sendall(b'{"cmd":"status"}\n')
except BrokenPipeError: pass  # a refusal can be written and the socket closed before the command is sent
print(s.makefile().readline())`
	ask := func(uid uint32) string {
		cmd := exec.Command(py, "-c", script, path)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid}}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("connect as uid %d: %v\n%s", uid, err, out)
		}
		return string(out)
	}
	if got := ask(65534); !strings.Contains(got, "refused: this segue belongs to another user") || strings.Contains(got, `"state"`) {
		t.Errorf("another user was answered: %s", got)
	}
	if got := ask(0); !strings.Contains(got, `"state":"stopped"`) {
		t.Errorf("the owner was not answered: %s", got)
	}
}

// TestWatchEndsWhenSegueQuits: Watch copies the events and returns nil when
// the instance's Server closes (it quit as it should: its last line, quit,
// is not passed on), and ErrLost when the socket closes without that line
// (the instance was killed). Both were ErrQuit, which segue ctl watch made
// exit 1, so a script could not tell a normal end from a crash.
func TestWatchEndsWhenSegueQuits(t *testing.T) {
	t.Run("closed", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "ctl.sock")
		s, err := Listen(path)
		if err != nil {
			t.Fatal(err)
		}
		s.Serve(Options{Player: player.New(player.Options{})})
		w := &lineWriter{got: make(chan string, 16)}
		done := make(chan error, 1)
		go func() { done <- Watch(context.Background(), path, w) }()
		if first := <-w.got; first != `{"event":"state","state":"stopped"}`+"\n" {
			t.Fatalf("Watch's first line %q, want the state", first)
		}
		s.Observe(player.StateEvent{State: player.Paused}) // still queued as it closes: sent before quit
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Errorf("Watch after the server closed = %v, want nil", err)
		}
		close(w.got)
		var rest []string
		for l := range w.got {
			rest = append(rest, l)
		}
		if len(rest) != 1 || rest[0] != `{"event":"state","state":"paused"}`+"\n" {
			t.Errorf("Watch wrote %q after the first line, want the paused state only (not the quit line)", rest)
		}
	})
	t.Run("lost", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "ctl.sock")
		ln, err := net.Listen("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() { // an instance that answers the watch, sends one event and dies
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
			bufio.NewReader(c).ReadBytes('\n')
			c.Write([]byte("{}\n" + `{"event":"state","state":"stopped"}` + "\n"))
		}()
		var out bytes.Buffer
		err = Watch(context.Background(), path, &out)
		if !errors.Is(err, ErrLost) || out.String() != `{"event":"state","state":"stopped"}`+"\n" {
			t.Errorf("Watch = %v, printed %q; want ErrLost after the state event", err, out.String())
		}
	})
}

// TestWatchWritesWholeLines: Watch gives its writer whole lines only. A
// line the instance had half sent when it died (or when Ctrl-C closed the
// socket under the read: the same path) was written as it was (segue ctl
// watch --json ended on half an object, and without --json failed with
// "read segue's event"). Cancelled, it returns nil after the whole line.
func TestWatchWritesWholeLines(t *testing.T) {
	const whole, half = `{"event":"state","state":"paused"}` + "\n", `{"event":"posi`
	for _, c := range []struct {
		name    string
		cancel  bool // else the instance closes the socket after half a line
		wantErr error
	}{
		{"cancelled", true, nil},
		{"instance-died", false, ErrLost},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ctl.sock")
			ln, err := net.Listen("unix", path)
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			done := make(chan struct{})
			defer close(done)
			stay := c.cancel
			go func() { // an instance that sends one event and half of the next
				conn, err := ln.Accept()
				if err != nil {
					return
				}
				defer conn.Close()
				bufio.NewReader(conn).ReadBytes('\n')
				conn.Write([]byte("{}\n" + whole + half))
				if stay {
					<-done
				}
			}()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			w := &lineWriter{got: make(chan string, 4)}
			if c.cancel {
				w.first = cancel // Ctrl-C once the whole line is out
			}
			err = Watch(ctx, path, w)
			close(w.got)
			var out []string
			for l := range w.got {
				out = append(out, l)
			}
			if !errors.Is(err, c.wantErr) || len(out) != 1 || out[0] != whole {
				t.Errorf("Watch = %v, wrote %q; want %v after the one whole line %q", err, out, c.wantErr, whole)
			}
		})
	}
}

// lineWriter keeps each Write; first, when set, runs after the first.
type lineWriter struct {
	got   chan string
	first func()
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.got <- string(p)
	if w.first != nil {
		w.first()
		w.first = nil
	}
	return len(p), nil
}

// TestArgumentCountSaysTheForm: a verb given too few or too many
// arguments says what it takes ("volume takes one argument" did not say
// what; "queue" said "queue takes " and nothing).
func TestArgumentCountSaysTheForm(t *testing.T) {
	for verb, ar := range arity {
		var wrong [][]string
		if ar[0] > 0 {
			wrong = append(wrong, nil)
		}
		if ar[1] >= 0 {
			wrong = append(wrong, []string{"a", "b"}[:ar[1]+1])
		}
		want := "takes no arguments"
		if ar[1] != 0 {
			want = "takes " + argForms[verb]
		}
		for _, args := range wrong {
			_, err := parse(Request{Cmd: verb, Args: args})
			if !errors.Is(err, ErrBadRequest) || !strings.HasSuffix(err.Error(), want) || strings.HasSuffix(want, "takes ") {
				t.Errorf("ctl %s %v: %v, want a bad request ending %q (a form in argForms)", verb, args, err, want)
			}
		}
	}
	if _, err := parse(Request{Cmd: "volume"}); err == nil || !strings.Contains(err.Error(), "N from 0 to 100") {
		t.Errorf("ctl volume: %v, want the form N from 0 to 100", err)
	}
}

// TestRelativeVolumeFromManyScripts: volume +N read the volume and set it
// plus N in two steps, so of scripts (or a script and a media key) changing
// it at once one's change could be lost: 25 "volume +1" and 25 "volume -1"
// at once from 50 ended at 48, not 50 (with a shell's xargs -P 50; here,
// one of 300 rounds at most went wrong each run, three runs of three).
// Each change now applies to the volume as the one before it left it.
func TestRelativeVolumeFromManyScripts(t *testing.T) {
	path, p := servedPlayer(t)
	for round := range 300 {
		p.SetVolume(50)
		errs := make(chan error, 50)
		for i := range 50 {
			by := []string{"+1", "-1"}[i%2]
			go func() {
				_, err := Do(context.Background(), path, Request{Cmd: "volume", Args: []string{by}})
				errs <- err
			}()
		}
		for range 50 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if v := p.Volume(); v != 50 {
			t.Fatalf("round %d: 25 volume +1 and 25 volume -1 at once from 50 left it at %d", round, v)
		}
	}
}

// TestQueueRemoveRacedBySecondScript: two scripts removing the queue's
// last track at once remove one track, and one of them is told there is
// no such position (exit status 3). The position was checked against the
// queue before the player acted, so both could pass the check and exit 0
// with one track removed (round 38 of 500 went so on the old code).
func TestQueueRemoveRacedBySecondScript(t *testing.T) {
	path, p := servedPlayer(t)
	tracks := make([]catalog.Track, 4)
	for i := range tracks {
		tracks[i] = catalog.Track{ID: fmt.Sprint("t", i), Title: fmt.Sprint("Track ", i), DurationMS: 60_000}
	}
	for round := range 500 {
		p.Clear()
		p.Add(tracks...)
		p.Pause()
		errs := make(chan error, 2)
		for range 2 {
			go func() {
				_, err := Do(context.Background(), path, Request{Cmd: "queue", Args: []string{"remove", "4"}})
				errs <- err
			}()
		}
		var failed []error
		for range 2 {
			if err := <-errs; err != nil {
				failed = append(failed, err)
			}
		}
		if n := len(p.Status().Queue); n != 3 || len(failed) != 1 || !errors.Is(failed[0], ErrNotFound) {
			t.Fatalf("round %d: two queue remove 4 at once on a queue of 4 left %d tracks, errors %v; want 3 tracks and one not-found error", round, n, failed)
		}
	}
}

// TestLongRequest: a request line longer than the server reads (another
// client than segue ctl) is answered with a bad_request error that says
// so, where the connection was cut with no answer ("connection reset by
// peer"); and Check refuses it before anything connects.
func TestLongRequest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ctl.sock")
	s, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Serve(Options{Player: player.New(player.Options{})})
	args := []string{"add"}
	for len(args) < 60000 {
		args = append(args, "t0123456789abcdef")
	}
	req := Request{Cmd: "queue", Args: args}
	if err := Check(req); !errors.Is(err, ErrBadRequest) || !strings.Contains(err.Error(), "several commands") {
		t.Errorf("Check of queue add with 60,000 targets = %v, want a bad request saying to send them in several", err)
	}
	if err := Check(Request{Cmd: "queue", Args: args[:40000]}); err != nil {
		t.Errorf("Check of queue add with 40,000 targets = %v", err)
	}
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	go func() {
		json.NewEncoder(c).Encode(req)
	}()
	c.SetReadDeadline(time.Now().Add(time.Minute))
	var resp Response
	if err := json.NewDecoder(c).Decode(&resp); err != nil || resp.Kind != "bad_request" || !strings.Contains(resp.Error, "longer than") {
		t.Errorf("the server answered %+v, %v; want a bad_request error saying the command is too long", resp, err)
	}
}

// TestDoWhenSegueEndsBeforeAnswering: an instance that quit while a
// command was on its way (segue play stopped during a long queue add) made
// segue ctl say only "read segue's answer: EOF". Now it says segue ended
// before it answered and that the command may not have been carried out.
func TestDoWhenSegueEndsBeforeAnswering(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ctl.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // reads the command and ends without an answer
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			bufio.NewReader(c).ReadBytes('\n')
			c.Close()
		}
	}()
	_, err = Do(context.Background(), path, Request{Cmd: "queue", Args: []string{"add", "t0123456789abcdef"}})
	if !errors.Is(err, ErrGone) || !strings.Contains(err.Error(), "may not have been carried out") {
		t.Errorf("Do when segue ends before answering = %v, want ErrGone saying the command may not have been carried out", err)
	}
}

// servedPlayer is a player with no output served on a control socket in
// a temp dir, its events drained as the instance drains them (a full
// channel slows each change by 50 ms); it returns the socket's path.
func servedPlayer(t *testing.T) (string, *player.Player) {
	t.Helper()
	s, path, p := listenedPlayer(t)
	s.Serve(Options{Player: p})
	return path, p
}

// listenedPlayer is servedPlayer before Serve: the server, its socket's
// path and the player.
func listenedPlayer(t *testing.T) (*Server, string, *player.Player) {
	t.Helper()
	return listenedPlayerAt(t, filepath.Join(t.TempDir(), "ctl.sock"))
}

// listenedPlayerAt is listenedPlayer on the socket path.
func listenedPlayerAt(t *testing.T, path string) (*Server, string, *player.Player) {
	t.Helper()
	s, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	p := player.New(player.Options{})
	t.Cleanup(func() { p.Close() })
	go func() {
		for range p.Events() {
		}
	}()
	return s, path, p
}

// TestObserveWhileServeStarts: Observe may run before and while Serve
// does (an event watcher started first). Serve set the options and the
// volume the watcher's Observe reads with no lock, a data race (go test
// -race failed on the old server.go); the callers ordered Serve first. A
// segment observed before Serve is in status after it.
func TestObserveWhileServeStarts(t *testing.T) {
	for round := range 20 {
		path := filepath.Join(t.TempDir(), "ctl.sock")
		s, err := Listen(path)
		if err != nil {
			t.Fatal(err)
		}
		p := player.New(player.Options{})
		stop, done := make(chan struct{}), make(chan struct{})
		go func() { // the instance's event watcher
			defer close(done)
			for {
				s.Observe(player.SegmentEvent{TrackID: "t1", Rendition: "opus-128", From: player.Source("origin")})
				s.Observe(player.ChangedEvent{})
				s.Observe(player.StateEvent{State: player.Stopped})
				select {
				case <-stop:
					return
				default:
				}
			}
		}()
		s.Serve(Options{Player: p})
		p.SetVolume(40) // a change the watcher's ChangedEvent reads
		close(stop)
		<-done
		resp, err := Do(context.Background(), path, Request{Cmd: "status"})
		if err != nil {
			t.Fatal(err)
		}
		if st := resp.Status; st == nil || st.Rendition != "opus-128" || st.Source != "origin" {
			t.Fatalf("round %d: status %+v, want the rendition and source observed while Serve started", round, resp.Status)
		}
		s.Close()
		p.Close()
	}
}

// TestEventsBeforeServeAreNotReplayed: what is observed before Serve
// reaches no watcher later (none can connect before Serve, and a watcher
// starts from the state as it is then), but status holds its segment.
func TestEventsBeforeServeAreNotReplayed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ctl.sock")
	s, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p := player.New(player.Options{})
	defer p.Close()
	s.Observe(player.StateEvent{State: player.Paused})
	s.Observe(player.SegmentEvent{TrackID: "t1", Rendition: "opus-64", From: player.Source("cache")})
	s.Serve(Options{Player: p})
	w := &lineWriter{got: make(chan string, 16)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go Watch(ctx, path, w)
	if first := <-w.got; first != `{"event":"state","state":"stopped"}`+"\n" {
		t.Fatalf("watch's first line %q, want the player's state (stopped) as it is", first)
	}
	s.Observe(player.StateEvent{State: player.Playing})
	if next := <-w.got; next != `{"event":"state","state":"playing"}`+"\n" {
		t.Errorf("watch's second line %q, want the state observed after it started (playing), not one observed before Serve", next)
	}
	resp, err := Do(context.Background(), path, Request{Cmd: "status"})
	if err != nil {
		t.Fatal(err)
	}
	if st := resp.Status; st.Rendition != "opus-64" || st.Source != "cache" {
		t.Errorf("status rendition %q source %q, want the segment observed before Serve (opus-64, cache)", st.Rendition, st.Source)
	}
}

// TestServeRacingClose: Close while Serve runs (an instance quitting as
// it starts) neither races nor leaves the accept loop running: after
// Close, nothing answers on the socket.
func TestServeRacingClose(t *testing.T) {
	for range 50 {
		path := filepath.Join(t.TempDir(), "ctl.sock")
		s, err := Listen(path)
		if err != nil {
			t.Fatal(err)
		}
		p := player.New(player.Options{})
		served := make(chan struct{})
		go func() { defer close(served); s.Serve(Options{Player: p}) }()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		<-served
		if _, err := Do(context.Background(), path, Request{Cmd: "status"}); !errors.Is(err, ErrNoInstance) {
			t.Fatalf("status after Close: %v, want ErrNoInstance", err)
		}
		p.Close()
	}
}
