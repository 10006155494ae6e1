package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestNegativeNumberArguments: a position below 1 given as -1 (ctl queue
// remove -1, playlist remove ID -1, playlist move ID 1 -2) says what
// position 0 says, and a word that begins with - to a command that takes
// words (search -5) says how to give it; both exit 2 with and without
// --json. They said "unknown shorthand flag: '1' in -1", as if a flag
// named 1 were the mistake.
func TestNegativeNumberArguments(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9") // nothing is asked of an origin or an instance
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"ctl", "queue", "remove", "-1"}, `position "-1": want a whole number from 1 (the first track; see segue ctl queue list)`},
		{[]string{"ctl", "queue", "move", "1", "-3"}, `position "-3": want a whole number from 1 (the first track; see segue ctl queue list)`},
		{[]string{"playlist", "remove", "pl0123456789abcdef", "-1"}, `position "-1": want a whole number from 1 (the first track; see segue playlist show ID)`},
		{[]string{"playlist", "move", "pl0123456789abcdef", "-12", "1"}, `position "-12": want a whole number from 1 (the first track; see segue playlist show ID)`},
		{[]string{"search", "-5", "degrees"}, `-5 is no flag of segue search: to give it as an argument, put -- before it (segue search -- -5)`},
	} {
		for _, asJSON := range []bool{false, true} {
			args := append(append([]string{}, env...), c.args...)
			if asJSON {
				args = append(args, "--json")
			}
			out, errOut, code := segue(t, args...)
			if code != ExitUsage || strings.TrimSpace(errOut) != "segue: "+c.says {
				t.Errorf("segue %s: exit %d, %q; want exit %d, %q", strings.Join(c.args, " "), code, errOut, ExitUsage, c.says)
			}
			var e struct{ Error string }
			if asJSON && (json.Unmarshal([]byte(out), &e) != nil || e.Error != c.says) {
				t.Errorf("segue %s --json printed %q; want {\"error\": %q}", strings.Join(c.args, " "), out, c.says)
			}
		}
	}
}

// TestCtlBadInstanceName: segue ctl --instance with a name no instance can
// have says it of --instance, as segue play and the interface do (exit 2,
// with and without --json); it said "bad control command: instance name
// ...", as if the command were wrong.
func TestCtlBadInstanceName(t *testing.T) {
	const says = `--instance: instance name "a/b": use up to 64 letters, digits, '-', '_' or '.'`
	for _, args := range [][]string{{"ctl", "status"}, {"ctl", "toggle"}, {"ctl", "watch"}, {"ctl", "queue", "list"}, {"play", "t0123456789abcdef"}} {
		for _, asJSON := range []bool{false, true} {
			args := append(append([]string{}, args...), "--instance", "a/b")
			if asJSON {
				args = append(args, "--json")
			}
			if _, errOut, code := segue(t, args...); code != ExitUsage || strings.TrimSpace(errOut) != "segue: "+says {
				t.Errorf("segue %s: exit %d, %q; want exit %d, %q", strings.Join(args, " "), code, errOut, ExitUsage, says)
			}
		}
	}
}
