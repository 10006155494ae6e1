package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"segue/internal/testkit"
)

// TestCtlHungInstance: a segue whose process runs, holding its control
// socket and its lock, but whose socket never answers (hung) held segue
// ctl status, a status bar's, for 2 minutes, and watch for ever. The
// stand-in here is a listener on the socket's path that reads and never
// answers, the lock held as a running segue holds it. Every ctl command,
// and play --enqueue (whose queue add may take the segue a minute), now
// ends within seconds, exit 1 with and without --json, naming the process
// and socket that do not answer and how to end it.
func TestCtlHungInstance(t *testing.T) {
	url, tracks := ctlOrigin(t)
	h := newCtlHost(t)
	sock := filepath.Join(h.runtime, "segue", "ctl.sock")
	if err := os.MkdirAll(filepath.Dir(sock), 0o700); err != nil {
		t.Fatal(err)
	}
	lock, err := os.OpenFile(sock+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	testkit.HungSocket(t, sock)
	pid := strconv.Itoa(os.Getpid())
	for _, args := range [][]string{{"ctl", "status"}, {"ctl", "status", "--json"}, {"ctl", "pause"}, {"ctl", "pause", "--json"},
		{"ctl", "queue", "list", "--json"}, {"ctl", "queue", "add", tracks[0].ID}, {"ctl", "queue", "add", tracks[0].ID, "--json"},
		{"ctl", "watch"}, {"ctl", "watch", "--json"},
		{"--origin", url, "play", "--output", "null", "--enqueue", tracks[1].ID}} {
		start := time.Now()
		o, e, code, ok := runCapped(t, h.command(args...), 30*time.Second)
		if !ok {
			t.Errorf("segue %s against a hung segue still waits after 30 s", strings.Join(args, " "))
			continue
		}
		took := time.Since(start)
		says := "segue (process " + pid + ") on " + sock + " is not answering"
		if code != ExitError || took > 20*time.Second || !strings.Contains(e, says) || !strings.Contains(e, "kill "+pid) {
			t.Errorf("segue %s against a hung segue: exit %d after %v, %q; want exit %d within 20 s saying %q and how to end it",
				strings.Join(args, " "), code, took.Round(time.Millisecond), e, ExitError, says)
		}
		if strings.Contains(strings.Join(args, " "), "--json") && !strings.HasPrefix(o, `{"error":`) {
			t.Errorf("segue %s printed %q; want the error as JSON", strings.Join(args, " "), o)
		}
	}
}

// runCapped runs cmd for at most limit: its output and exit status, and
// ok false when it was still running then (it is killed).
func runCapped(t *testing.T, cmd *exec.Cmd, limit time.Duration) (stdout, stderr string, code int, ok bool) {
	t.Helper()
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return o.String(), e.String(), cmd.ProcessState.ExitCode(), true
	case <-time.After(limit):
		cmd.Process.Kill()
		<-done
		return o.String(), e.String(), -1, false
	}
}
