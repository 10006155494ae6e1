package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
)

// TestVersionBinary builds segue as a user may, with -buildvcs=false, and
// runs segue --version, -v and segue version (under a config.toml that
// does not parse: the version needs no settings): each prints the module
// version, says that no commit was recorded and why, rather than nothing,
// and names the Go and the build tags; exit 0, nothing on stderr. segue
// version --json (--json before the command too) prints them as one
// object, with no commit fields; it was an unknown flag, exit 2.
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
	wantJSON := `{
  "version": "(devel)",
  "go": "` + runtime.Version() + `",
  "os": "` + runtime.GOOS + `",
  "arch": "` + runtime.GOARCH + `",
  "tags": [
    "sqlite_fts5"
  ]
}
`
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--version"}, want}, {[]string{"-v"}, want}, {[]string{"version"}, want},
		{[]string{"--config", cfg, "version"}, want}, {[]string{"--config", cfg, "--version"}, want},
		{[]string{"version", "--json"}, wantJSON}, {[]string{"--json", "version"}, wantJSON}, {[]string{"--config", cfg, "version", "--json"}, wantJSON},
	} {
		cmd := exec.Command(bin, c.args...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil || string(out) != c.want || stderr.Len() > 0 {
			t.Errorf("segue %s: %v, stdout %q, stderr %q; want exit 0 and stdout %q", strings.Join(c.args, " "), err, out, stderr.String(), c.want)
		}
	}
}

// recorded is the build info of a segue of version built by go1.26.8 with
// settings, key and value in turn.
func recorded(version string, settings ...string) *debug.BuildInfo {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "segue", Version: version}}
	for i := 0; i < len(settings); i += 2 {
		bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
	}
	return bi
}

// TestVersionOf: the commit, its time and whether the tree had
// uncommitted changes, as the toolchain records them with -buildvcs, in
// version's text and in version --json's object (the commit's fields only
// when a commit was recorded, modified false for a clean tree, the tags
// as a list, [] for none).
func TestVersionOf(t *testing.T) {
	platform := " for " + runtime.GOOS + "/" + runtime.GOARCH
	platformJSON := `"os":"` + runtime.GOOS + `","arch":"` + runtime.GOARCH + `"`
	for _, c := range []struct {
		name       string
		info       *debug.BuildInfo
		want, json string
	}{
		{"dirty", recorded("v0.0.0-20261205061700-131eaac1f2e4+dirty", "-tags", "sqlite_fts5,segue_client", "vcs", "git",
			"vcs.revision", "131eaac1f2e4d5c6b7a8091a2b3c4d5e6f708192", "vcs.time", "2026-12-05T06:17:00Z", "vcs.modified", "true"),
			"segue v0.0.0-20261205061700-131eaac1f2e4+dirty\ncommit 131eaac1f2e4d5c6b7a8091a2b3c4d5e6f708192, 2026-12-05T06:17:00Z, with uncommitted changes\n" +
				"built with go1.26.8" + platform + ", -tags sqlite_fts5,segue_client\n",
			`{"version":"v0.0.0-20261205061700-131eaac1f2e4+dirty","commit":"131eaac1f2e4d5c6b7a8091a2b3c4d5e6f708192",` +
				`"commit_time":"2026-12-05T06:17:00Z","modified":true,"go":"go1.26.8",` + platformJSON + `,"tags":["sqlite_fts5","segue_client"]}`},
		{"clean", recorded("v1.2.0", "vcs.revision", "131eaac1f2e4d5c6b7a8091a2b3c4d5e6f708192", "vcs.time", "2026-12-05T06:17:00Z", "vcs.modified", "false"),
			"segue v1.2.0\ncommit 131eaac1f2e4d5c6b7a8091a2b3c4d5e6f708192, 2026-12-05T06:17:00Z\nbuilt with go1.26.8" + platform + "\n",
			`{"version":"v1.2.0","commit":"131eaac1f2e4d5c6b7a8091a2b3c4d5e6f708192","commit_time":"2026-12-05T06:17:00Z",` +
				`"modified":false,"go":"go1.26.8",` + platformJSON + `,"tags":[]}`},
		{"no vcs", recorded("(devel)", "-tags", "sqlite_fts5"),
			"segue (devel)\nno commit recorded (built with -buildvcs=false, by go run, or not in a git clone: a git worktree counts as none)\n" +
				"built with go1.26.8" + platform + ", -tags sqlite_fts5\n",
			`{"version":"(devel)","go":"go1.26.8",` + platformJSON + `,"tags":["sqlite_fts5"]}`},
	} {
		if got := versionOf(c.info); got != c.want {
			t.Errorf("%s: versionOf = %q, want %q", c.name, got, c.want)
		}
		if got, err := json.Marshal(buildFactsOf(c.info)); err != nil || string(got) != c.json {
			t.Errorf("%s: version --json = %s, %v; want %s", c.name, got, err, c.json)
		}
	}
}

// TestMakeBuildRecordsCommit: the Makefile's build lines (make build, and
// make install, which builds through it) pass -buildvcs=auto, so that
// under GOFLAGS=-buildvcs=false (an environment may set it) a git clone's
// commit is still recorded for segue version, while a tree with no .git (a
// release tarball) still builds. They are run as make prints them, on a
// small module of their own: one in a git repository, one not. Under
// such a GOFLAGS make build's binaries said "no commit recorded".
func TestMakeBuildRecordsCommit(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "bin", "segue")
	out, err := exec.Command("make", "-n", "-C", "..", "build", "install", "GO=go", "BIN="+bin, "DESTDIR="+t.TempDir()).CombinedOutput()
	if err != nil {
		t.Fatalf("make -n build install: %v\n%s", err, out)
	}
	var builds []string
	for line := range strings.Lines(string(out)) {
		if line = strings.TrimSpace(line); strings.HasPrefix(line, "go build ") {
			builds = append(builds, line)
		}
	}
	if len(builds) != 2 {
		t.Fatalf("make -n build install printed %d go build lines, want the client's and the host's:\n%s", len(builds), out)
	}
	module := func(t *testing.T) string {
		dir := t.TempDir()
		for name, text := range map[string]string{
			"go.mod": "module vcscheck\n\ngo 1.22\n",
			"main.go": "package main\n\nimport (\n\t\"fmt\"\n\t\"runtime/debug\"\n)\n\n" +
				"func main() {\n\tinfo, _ := debug.ReadBuildInfo()\n\tfor _, s := range info.Settings {\n" +
				"\t\tif s.Key == \"vcs.revision\" {\n\t\t\tfmt.Print(s.Value)\n\t\t}\n\t}\n}\n",
		} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	// builtRevision runs the build lines in dir under GOFLAGS=-buildvcs=false
	// and returns the commit each binary recorded.
	builtRevision := func(t *testing.T, dir string) []string {
		var revs []string
		for _, line := range builds {
			cmd := exec.Command("sh", "-c", line)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GOFLAGS=-buildvcs=false")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s in %s: %v\n%s", line, dir, err, out)
			}
			words := strings.Fields(line)
			out := words[slices.Index(words, "-o")+1]
			rev, err := exec.Command(out).Output()
			if err != nil {
				t.Fatalf("%s built by %s: %v", out, line, err)
			}
			revs = append(revs, string(rev))
		}
		return revs
	}
	git := module(t)
	for _, args := range [][]string{{"init", "-q"}, {"add", "."}, {"-c", "user.name=segue", "-c", "user.email=segue@test", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "vcscheck"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = git
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	cmd := exec.Command("git", "rev-parse", "HEAD")
	cmd.Dir = git
	head, err := cmd.Output()
	if err != nil {
		t.Fatalf("git rev-parse HEAD: %v", err)
	}
	for i, rev := range builtRevision(t, git) {
		if rev != strings.TrimSpace(string(head)) {
			t.Errorf("%s in a git repository under GOFLAGS=-buildvcs=false: recorded commit %q, want %s", builds[i], rev, head)
		}
	}
	for i, rev := range builtRevision(t, module(t)) {
		if rev != "" {
			t.Errorf("%s with no .git: recorded commit %q, want none", builds[i], rev)
		}
	}
}
