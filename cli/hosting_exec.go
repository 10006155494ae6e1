//go:build segue_client

package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

func init() {
	register(func(*app) *cobra.Command { return hostingCmd("origin", originShort) })
	register(func(*app) *cobra.Command { return hostingCmd("demo", demoShort) })
	hostingRoute = routeToHosting
}

// hostingCmd is a hosting command of a client build: it replaces the
// process with HostingBinary given the same arguments, environment and
// standard streams, so the process ID, signals and the exit status are
// the hosting command's own. Its flags (even --help) are that binary's to
// read; --json is declared only so that when HostingBinary cannot be run,
// the error is {"error": ...} on stdout as every command's is.
func hostingCmd(name, short string) *cobra.Command {
	cmd := &cobra.Command{
		Use:                name,
		Short:              short,
		DisableFlagParsing: true,
		PersistentPreRunE:  func(*cobra.Command, []string) error { return nil }, // the settings are read once, by HostingBinary
		RunE: func(*cobra.Command, []string) error {
			return execHosting("segue "+name, os.Args[1:])
		},
	}
	cmd.Flags().Bool("json", false, "")
	cmd.Flags().MarkHidden("json")
	return cmd
}

// routeToHosting runs HostingBinary for what a client build cannot answer
// itself about a hosting command: help on it (segue help origin serve) and
// shell completion of its words (segue __complete origin serve --a). It
// returns false, leaving args to the client, for anything else, and for a
// completion when HostingBinary is missing (no candidates rather than an
// error in the middle of the user's typing).
func routeToHosting(root *cobra.Command, args []string) (bool, error) {
	words := commandWords(root, args)
	if len(words) < 2 || words[1] != "origin" && words[1] != "demo" {
		return false, nil
	}
	switch words[0] {
	case "help":
		return true, execHosting("segue help "+words[1], args)
	case cobra.ShellCompRequestCmd, cobra.ShellCompNoDescRequestCmd:
		if _, err := hostingBinary(); err != nil {
			return false, nil
		}
		return true, execHosting("segue "+words[1], args)
	}
	return false, nil
}

// commandWords returns the words of args that are not flags nor the
// values of the root's flags, up to "--".
func commandWords(root *cobra.Command, args []string) []string {
	var words []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--":
			return words
		case strings.HasPrefix(arg, "-") && len(arg) > 1:
			name := strings.TrimLeft(arg, "-")
			if strings.Contains(name, "=") {
				continue
			}
			f := root.PersistentFlags().Lookup(name)
			if f == nil && len(name) == 1 {
				f = root.PersistentFlags().ShorthandLookup(name)
			}
			if f != nil && f.NoOptDefVal == "" {
				i++ // its value
			}
		default:
			words = append(words, arg)
		}
	}
	return words
}

// execHosting replaces this process with HostingBinary run with args; what
// names the command, for the error when it cannot.
func execHosting(what string, args []string) error {
	path, err := hostingBinary()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	err = syscall.Exec(path, append([]string{path}, args...), os.Environ())
	return fmt.Errorf("%s: it runs %s, which failed to start: %w (install segue and %s again with make install)", what, path, err, HostingBinary)
}

// hostingBinary finds HostingBinary beside this executable, else in PATH:
// a file that could be run, as exec.LookPath takes it (a folder of that
// name, or a file without execute permission, is passed over). A client
// build run as HostingBinary (a copy of segue, or a link to it, installed
// under that name) is refused: it would run itself again without end.
func hostingBinary() (string, error) {
	self, err := os.Executable()
	if filepath.Base(os.Args[0]) == HostingBinary {
		return "", fmt.Errorf("%s is the client build, segue, under that name (a copy or a link), which has no origin in it: make install installs the real %[2]s beside segue", os.Args[0], HostingBinary)
	}
	if err == nil {
		near := filepath.Join(filepath.Dir(self), HostingBinary)
		if runnable(near) {
			return near, nil
		}
	}
	if path, err := exec.LookPath(HostingBinary); err == nil {
		return path, nil
	}
	return "", fmt.Errorf("it runs %s, which is neither beside %s nor in PATH: make install installs both", HostingBinary, self)
}

// runnable reports whether path is a file with execute permission.
func runnable(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o111 != 0
}
