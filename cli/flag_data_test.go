//go:build !segue_client

package cli

import (
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/adrg/xdg"
	"github.com/spf13/cobra"
)

// TestDataFlagNamesItsDefault: every origin command's --data help names the
// folder it uses when neither SEGUE_DATA nor config.toml gives one; it said
// only "default from config", leaving a new user to guess where ingest wrote.
func TestDataFlagNamesItsDefault(t *testing.T) {
	want := filepath.Join(xdg.DataHome, "segue", "origin")
	seen := 0
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if f := c.Flags().Lookup("data"); f != nil {
			seen++
			if !strings.Contains(f.Usage, want) || !strings.Contains(f.Usage, "SEGUE_DATA") {
				t.Errorf("%s --data: usage %q does not name SEGUE_DATA and the default %s", c.CommandPath(), f.Usage, want)
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk((&app{stdout: io.Discard, stderr: io.Discard}).rootCmd())
	if seen < 4 {
		t.Errorf("found --data on %d commands; want at least ingest, serve, remove and the token/user/events ones", seen)
	}
}

// TestEventsImportUsageNamesStdin: origin events import reads standard
// input for "-", as the README's `FILE.jsonl|-` says; its usage line said
// only FILE.jsonl.
func TestEventsImportUsageNamesStdin(t *testing.T) {
	c, _, err := (&app{stdout: io.Discard, stderr: io.Discard}).rootCmd().Find([]string{"origin", "events", "import"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.UseLine(), "FILE.jsonl|-") {
		t.Errorf("usage %q does not say - reads standard input", c.UseLine())
	}
}
