package cli

import (
	"regexp"
	"testing"

	"segue/internal/testkit"
)

// TestTUISaysWhichOriginIsDown: started with nothing listening at the
// origin's address (a typo in --origin, an origin not started), every
// screen of the interface said only "offline", where segue search says
// which origin, why and what to do. The interface says it too, once, on
// its status line.
func TestTUISaysWhichOriginIsDown(t *testing.T) {
	addr := testkit.RefusedAddr(t)
	_, d := runTUIIn(t, "http://"+addr, 200)
	d.wait(regexp.QuoteMeta("the origin at " + addr + " is unreachable: nothing listens there (connection refused); start it (segue origin serve) or check --origin"))
}
