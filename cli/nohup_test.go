package cli

import (
	"bufio"
	"net/http"
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

// TestNohupSurvivesTheHangup: a command started under nohup (SIGHUP
// ignored) keeps ignoring the hangup, as nohup asks. origin serve over
// http stopped on the SIGHUP of the terminal nohup was to outlive (exit 0,
// "origin stopped"): segue asked to be told of SIGHUP, and Go then undoes
// an ignored disposition.
func TestNohupSurvivesTheHangup(t *testing.T) {
	needTools(t, "nohup")
	bin := segueBinary(t)
	dir := t.TempDir()
	cmd := exec.Command("nohup", bin, "origin", "serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(dir, "data"))
	cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "XDG_STATE_HOME="+filepath.Join(dir, "state"))
	errOut := &testkit.Buffer{}
	cmd.Stdout, cmd.Stderr = errOut, errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var addr string
	testkit.Wait(t, 30*time.Second, "origin serve to listen", func() bool {
		_, rest, ok := strings.Cut(errOut.String(), `msg="origin serving" addr=`)
		addr, _, _ = strings.Cut(rest, " ")
		return ok && addr != ""
	})
	url := "http://" + addr + "/api/v1/artists"
	// the serving process (nohup and segue exec segue-origin in their
	// place) still ignores SIGHUP: the kernel drops a hangup at once
	pid := cmd.Process.Pid
	if !ignores(t, pid, syscall.SIGHUP) {
		t.Fatalf("origin serve under nohup no longer ignores SIGHUP (pid %d)", pid)
	}
	syscall.Kill(pid, syscall.SIGHUP)
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("origin serve under nohup after a hangup: %v\n%s", err, errOut.String())
	}
	resp.Body.Close()
}

// ignores reports whether process pid ignores sig (/proc's SigIgn mask).
func ignores(t *testing.T, pid int, sig syscall.Signal) bool {
	t.Helper()
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if mask, ok := strings.CutPrefix(s.Text(), "SigIgn:"); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(mask), 16, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n&(1<<(uint(sig)-1)) != 0
		}
	}
	t.Fatalf("no SigIgn in the status of process %d", pid)
	return false
}
