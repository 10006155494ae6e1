package cli

import (
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"segue/internal/testkit"
)

// TestPlayStoppedBeforeItPlays: README says segue play stopped by Ctrl-C
// exits 130, and 141 when the reader of its standard output left. Stopped
// while it still resolved its targets (an origin slow to answer), it said
// `resolve "t…": asking the origin failed: context canceled` with exit 1,
// with --json too.
func TestPlayStoppedBeforeItPlays(t *testing.T) {
	if help := segueOK(t, "play", "--help"); !strings.Contains(help, "141 when the") { // its help listed 130 alone
		t.Errorf("segue play --help does not give exit status 141:\n%s", help)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0") // an origin that takes connections and never answers
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	accepted := make(chan net.Conn, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	for _, c := range stopCases("play") {
		t.Run(c.name, func(t *testing.T) {
			h := newCtlHost(t)
			args := []string{"--origin", "http://" + ln.Addr().String(), "play", "--output", "null", "t0123456789abcdef"}
			if c.json {
				args = append(args, "--json")
			}
			cmd := h.command(args...)
			r, errOut := startPiped(t, cmd)
			select {
			case conn := <-accepted:
				t.Cleanup(func() { conn.Close() })
			case <-time.After(30 * time.Second):
				t.Fatalf("segue play never asked the origin\n%s", errOut.String())
			}
			c.stop(t, cmd, r, errOut, "segue play stopped while resolving")
			if c.json && c.signal { // README: finished, interrupted, also when a signal ends the run
				out, _ := io.ReadAll(r)
				want := `{"event":"finished","played":0,"failed":0,"stalls":0,"stall_ms":0,"switches":0,"mean_kbps":0,"startup_ms":0,"interrupted":true}` + "\n"
				if !strings.HasPrefix(string(out), want) || !strings.Contains(string(out), `"event":"error"`) {
					t.Errorf("segue play --json stopped while resolving printed %q; want %q, then the error event", out, want)
				}
			}
		})
	}
}

// stopCase is one way to stop a command that runs until stopped: Ctrl-C
// (signal) or its stdout's reader leaving, with --json or without, and the
// exit status and stderr that follow.
type stopCase struct {
	name   string
	json   bool
	signal bool // else the reader of stdout leaves
	code   int
	says   string
}

// stopCases are the four ways to stop the command what ("play", "ctl
// watch"), which names itself so in its sentence.
func stopCases(what string) []stopCase {
	interrupted, left := "segue: "+what+": interrupted", "segue: "+what+": stopped: the reader of its standard output left"
	return []stopCase{
		{"interrupt", false, true, ExitInterrupted, interrupted},
		{"interrupt/json", true, true, ExitInterrupted, interrupted},
		{"reader-left", false, false, ExitStdoutClosed, left},
		{"reader-left/json", true, false, ExitStdoutClosed, left},
	}
}

// stop stops cmd, started by startPiped (r its stdout's read end), the
// case's way, and checks its exit status and stderr; what names the
// moment in an error.
func (c stopCase) stop(t *testing.T, cmd *exec.Cmd, r *os.File, errOut *testkit.Buffer, what string) {
	t.Helper()
	if c.signal {
		cmd.Process.Signal(syscall.SIGINT)
	} else {
		r.Close()
	}
	err := waitExit(t, cmd, errOut, "it was stopped")
	ee, ok := err.(*exec.ExitError)
	if got := strings.TrimSpace(errOut.String()); !ok || ee.ExitCode() != c.code || got != c.says {
		t.Errorf("%s: %v, stderr %q; want exit %d, %q", what, err, got, c.code, c.says)
	}
}

// startPiped starts cmd with its stdout a pipe, whose read end it
// returns (close it to leave as head -1 does), and its stderr kept; it is
// killed at the end of the test.
func startPiped(t *testing.T, cmd *exec.Cmd) (*os.File, *testkit.Buffer) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	errOut := &testkit.Buffer{}
	cmd.Stdout, cmd.Stderr = w, errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait(); r.Close() })
	return r, errOut
}

// waitExit waits for cmd, started, to exit after what happened, and
// returns how it exited; 30 s later it fails t with what cmd said.
func waitExit(t *testing.T, cmd *exec.Cmd, errOut *testkit.Buffer, after string) error {
	t.Helper()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		return err
	case <-time.After(30 * time.Second):
		t.Fatalf("segue still runs 30 s after %s\n%s", after, errOut.String())
	}
	return nil
}
