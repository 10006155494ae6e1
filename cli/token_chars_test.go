package cli

import (
	"strings"
	"testing"
)

// TestTokenWithStrayCharacters: a token with a control character in it
// (a paste gone wrong) could not be sent as a header, and segue said "the
// origin ... is unreachable (is it running?)", or listed the cached copy
// of what was asked as if nothing were wrong; one with spaces or a line
// break around it (copied from a terminal) was refused by the origin. Now
// the spaces around a token are dropped and a token with another stray
// character is a bad argument (exit 2) that says so, without printing it.
func TestTokenWithStrayCharacters(t *testing.T) {
	url, token, _, _, _ := tokenOrigin(t)
	env := clientEnv(t, url)
	segueOK(t, append(env, "--token", " "+token+"\n", "search", "export")...)
	segueOK(t, append(env, "--token", token, "library")...) // a copy in the cache, which a bad token must not be answered with
	bad := token[:10] + "\x01" + token[10:]
	for _, run := range [][]string{
		append(env, "--token", bad, "library"),
		append(env, "--token", bad, "library", "--json"),
		append(env, "--token", token[:10]+" "+token[10:], "search", "export"),
	} {
		_, errOut, code := segue(t, run...)
		if code != ExitUsage || !strings.Contains(errOut, "the token has a character no token has") || strings.Contains(errOut, token[10:]) {
			t.Errorf("segue %q: exit %d, %q; want 2 saying the token has a stray character, without the token", run[2:], code, errOut)
		}
	}
	t.Setenv("SEGUE_TOKEN", bad)
	if _, errOut, code := segue(t, append(env, "search", "export")...); code != ExitUsage || !strings.Contains(errOut, "SEGUE_TOKEN") {
		t.Errorf("SEGUE_TOKEN with a stray character: exit %d, %q; want 2 naming SEGUE_TOKEN", code, errOut)
	}
}
