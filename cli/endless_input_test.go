package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A file segue reads whole that is far larger than any of its kind (a
// mistyped path naming a film, a disk image, /dev/zero) is refused, exit 2,
// saying so, after reading no more than that kind's bound: --config,
// --ca and playlist import read it all into memory, and --password-file
// its first line however long, and origin serve and proxy-config the
// --tls-cert and --tls-key files, and died of it
// ("fatal error: out of memory" and a goroutine dump, exit 2) or, given
// /dev/zero, grew until then. Each runs with its address space capped
// (ulimit -v, 4 GB), so the old code fails here rather than the machine.
func TestEndlessInputIsRefused(t *testing.T) {
	bin := segueBinary(t)
	dir := t.TempDir()
	huge := filepath.Join(dir, "film.m3u8")
	if err := os.WriteFile(huge, []byte("#EXTM3U\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, 6<<30); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	env := clientEnv(t, "http://127.0.0.1:9")
	empty := filepath.Join(dir, "empty.toml")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		says string
	}{
		{"config /dev/zero", []string{"--config", "/dev/zero", "search", "tone"}, "config /dev/zero: larger than 4 MiB"},
		{"config of 6 GiB", []string{"--config", huge, "search", "tone"}, "larger than 4 MiB"},
		{"ca /dev/zero", append(env, "--ca", "/dev/zero", "search", "tone"), "the authority file /dev/zero is larger than 16 MiB"},
		{"playlist import /dev/zero", append(env, "playlist", "import", "/dev/zero"), "playlist import: /dev/zero is larger than 64 MiB"},
		{"playlist import of 6 GiB", append(env, "playlist", "import", huge), "playlist import: " + huge + " is larger than 64 MiB"},
		{"origin serve --tls-cert /dev/zero", []string{"--config", empty, "origin", "serve", "--addr", "127.0.0.1:0", "--data", dir, "--tls-cert", "/dev/zero", "--tls-key", huge},
			"--tls-cert: /dev/zero is larger than 16 MiB"},
		{"origin proxy-config --tls-key of 6 GiB", []string{"--config", empty, "origin", "proxy-config", "--listen", "127.0.0.1:8443", "--upstream", "127.0.0.1:7700",
			"--run-dir", dir, "--tls-cert", huge, "--tls-key", "/dev/zero"}, "--tls-cert: " + huge + " is larger than 16 MiB"},
		{"password-file /dev/zero", append(env, "--origin", "subsonic+http://u@127.0.0.1:9", "--password-file", "/dev/zero", "search", "tone"),
			"--password-file: the first line of /dev/zero is longer than 64 KiB"},
	} {
		t.Run(c.name, func(t *testing.T) {
			runs := [][]string{c.args}
			if c.args[2] != "origin" { // serve and proxy-config have no --json
				runs = append(runs, append(c.args, "--json"))
			}
			for _, args := range runs {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				cmd := exec.CommandContext(ctx, "sh", append([]string{"-c", `ulimit -v 4000000; exec "$@"`, "sh", bin}, args...)...)
				cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_STATE_HOME="+dir, "XDG_CACHE_HOME="+dir, "XDG_CONFIG_HOME="+dir)
				var o, e strings.Builder
				cmd.Stdout, cmd.Stderr = &o, &e
				start := time.Now()
				err := cmd.Run()
				cancel()
				code := cmd.ProcessState.ExitCode()
				if err != nil && code < 0 {
					t.Fatalf("segue %s: %v after %v", strings.Join(args, " "), err, time.Since(start))
				}
				msg := e.String()
				if code != ExitUsage || !strings.Contains(msg, c.says) || strings.Contains(msg, "goroutine") || strings.Count(strings.TrimSpace(msg), "\n") > 0 {
					if len(msg) > 300 {
						msg = msg[:300] + "..."
					}
					t.Errorf("segue %s: exit %d after %v, %q; want exit %d, one line saying %q",
						strings.Join(args, " "), code, time.Since(start).Round(time.Millisecond), msg, ExitUsage, c.says)
				}
			}
		})
	}
}
