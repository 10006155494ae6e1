package cli

import (
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	"segue/config"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestREADMECommandsExist: every command the README's Commands table names
// exists, and every --flag its row shows is a flag of that command or of
// one of its subcommands, so a newcomer who copies a row is not told
// "unknown command" or "unknown flag".
func TestREADMECommandsExist(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	root := (&app{}).rootCmd()
	rows := regexp.MustCompile("(?m)^\\| (`segue[^|]*(?:\\\\\\|[^|]*)*)\\|").FindAllSubmatch(readme, -1)
	if len(rows) < 15 {
		t.Fatalf("found %d command rows in the README; the pattern is out of date", len(rows))
	}
	flagRE := regexp.MustCompile(`--[a-z][a-z0-9-]*`)
	for _, m := range rows {
		cell := string(m[1])
		first := strings.Trim(strings.SplitN(cell, "`", 3)[1], " ")
		var path []string
		for _, w := range strings.Fields(first)[1:] {
			if !regexp.MustCompile(`^[a-z][a-z-]*$`).MatchString(w) {
				break
			}
			path = append(path, w)
		}
		cmd, rest, err := root.Find(path)
		if err != nil || len(rest) > 0 {
			t.Errorf("README row %q: no command segue %s", first, strings.Join(path, " "))
			continue
		}
		for _, f := range flagRE.FindAllString(cell, -1) {
			if !hasFlag(cmd, strings.TrimPrefix(f, "--")) {
				t.Errorf("README row %q: segue %s has no flag %s", first, strings.Join(path, " "), f)
			}
		}
	}
}

// hasFlag reports whether name is a flag of c (its own or inherited) or of
// any command under it.
func hasFlag(c *cobra.Command, name string) bool {
	found := false
	for _, fs := range []*pflag.FlagSet{c.Flags(), c.InheritedFlags(), c.PersistentFlags()} {
		found = found || fs.Lookup(name) != nil
	}
	for _, sub := range c.Commands() {
		found = found || hasFlag(sub, name)
	}
	return found
}

// TestREADMEListsTheEnvironment: the README names each variable segue reads
// and no SEGUE_ name it does not read.
func TestREADMEListsTheEnvironment(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range config.EnvSettings {
		if !strings.Contains(string(readme), "`"+name+"`") {
			t.Errorf("the README does not name %s", name)
		}
	}
	for _, name := range regexp.MustCompile(`SEGUE_[A-Z0-9_]+`).FindAllString(string(readme), -1) {
		if w := config.EnvWarnings([]string{name + "=x"}); len(w) > 0 {
			t.Errorf("the README names %s: %s", name, w[0])
		}
	}
}

// TestPlayJSONHelpNamesEveryEvent: segue play --help's --json names every
// event the README says segue play --json prints; it left out radio-ended,
// the line a script playing --radio reads to learn why the queue ended.
func TestPlayJSONHelpNamesEveryEvent(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const start = "`segue play --json` prints one event per line:"
	text := string(readme)
	i := strings.Index(text, start)
	if i < 0 {
		t.Fatalf("the README has no %q", start)
	}
	text = text[i+len(start):]
	text = text[:strings.Index(text, "\n\n")]
	var top strings.Builder // the paragraph without its parentheses: the events
	depth := 0
	for _, r := range text {
		switch {
		case r == '(':
			depth++
		case r == ')':
			depth--
		case depth == 0:
			top.WriteRune(r)
		}
	}
	var events []string
	for _, m := range regexp.MustCompile("`([a-z-]+)`").FindAllStringSubmatch(top.String(), -1) {
		if !strings.HasPrefix(m[1], "-") {
			events = append(events, m[1])
		}
	}
	if len(events) < 10 {
		t.Fatalf("found %d events in the README (%v): the paragraph changed", len(events), events)
	}
	var stdout strings.Builder
	if code := run([]string{"play", "--help"}, &stdout, io.Discard); code != 0 {
		t.Fatalf("segue play --help: exit %d", code)
	}
	var usage string
	for _, line := range strings.Split(stdout.String(), "\n") {
		if strings.Contains(line, "--json") {
			usage = line
		}
	}
	for _, e := range events {
		if !regexp.MustCompile(`[ (]` + regexp.QuoteMeta(e) + `[,;) ]`).MatchString(usage) {
			t.Errorf("segue play --help's --json does not name the event %q: %s", e, strings.TrimSpace(usage))
		}
	}
}
