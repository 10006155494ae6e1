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
	return &cobra.Command{
		Use:   "version",
		Short: "Print segue's version, the commit it was built from and the Go that built it",
		Long: `version prints what a bug report wants to know of this segue: its module
version, the git commit it was built from (and whether the tree had
uncommitted changes), the Go release and platform it was built with, and its
build tags. segue --version prints the same.`,
		Args: cobra.NoArgs,
		// the version needs no settings: a broken config.toml must not
		// hide it
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprint(a.stdout, version())
			return err
		},
	}
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
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok { // not built by the go command
		info = &debug.BuildInfo{GoVersion: runtime.Version(), Main: debug.Module{Version: "(unknown version)"}}
	}
	return versionOf(info)
}

// versionOf is version's text for what the toolchain recorded, info.
func versionOf(info *debug.BuildInfo) string {
	setting := map[string]string{}
	for _, s := range info.Settings {
		setting[s.Key] = s.Value
	}
	var b strings.Builder
	fmt.Fprintf(&b, "segue %s\n", info.Main.Version)
	if rev := setting["vcs.revision"]; rev != "" {
		b.WriteString("commit " + rev)
		if at := setting["vcs.time"]; at != "" {
			b.WriteString(", " + at)
		}
		if setting["vcs.modified"] == "true" {
			b.WriteString(", with uncommitted changes")
		}
		b.WriteString("\n")
	} else {
		// Go looks for a .git folder: a worktree's or submodule's .git
		// file is none to it
		b.WriteString("no commit recorded (built with -buildvcs=false, by go run, or not in a git clone: a git worktree counts as none)\n")
	}
	fmt.Fprintf(&b, "built with %s for %s/%s", info.GoVersion, runtime.GOOS, runtime.GOARCH)
	if tags := setting["-tags"]; tags != "" {
		b.WriteString(", -tags " + tags)
	}
	b.WriteString("\n")
	return b.String()
}
