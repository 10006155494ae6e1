package cli

import "testing"

// TestFlagValueSaysWhatItWants: a bad value for a true/false flag or a
// length of time said Go's parser's words ("strconv.ParseBool: parsing
// \"2\": invalid syntax", "time: unknown unit \"x\" in duration \"2x\"");
// now it says what the flag wants, exit 2 with and without --json.
func TestFlagValueSaysWhatItWants(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9")
	wantBool := `want true or false (the flag alone means true)`
	checkFailCases(t, env, []failCase{
		{"--json=maybe", []string{"search", "tone", "--json=maybe"}, `invalid argument "maybe" for "--json" flag: ` + wantBool, ExitUsage, false},
		{"--shuffle=2", []string{"play", "t1", "--output", "null", "--shuffle=2"}, `invalid argument "2" for "--shuffle" flag: ` + wantBool, ExitUsage, true},
		{"--keep-pinned=yes", []string{"cache", "clear", "--keep-pinned=yes"}, `invalid argument "yes" for "--keep-pinned" flag: ` + wantBool, ExitUsage, true},
		{"--timeout 2x", []string{"peer", "discover", "--timeout", "2x"}, `invalid argument "2x" for "--timeout" flag: want a length of time such as 2s, 500ms or 1m30s`, ExitUsage, true},
	}, nil)
}
