package cli

import (
	"strings"
	"testing"
)

// TestTUILongSearchSaysWhy: a query longer than the origin takes (512
// bytes: a paste gone wrong) was quoted whole in the error, which filled
// the screen with it and pushed off the reason. The query is quoted cut
// short, and the origin's reason shows.
func TestTUILongSearchSaysWhy(t *testing.T) {
	o := serveLibrary(t, t.TempDir(), t.TempDir()) // an origin with nothing in it
	_, d := runTUIIn(t, "http://"+o.addr, 120)
	d.wait("type to search")
	d.press("/")
	d.paste(strings.Repeat("x", 600))
	d.wait(`could not search "x{20,60}…": bad search query: longer than 512 bytes`)
}
