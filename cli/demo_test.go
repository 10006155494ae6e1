package cli

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Issue 11, acceptance 7: `make demo` in a terminal reaches the first
// screen: it checks the demo's Debian packages (installed here), builds
// segue, makes the demo library, ingests it, starts an origin and opens the
// interface, whose Library lists the demo's artists. The XDG dirs, the
// binary and the origin's port are the test's own.
func TestMakeDemoReachesFirstScreen(t *testing.T) {
	needTools(t, "tmux", "make", "ffmpeg")
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	// The Go build cache lives under XDG_CACHE_HOME unless named: keep it.
	gocache, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	s := &tmuxSession{t: t, socket: fmt.Sprintf("segue-demo-%d-%d", os.Getpid(), time.Now().UnixNano()), dir: dir}
	script := fmt.Sprintf(`cd %[2]s && env TERM=xterm-256color GOCACHE=%[4]s XDG_CONFIG_HOME=%[1]s/config XDG_CACHE_HOME=%[1]s/cache XDG_STATE_HOME=%[1]s/state XDG_DATA_HOME=%[1]s/data SEGUE_OUTPUT=null make demo BIN=%[1]s/segue DEMO_ADDR=%[3]s; echo $? > %[1]s/exit`,
		dir, root, addr, strings.TrimSpace(string(gocache)))
	s.tmux("new-session", "-d", "-s", "t", "-x", "120", "-y", "32", script)
	s.tmux("set-option", "-t", "t", "remain-on-exit", "on")
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", s.socket, "kill-server").Run() })

	// Building, synthesizing and ingesting take a minute or more on a busy machine.
	s.waitScreenFor(15*time.Minute, "the interface", func(scr string) bool {
		return strings.Contains(scr, "nothing playing") || fileSize(filepath.Join(dir, "exit")) > 0
	})
	if code, _ := os.ReadFile(filepath.Join(dir, "exit")); len(code) > 0 {
		t.Fatalf("make demo exited %s before the interface:\n%s", code, s.capture())
	}
	s.keys("Tab")
	s.waitText("Aurora Static")
	// The demo's origin answers Subsonic apps as origin serve's does (its
	// /rest/ was a 404).
	var ext struct {
		R struct{ Status string } `json:"subsonic-response"`
	}
	getJSON(t, "http://"+addr+"/rest/getOpenSubsonicExtensions.view?f=json&v=1.16.1&c=demo-test", &ext)
	if ext.R.Status != "ok" {
		t.Errorf("the demo origin's getOpenSubsonicExtensions (public): status %q, want ok", ext.R.Status)
	}
	s.keys("q")
	s.waitScreen("make demo to end", func(string) bool { return fileSize(filepath.Join(dir, "exit")) > 0 })
	if code, _ := os.ReadFile(filepath.Join(dir, "exit")); strings.TrimSpace(string(code)) != "0" {
		t.Fatalf("make demo exited %s after q:\n%s", code, s.capture())
	}
	// The origin's access log is its own file; the client's log has none of it.
	originLog, _ := os.ReadFile(filepath.Join(dir, "state", "segue", "demo-origin.log"))
	if !strings.Contains(string(originLog), `"msg":"request"`) || !strings.Contains(string(originLog), "/api/v1/artists") {
		t.Errorf("demo-origin.log has no access log of the artists the interface listed:\n%s", originLog)
	}
	clientLog, _ := os.ReadFile(filepath.Join(dir, "state", "segue", "segue.log"))
	if strings.Contains(string(clientLog), `"msg":"request"`) {
		t.Errorf("the origin's access log went into segue.log:\n%s", clientLog)
	}
}

// A demo origin off loopback is refused at once (2): it served, demanding
// the bearer tokens its interface and suggested commands had none of.
func TestDemoServesLoopbackOnly(t *testing.T) {
	h := newSwarmHost(t, segueBinary(t)) // its own XDG dirs: a demo that starts makes its library there
	for _, addr := range []string{"0.0.0.0:0", ":0"} {
		cmd := h.command("demo", "--no-tui", "--addr", addr)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var err error
		select {
		case err = <-done:
		case <-time.After(5 * time.Minute): // a demo that serves runs until killed
			cmd.Process.Kill()
			err = <-done
		}
		code := -1
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		if code != ExitUsage || !strings.Contains(errOut.String(), "the demo origin serves loopback only") || out.Len() != 0 {
			t.Errorf("demo --addr %s: exit %d, stdout %q, stderr %q; want %d, nothing done, saying it serves loopback only", addr, code, out.String(), errOut.String(), ExitUsage)
		}
	}
}

// Without a terminal, segue demo says so at once and starts nothing (no
// library is made: that is the first thing it reports).
func TestDemoNeedsATerminal(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9")
	out, errOut, code := segue(t, append(env, "demo", "--addr", "127.0.0.1:0")...)
	if code != ExitUsage || !strings.Contains(errOut, "--no-tui") || out != "" {
		t.Fatalf("demo without a terminal: exit %d, stdout %q, stderr %q; want %d, nothing done and a hint at --no-tui", code, out, errOut, ExitUsage)
	}
}

// Without a terminal, plain segue says so with the demo's exit status, 2
// (it was 1, as if something had failed), and starts nothing.
func TestInterfaceNeedsATerminal(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9")
	out, errOut, code := segue(t, env...)
	if code != ExitUsage || !strings.Contains(errOut, "the interface needs a terminal") || !strings.Contains(errOut, "segue play") || out != "" {
		t.Fatalf("segue without a terminal: exit %d, stdout %q, stderr %q; want %d and a hint at the script commands", code, out, errOut, ExitUsage)
	}
}
