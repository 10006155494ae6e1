package testkit

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// cmusSessions numbers the cmus tmux servers of this test process.
var cmusSessions atomic.Int64

// Cmus is cmus running in a tmux session of its own (cmus needs a
// terminal), the peer the playing benchmarks compare segue with.
type Cmus struct {
	Pid    int // the cmus process
	t      testing.TB
	socket string // tmux's
	sock   string // cmus's, for cmus-remote
}

// StartCmus starts cmus with its pulse output under env (HeadlessALSA's),
// its config in dir/.config/cmus, plays mp3 and returns once cmus says it
// is playing. Stop (also run at the test's end) ends it.
func StartCmus(t testing.TB, dir string, env []string, mp3 string) *Cmus {
	t.Helper()
	for _, bin := range []string{"cmus", "cmus-remote", "tmux"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatal(bin + " is required: run make deps (it installs cmus and tmux)")
		}
	}
	// No D-Bus session here: with MPRIS on, cmus stops at a prompt.
	conf := filepath.Join(dir, ".config", "cmus")
	check(t, os.MkdirAll(conf, 0o700))
	check(t, os.WriteFile(filepath.Join(conf, "rc"), []byte("set mpris=false\nset output_plugin=pulse\nset continue=false\n"), 0o600))
	n := cmusSessions.Add(1)
	c := &Cmus{t: t, socket: fmt.Sprintf("segue-cmus-%d-%d", os.Getpid(), n), sock: filepath.Join(dir, fmt.Sprintf("cmus-%d.sock", n))}
	cenv := append(env, "HOME="+dir)
	out, err := exec.Command("tmux", "-L", c.socket, "new-session", "-d", "-s", "cmus", "-x", "80", "-y", "24", "-P", "-F", "#{pane_pid}",
		"env "+strings.Join(cenv, " ")+" cmus --listen "+c.sock).Output()
	check(t, err)
	t.Cleanup(c.Stop)
	c.Pid, err = strconv.Atoi(strings.TrimSpace(string(out)))
	check(t, err)
	WaitReport(t, 10*time.Second, func() bool {
		// Without a D-Bus session cmus may still stop at a prompt about
		// MPRIS (set mpris=false in rc does not always reach it first).
		if bytes.Contains(c.screen(), []byte("Press <enter> to continue")) {
			exec.Command("tmux", "-L", c.socket, "send-keys", "-t", "cmus", "Enter").Run()
		}
		_, err := c.remote("-Q")
		return err == nil
	}, func() string { return "cmus did not listen on " + c.sock + ":\n" + string(c.screen()) })
	_, err = c.remote("-C", "player-play "+mp3)
	check(t, err)
	WaitReport(t, 10*time.Second, func() bool {
		out, _ := c.remote("-Q")
		return strings.Contains(string(out), "status playing")
	}, func() string { return "cmus did not start playing" })
	return c
}

func (c *Cmus) screen() []byte {
	out, _ := exec.Command("tmux", "-L", c.socket, "capture-pane", "-p", "-t", "cmus").Output()
	return out
}

// remote runs cmus-remote on c; it waits as long as cmus does, 5 s at most.
func (c *Cmus) remote(args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return exec.CommandContext(ctx, "cmus-remote", append([]string{"--server", c.sock}, args...)...).Output()
}

// Pause pauses cmus (cmus-remote -u: it was playing).
func (c *Cmus) Pause() {
	c.t.Helper()
	_, err := c.remote("-u")
	check(c.t, err)
}

// Stop kills cmus's tmux server and waits (10 s at most) for cmus to exit;
// it is safe to call twice.
func (c *Cmus) Stop() {
	exec.Command("tmux", "-L", c.socket, "kill-server").Run()
	for deadline := time.Now().Add(10 * time.Second); c.Pid > 0 && time.Now().Before(deadline); time.Sleep(Poll) {
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", c.Pid)); err != nil {
			return
		}
	}
}
