package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// TestVersionBinary builds segue as a user may, with -buildvcs=false, and
// runs segue --version, -v and segue version (under a config.toml that
// does not parse: the version needs no settings): each prints the module
// version, says that no commit was recorded and why, rather than nothing,
// and names the Go and the build tags; exit 0, nothing on stderr.
func TestVersionBinary(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "segue")
	if out, err := exec.Command("go", "build", "-tags", "sqlite_fts5", "-buildvcs=false", "-o", bin, "segue").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cfg := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(cfg, []byte("this is not toml ["), 0o644); err != nil {
		t.Fatal(err)
	}
	want := "segue (devel)\n" +
		"no commit recorded (built with -buildvcs=false, by go run, or not in a git clone: a git worktree counts as none)\n" +
		"built with " + runtime.Version() + " for " + runtime.GOOS + "/" + runtime.GOARCH + ", -tags sqlite_fts5\n"
	for _, args := range [][]string{{"--version"}, {"-v"}, {"version"}, {"--config", cfg, "version"}, {"--config", cfg, "--version"}} {
		cmd := exec.Command(bin, args...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil || string(out) != want || stderr.Len() > 0 {
			t.Errorf("segue %s: %v, stdout %q, stderr %q; want exit 0 and stdout %q", strings.Join(args, " "), err, out, stderr.String(), want)
		}
	}
}

// TestVersionOf: the commit, its time and whether the tree had
// uncommitted changes, as the toolchain records them with -buildvcs.
func TestVersionOf(t *testing.T) {
	info := func(version string, settings ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "segue", Version: version}}
		for i := 0; i < len(settings); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return bi
	}
	platform := " for " + runtime.GOOS + "/" + runtime.GOARCH
	for _, c := range []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{"dirty", info("v0.0.0-20261205061700-131eaac1f2e4+dirty", "-tags", "sqlite_fts5,segue_client", "vcs", "git",
			"vcs.revision", "131eaac1f2e4d5c6b7a8091a2b3c4d5e6f708192", "vcs.time", "2026-12-05T06:17:00Z", "vcs.modified", "true"),
			"segue v0.0.0-20261205061700-131eaac1f2e4+dirty\ncommit 131eaac1f2e4d5c6b7a8091a2b3c4d5e6f708192, 2026-12-05T06:17:00Z, with uncommitted changes\n" +
				"built with go1.26.8" + platform + ", -tags sqlite_fts5,segue_client\n"},
		{"clean", info("v1.2.0", "vcs.revision", "131eaac1f2e4d5c6b7a8091a2b3c4d5e6f708192", "vcs.time", "2026-12-05T06:17:00Z", "vcs.modified", "false"),
			"segue v1.2.0\ncommit 131eaac1f2e4d5c6b7a8091a2b3c4d5e6f708192, 2026-12-05T06:17:00Z\nbuilt with go1.26.8" + platform + "\n"},
		{"no vcs", info("(devel)", "-tags", "sqlite_fts5"),
			"segue (devel)\nno commit recorded (built with -buildvcs=false, by go run, or not in a git clone: a git worktree counts as none)\n" +
				"built with go1.26.8" + platform + ", -tags sqlite_fts5\n"},
	} {
		if got := versionOf(c.info); got != c.want {
			t.Errorf("%s: versionOf = %q, want %q", c.name, got, c.want)
		}
	}
}
