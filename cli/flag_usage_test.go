package cli

import (
	"io"
	"os"
	"path/filepath"
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

// TestFlagValuesAreNamed: every flag that takes a value names it in the
// help as the README does, in capitals (--cache-size SIZE, --addr
// HOST:PORT, --catalog URL), with a `quoted` word in its usage; without
// one pflag showed its Go type ("--cache-size size", "--addr string",
// "--timeout duration"), which says nothing of what to give. The whole
// tree is walked, each command's own flags and those it hands down.
// Hidden flags are left alone: no help shows them.
func TestFlagValuesAreNamed(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		check := func(f *pflag.Flag) {
			name, _ := pflag.UnquoteUsage(f)
			if f.Hidden || name == "" { // a bool flag takes no value
				return
			}
			if name != strings.ToUpper(name) {
				t.Errorf("%s --%s: --help shows its value as %q; name it in capitals, a `quoted` word of its usage such as `SIZE` or `HOST:PORT`, not by its Go type (%s)", c.CommandPath(), f.Name, name, f.Value.Type())
			}
		}
		c.LocalNonPersistentFlags().VisitAll(check)
		c.PersistentFlags().VisitAll(check)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk((&app{stdout: io.Discard, stderr: io.Discard}).rootCmd())
}

// TestCompletionDescriptionsArePlain: a shell completion shows a flag's
// usage as its description, without the backquotes that name its value
// in --help ("volume `N`, 0-100").
func TestCompletionDescriptionsArePlain(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(cfg, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ args, want []string }{
		{[]string{"play", "--vo"}, []string{"--volume\tvolume N, 0-100\n"}},
		{[]string{"--cache-s"}, []string{"--cache-size\tthe cache's cap, a SIZE such as 500MB or 10GiB (env SEGUE_CACHE_SIZE)\n"}},
		{[]string{"playlist", "move", "--tr"}, []string{"--track\trefuse unless the position holds this TRACK_ID"}},
	} {
		out, errOut, code := segue(t, append([]string{"__complete", "--config", cfg}, c.args...)...) // as a shell asks
		for _, want := range c.want {
			if code != ExitOK || !strings.Contains(out, want) || strings.Contains(out, "`") {
				t.Errorf("segue __complete %s: exit %d, stdout %q, stderr %q; want %q, no backquote", strings.Join(c.args, " "), code, out, errOut, want)
			}
		}
	}
}
