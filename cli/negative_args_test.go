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
		// ctl queue's position 0 says it as ctl does, and so -1 now does too
		{[]string{"ctl", "queue", "remove", "-1"}, `bad control command: queue remove "-1": want a position from 1, as queue list shows`},
		{[]string{"ctl", "queue", "move", "1", "-3"}, `bad control command: queue move "-3": want a position from 1, as queue list shows`},
		{[]string{"playlist", "remove", "pl0123456789abcdef", "-1"}, `position "-1": want a whole number from 1 (the first track; see segue playlist show ID)`},
		{[]string{"playlist", "move", "pl0123456789abcdef", "-12", "1"}, `position "-12": want a whole number from 1 (the first track; see segue playlist show ID)`},
		{[]string{"search", "-5", "degrees"}, `-5 is no flag of segue search: to give it as an argument, put -- before it (segue search -- -5)`},
	} {
		usageSays(t, env, c.args, c.says)
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

// TestArgumentCountSaysWhatToGive: a command given too few or too many
// arguments names those it takes, from its usage line, with and without
// --json (exit 2). It said cobra's count: "add: accepts 1 arg(s),
// received 0".
func TestArgumentCountSaysWhatToGive(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9") // refused before anything is asked
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"origin", "user", "add"}, "origin user add: give NAME (usage: segue origin user add NAME [flags])"},
		{[]string{"origin", "token", "create", "my", "laptop"}, `origin token create: give NAME, not 2 words: "my" "laptop" (quote a value with spaces) (usage: segue origin token create NAME [flags])`},
		{[]string{"playlist", "add", "pl0123456789abcdef"}, "playlist add: give TRACK_ID|ALBUM_ID... (usage: segue playlist add ID TRACK_ID|ALBUM_ID... [flags])"},
		{[]string{"playlist", "move", "pl0123456789abcdef", "1"}, "playlist move: give TO (usage: segue playlist move ID FROM TO [flags])"},
		{[]string{"radio"}, "radio: give SEED (usage: segue radio SEED [flags])"},
	} {
		usageSays(t, env, c.args, c.says)
	}
}

// usageSays runs segue with env and args, with and without --json, and
// fails t unless each exits 2 saying says: on stderr, and as the error of
// --json's answer.
func usageSays(t *testing.T, env, args []string, says string) {
	t.Helper()
	for _, asJSON := range []bool{false, true} {
		run := append(append([]string{}, env...), args...)
		if asJSON {
			run = append(run, "--json")
		}
		out, errOut, code := segue(t, run...)
		if code != ExitUsage || strings.TrimSpace(errOut) != "segue: "+says {
			t.Errorf("segue %s: exit %d, %q; want exit %d, %q", strings.Join(args, " "), code, errOut, ExitUsage, says)
		}
		var e struct{ Error string }
		if asJSON && (json.Unmarshal([]byte(out), &e) != nil || e.Error != says) {
			t.Errorf("segue %s --json printed %q; want {\"error\": %q}", strings.Join(args, " "), out, says)
		}
	}
}
