//go:build !segue_client

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"segue/internal/testkit"
)

// TestPauseTimeoutIsASetting: how long the origin's media answers wait for
// a paused client to read again (PauseTimeout, 10 min) could not be set:
// serve had no flag or config key for it, and proxy-config wrote nginx's
// send_timeout as 10m whatever the replicas did. Now serve takes
// --pause-timeout and origin_server.pause_timeout (the flag winning), says
// the value in its "origin serving" line, and proxy-config derives
// send_timeout from the same; 0, a negative, a bare number, less than a
// second or a word are refused with exit 2 saying how to write one.
func TestPauseTimeoutIsASetting(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	cfg := func(pause string) string {
		t.Helper()
		p := filepath.Join(t.TempDir(), "config.toml")
		body := "log_file = " + strconvQuote(filepath.Join(dir, "segue.log")) + "\n[origin_server]\ndata_dir = " + strconvQuote(filepath.Join(dir, "data")) + "\n"
		if pause != "" {
			body += "pause_timeout = " + strconvQuote(pause) + "\n"
		}
		must(os.WriteFile(p, []byte(body), 0o644))
		return p
	}
	run := filepath.Join(dir, "run")
	must(os.Mkdir(run, 0o755))
	proxy := []string{"origin", "proxy-config", "--listen", "127.0.0.1:8080", "--upstream", "127.0.0.1:7700", "--run-dir", run}
	for _, tc := range []struct{ config, flag, want string }{
		{"", "", "send_timeout 600s;"},
		{"", "90s", "send_timeout 90s;"},
		{"20m", "", "send_timeout 1200s;"},
		{"20m", "1h", "send_timeout 3600s;"},
		{"", "1.5s", "send_timeout 2s;"}, // nginx's times are whole seconds: rounded up
	} {
		args := append([]string{"--config", cfg(tc.config)}, proxy...)
		if tc.flag != "" {
			args = append(args, "--pause-timeout", tc.flag)
		}
		out, errOut, code := segue(t, args...)
		if code != ExitOK || !strings.Contains(out, tc.want) {
			t.Errorf("proxy-config, config %q, flag %q: exit %d (%s); want a configuration with %q", tc.config, tc.flag, code, errOut, tc.want)
		}
	}

	for _, bad := range []string{"0", "-5s", "10", "500ms", "soon"} {
		for _, cmd := range [][]string{{"origin", "serve", "--addr", "127.0.0.1:0"}, proxy} {
			_, errOut, code := segue(t, append(append([]string{"--config", cfg("")}, cmd...), "--pause-timeout", bad)...)
			if code != ExitUsage || !strings.Contains(errOut, "--pause-timeout") || !strings.Contains(errOut, "want ") {
				t.Errorf("%s --pause-timeout %s: exit %d\n%s\nwant exit %d naming --pause-timeout and what it wants", cmd[1], bad, code, errOut, ExitUsage)
			}
		}
		_, errOut, code := segue(t, "--config", cfg(bad), "origin", "serve", "--addr", "127.0.0.1:0")
		if code != ExitUsage || !strings.Contains(errOut, "pause_timeout") || !strings.Contains(errOut, "want ") {
			t.Errorf("config pause_timeout = %q: exit %d\n%s\nwant exit %d naming origin_server.pause_timeout and what it wants", bad, code, errOut, ExitUsage)
		}
	}

	// A serve started with it says the value it took.
	h := newSwarmHost(t, segueBinary(t))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--config", cfg("")}, "pause_timeout=10m0s"},
		{[]string{"--config", cfg("3m")}, "pause_timeout=3m0s"},
		{[]string{"--config", cfg("3m"), "--pause-timeout", "45s"}, "pause_timeout=45s"},
	} {
		srv, _, log := h.start(append([]string{"origin", "serve", "--addr", "127.0.0.1:0"}, tc.args...)...)
		testkit.Wait(t, time.Minute, "the origin to listen", func() bool {
			if srv.ProcessState != nil || strings.Contains(log.String(), "segue: ") && !strings.Contains(log.String(), "holds no music") {
				t.Fatalf("serve %q: %s", tc.args[2:], log.String())
			}
			return servingRE.MatchString(log.String())
		})
		line, _, _ := strings.Cut(log.String()[strings.Index(log.String(), "origin serving"):], "\n")
		if !strings.Contains(line, tc.want) {
			t.Errorf("serve %q logged %q; want %s", tc.args[2:], line, tc.want)
		}
		srv.Process.Kill()
		srv.Wait()
	}
}
