package cli

import (
	"slices"
	"strings"
	"testing"
)

// TestCacheStatsSaysFetchedNotPlayed: after offline add alone, nothing
// played, cache stats said "played 0 B from cache, 0 B from peers, 2.4 MiB
// from origin": the bytes by source count every segment fetched, pins'
// downloads too. It says "fetched" now, and the same figures.
func TestCacheStatsSaysFetchedNotPlayed(t *testing.T) {
	o := newTestOrigin(t)
	env := clientEnv(t, "http://"+o.addr)
	track := tones(t, "http://"+o.addr)[0]
	segueOK(t, append(slices.Clone(env), "offline", "add", track.ID)...)
	out := segueOK(t, append(slices.Clone(env), "cache", "stats")...)
	var line string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "from origin") {
			line = l
		}
	}
	if !strings.HasPrefix(line, "fetched ") || strings.Contains(out, "played") || strings.Contains(line, " 0 B from origin") {
		t.Errorf("cache stats after offline add alone:\n%s\nwant a line \"fetched ... from origin\" with the pin's bytes, and no word of played", out)
	}
}
