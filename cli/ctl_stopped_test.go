package cli

import (
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A segue play suspended in its terminal (Ctrl-Z, SIGSTOP) still holds its
// control socket, whose connections the kernel completes, so segue ctl
// status (a status bar's, run every few seconds) and play --enqueue sent
// their command and waited: status for 2 minutes, then "read segue's
// answer: ... use of closed network connection"; --enqueue and watch (which
// starts with the current state) for ever. They
// now fail at once (exit 1, with and without --json) naming the stopped
// process and how to resume it, and send nothing, so a pause refused so is
// not carried out once the segue resumes.
func TestCtlStoppedInstance(t *testing.T) {
	url, tracks := ctlOrigin(t)
	h := newCtlHost(t)
	h.startPlay("--origin", url, "play", "--output", "null", tracks[0].ID, tracks[1].ID)
	pid := playPID(t, h)
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	resumed := false
	resume := func() {
		if !resumed {
			resumed = true
			syscall.Kill(pid, syscall.SIGCONT)
		}
	}
	t.Cleanup(resume)
	says := "segue (process " + strconv.Itoa(pid) + ") is stopped"
	for _, args := range [][]string{{"ctl", "status"}, {"ctl", "status", "--json"}, {"ctl", "pause"}, {"ctl", "pause", "--json"},
		{"ctl", "watch"}, {"ctl", "watch", "--json"},
		{"--origin", url, "play", "--enqueue", tracks[2].ID}} {
		start := time.Now()
		o, e, code, ok := runCapped(t, h.command(args...), 20*time.Second)
		if !ok {
			t.Errorf("segue %s against a stopped segue still waits after 20 s", strings.Join(args, " "))
			continue
		}
		if code != ExitError || !strings.Contains(e, says) || !strings.Contains(e, "kill -CONT "+strconv.Itoa(pid)) {
			t.Errorf("segue %s against a stopped segue: exit %d after %v, %q; want exit %d saying %q and how to resume it",
				strings.Join(args, " "), code, time.Since(start).Round(time.Millisecond), e, ExitError, says)
		}
		if strings.Contains(strings.Join(args, " "), "--json") && !strings.HasPrefix(o, `{"error":`) {
			t.Errorf("segue %s printed %q; want the error as JSON", strings.Join(args, " "), o)
		}
	}
	resume()
	time.Sleep(time.Second) // what the socket held would be read now
	if st := h.status(); !playingOn(st.State) || st.QueueLength != 2 {
		t.Errorf("after resuming: %+v; want still playing a queue of 2 (the refused pause and enqueue carried out later)", st)
	}
}

// playPID is the pid of the segue play h runs: the holder of its control
// socket, as SO_PEERCRED says.
func playPID(t *testing.T, h *ctlHost) int {
	t.Helper()
	c, err := net.Dial("unix", filepath.Join(h.runtime, "segue", "ctl.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	raw, err := c.(*net.UnixConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var cred *syscall.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil || cerr != nil {
		t.Fatal(err, cerr)
	}
	return int(cred.Pid)
}
