package cli

import (
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestFlagValueNamesAreOneWord: --help names a flag's value after the first
// `quoted` word of its usage, so a usage quoting a command ("what `playlist
// show` listed") made the help read "--track playlist show" for a flag that
// takes a track ID. Every flag's value name is one word (TRACK_ID, string),
// and no help shows a zero size as the default where the zero stands for
// another ("--upload-rate ... (default 0 B)").
func TestFlagValueNamesAreOneWord(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		check := func(f *pflag.Flag) {
			if name, _ := pflag.UnquoteUsage(f); strings.ContainsAny(name, " \t") {
				t.Errorf("%s --%s: --help shows its value as %q; quote one word (such as TRACK_ID) in its usage, or none", c.CommandPath(), f.Name, name)
			}
			// A size flag whose zero stands for another default said
			// "(default 0 B)" after the usage that names the real one.
			if f.DefValue == "0 B" {
				t.Errorf("%s --%s: --help says \"(default 0 B)\"; name the default the zero stands for in the usage, and show none", c.CommandPath(), f.Name)
			}
		}
		c.LocalFlags().VisitAll(check)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk((&app{stdout: io.Discard, stderr: io.Discard}).rootCmd())
}
