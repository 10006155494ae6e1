package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

func init() { register(versionCmd) }

func versionCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print segue's version, the commit it was built from and the Go that built it",
		Long: `version prints what a bug report wants to know of this segue: its module
version, the git commit it was built from (and whether the tree had
uncommitted changes), the Go release and platform it was built with, and its
build tags. segue --version prints the same.

--json prints them as one object: {"version", "commit", "commit_time",
"modified", "go", "os", "arch", "tags"}; commit, commit_time and modified
are absent when no commit was recorded, and tags is [] when there were none.`,
		Args: cobra.NoArgs,
		// the version needs no settings: a broken config.toml must not
		// hide it
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
		RunE: func(*cobra.Command, []string) error {
			facts := buildFactsOf(buildInfo())
			if asJSON {
				return a.printJSON(facts)
			}
			_, err := fmt.Fprint(a.stdout, facts.text())
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// buildFacts is what the Go toolchain recorded of this segue, and
// segue version --json's object.
type buildFacts struct {
	Version    string   `json:"version"`               // the module's: "(devel)" for a build from a checkout
	Commit     string   `json:"commit,omitempty"`      // vcs.revision; absent: none recorded
	CommitTime string   `json:"commit_time,omitempty"` // vcs.time, RFC 3339
	Modified   *bool    `json:"modified,omitempty"`    // the tree had uncommitted changes; absent with no commit
	Go         string   `json:"go"`                    // the Go release that built it: "go1.26.8"
	OS         string   `json:"os"`
	Arch       string   `json:"arch"`
	Tags       []string `json:"tags"` // the build tags, [] for none
}

// version says which segue this is, from what the Go toolchain recorded
// in the binary (runtime/debug.ReadBuildInfo), as lines ending in "\n":
//
//	segue (devel)
//	commit 131eaac1f2e4..., 2026-12-05T06:17:00Z, with uncommitted changes
//	built with go1.26.8 for linux/amd64, -tags sqlite_fts5
//
// The toolchain records the commit only when it builds in a git checkout
// with -buildvcs on (go build's default; not go run's nor go test's): the
// second line then says so, rather than leave the reader to guess.
func version() string { return versionOf(buildInfo()) }

// buildInfo is what the toolchain recorded in this binary.
func buildInfo() *debug.BuildInfo {
	info, ok := debug.ReadBuildInfo()
	if !ok { // not built by the go command
		info = &debug.BuildInfo{GoVersion: runtime.Version(), Main: debug.Module{Version: "(unknown version)"}}
	}
	return info
}

// versionOf is version's text for what the toolchain recorded, info.
func versionOf(info *debug.BuildInfo) string { return buildFactsOf(info).text() }

// buildFactsOf reads info's settings.
func buildFactsOf(info *debug.BuildInfo) buildFacts {
	setting := map[string]string{}
	for _, s := range info.Settings {
		setting[s.Key] = s.Value
	}
	f := buildFacts{Version: info.Main.Version, Go: info.GoVersion, OS: runtime.GOOS, Arch: runtime.GOARCH, Tags: []string{}}
	if rev := setting["vcs.revision"]; rev != "" {
		modified := setting["vcs.modified"] == "true"
		f.Commit, f.CommitTime, f.Modified = rev, setting["vcs.time"], &modified
	}
	if tags := setting["-tags"]; tags != "" {
		f.Tags = strings.Split(tags, ",")
	}
	return f
}

// text is version's lines.
func (f buildFacts) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "segue %s\n", f.Version)
	if f.Commit != "" {
		b.WriteString("commit " + f.Commit)
		if f.CommitTime != "" {
			b.WriteString(", " + f.CommitTime)
		}
		if f.Modified != nil && *f.Modified {
			b.WriteString(", with uncommitted changes")
		}
		b.WriteString("\n")
	} else {
		// Go looks for a .git folder: a worktree's or submodule's .git
		// file is none to it
		b.WriteString("no commit recorded (built with -buildvcs=false, by go run, or not in a git clone: a git worktree counts as none)\n")
	}
	fmt.Fprintf(&b, "built with %s for %s/%s", f.Go, f.OS, f.Arch)
	if len(f.Tags) > 0 {
		b.WriteString(", -tags " + strings.Join(f.Tags, ","))
	}
	b.WriteString("\n")
	return b.String()
}
