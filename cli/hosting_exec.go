//go:build segue_client

package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"
)

func init() {
	register(func(*app) *cobra.Command { return hostingCmd("origin", originShort) })
	register(func(*app) *cobra.Command { return hostingCmd("demo", demoShort) })
}

// hostingCmd is a hosting command of a client build: it replaces the
// process with HostingBinary given the same arguments, environment and
// standard streams, so the process ID, signals and the exit status are
// the hosting command's own. Its flags (even --help) are that binary's to
// read.
func hostingCmd(name, short string) *cobra.Command {
	return &cobra.Command{
		Use:                name,
		Short:              short,
		DisableFlagParsing: true,
		PersistentPreRunE:  func(*cobra.Command, []string) error { return nil }, // the settings are read once, by HostingBinary
		RunE: func(*cobra.Command, []string) error {
			path, err := hostingBinary()
			if err != nil {
				return fmt.Errorf("segue %s: %w", name, err)
			}
			return syscall.Exec(path, append([]string{path}, os.Args[1:]...), os.Environ())
		},
	}
}

// hostingBinary finds HostingBinary beside this executable, else in PATH.
func hostingBinary() (string, error) {
	self, err := os.Executable()
	if err == nil {
		near := filepath.Join(filepath.Dir(self), HostingBinary)
		if _, err := os.Stat(near); err == nil {
			return near, nil
		}
	}
	if path, err := exec.LookPath(HostingBinary); err == nil {
		return path, nil
	}
	return "", fmt.Errorf("it runs %s, which is neither beside %s nor in PATH: make install installs both", HostingBinary, self)
}
