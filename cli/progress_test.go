package cli

import (
	"bytes"
	"testing"
)

// TestCountProgressSaysTheTrueShare: off a terminal a line is printed each
// time another tenth is done, and the percentage it names is the share
// actually done ("25% (1 of 4)"), never that share rounded down to a tenth,
// which read as a contradiction ("20% (1 of 4)").
func TestCountProgressSaysTheTrueShare(t *testing.T) {
	for _, c := range []struct {
		total int
		steps []int
		want  string
	}{
		{4, []int{0, 1, 2, 3, 4}, "m 0% (0 of 4)\nm 25% (1 of 4)\nm 50% (2 of 4)\nm 75% (3 of 4)\nm 100% (4 of 4)\n"},
		{93, []int{16, 32, 48, 93}, "m 17% (16 of 93)\nm 34% (32 of 93)\nm 51% (48 of 93)\nm 100% (93 of 93)\n"},
		// Two steps in one tenth print once: a line a tenth, as before.
		{100, []int{0, 3, 9, 10, 11}, "m 0% (0 of 100)\nm 10% (10 of 100)\n"},
		{0, []int{0, 1}, ""},
	} {
		var errOut bytes.Buffer
		a := &app{stderr: &errOut}
		step := a.countProgress("m", c.total)
		for _, s := range c.steps {
			step(s)
		}
		if got := errOut.String(); got != c.want {
			t.Errorf("total %d, steps %v: printed\n%s\nwant\n%s", c.total, c.steps, got, c.want)
		}
	}
}
