package cli

import (
	"net"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

// TestMigrateFromNotThereSaysSo: segue origin migrate --from a folder that
// does not exist says so, naming it, before anything is asked of the
// PostgreSQL server (here a loopback listener that counts connections):
// it said only "no origin in DIR (no catalog.db)", which reads as a
// folder there without a catalog. Exit 3 (a folder named that does not
// exist), the same with --json; the other commands that read an origin's
// data dir (--data) say it the same way.
func TestMigrateFromNotThereSaysSo(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var conns atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			c.Close()
		}
	}()
	env := clientEnv(t, "http://127.0.0.1:9")
	none := filepath.Join(t.TempDir(), "no-such-origin")
	pg := "postgres://segue@" + ln.Addr().String() + "/segue"
	for _, args := range [][]string{
		{"origin", "migrate", "--from", none, "--to-catalog", pg},
		{"origin", "migrate", "--to-catalog", pg, "--from", none, "--json"},
		{"origin", "token", "list", "--data", none},
		{"origin", "user", "list", "--data", none, "--json"},
	} {
		_, errOut, code := segue(t, append(slices.Clone(env), args...)...)
		msg := checkFailure(t, strings.Join(args, " "), errOut, code, ExitNotFound)
		if !strings.Contains(msg, "no origin in "+none+": the folder does not exist") || !strings.Contains(msg, "check the path") {
			t.Errorf("segue %s: %q; want it to say the folder %s does not exist and to check the path", strings.Join(args, " "), msg, none)
		}
	}
	if n := conns.Load(); n != 0 {
		t.Errorf("migrate connected %d times to the PostgreSQL server before it found --from was not there", n)
	}
}
