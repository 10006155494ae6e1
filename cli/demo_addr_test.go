//go:build !segue_client

package cli

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDemoAddrAdviceUnderMake: the demo's errors about its address name
// what the user gave it by: --addr when segue demo is run, and the
// Makefile's DEMO_ADDR under make demo (SEGUE_MAKE_DEMO=1, which its recipe sets), where make demo passes
// DEMO_ADDR as --addr and the user has no --addr to change. A busy port's
// example is the port after it.
func TestDemoAddrAdviceUnderMake(t *testing.T) {
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	busy := held.Addr().String()
	next := fmt.Sprintf("127.0.0.1:%d", held.Addr().(*net.TCPAddr).Port+1)
	for _, c := range []struct {
		byMake, addr, want string
		code               int
	}{
		{"", busy, "segue: start demo origin on " + busy + ": listen tcp " + busy + ": bind: address already in use " +
			"(another program listens there (another segue perhaps): stop it or pick another --addr, e.g. --addr " + next + ")\n", ExitError},
		{"1", busy, "segue: start demo origin on " + busy + ": listen tcp " + busy + ": bind: address already in use " +
			"(another program listens there (another segue perhaps): stop it or pick another DEMO_ADDR, e.g. make demo DEMO_ADDR=" + next + ")\n", ExitError},
		{"", "0.0.0.0:7700", "segue: --addr 0.0.0.0:7700: the demo origin serves loopback only", ExitUsage},
		{"1", "0.0.0.0:7700", "segue: DEMO_ADDR=0.0.0.0:7700: the demo origin serves loopback only", ExitUsage},
		{"", "nonsense", `segue: --addr: address "nonsense": want HOST:PORT`, ExitUsage},
		{"1", "nonsense", `segue: DEMO_ADDR: address "nonsense": want HOST:PORT`, ExitUsage},
	} {
		t.Setenv("SEGUE_MAKE_DEMO", c.byMake)
		out, errOut, code := segue(t, append(clientEnv(t, "http://127.0.0.1:9"), "demo", "--no-tui", "--addr", c.addr)...)
		if code != c.code || !strings.HasPrefix(errOut, c.want) || out != "" {
			t.Errorf("SEGUE_MAKE_DEMO=%q segue demo --addr %s: exit %d, stdout %q, stderr %q; want exit %d, stderr %q", c.byMake, c.addr, code, out, errOut, c.code, c.want)
		}
	}
}

// TestMakeDemoOnABusyPort: make demo with DEMO_ADDR on a port another
// program holds (in a terminal, as make demo wants) builds segue, fails
// before it makes the demo library, and says to pick another DEMO_ADDR
// with make demo: --addr, which it named alone, is the Makefile's to give.
func TestMakeDemoOnABusyPort(t *testing.T) {
	needTools(t, "tmux", "make")
	dir := t.TempDir()
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	s := startMakeDemo(t, dir, held.Addr().String(), "2> "+filepath.Join(dir, "stderr"))
	s.waitScreenFor(15*time.Minute, "make demo to end", func(string) bool { return fileSize(filepath.Join(dir, "exit")) > 0 })

	code, _ := os.ReadFile(filepath.Join(dir, "exit"))
	stderr, _ := os.ReadFile(filepath.Join(dir, "stderr"))
	want := regexp.MustCompile(`(?m)^segue: start demo origin on ` + regexp.QuoteMeta(held.Addr().String()) + `: .*address already in use \(.*pick another DEMO_ADDR, e\.g\. make demo DEMO_ADDR=127\.0\.0\.1:\d+\)$`)
	if strings.TrimSpace(string(code)) == "0" || !want.Match(stderr) {
		t.Errorf("make demo DEMO_ADDR=%s (busy): exit %s, stderr:\n%s\nwant a failure saying %s", held.Addr(), code, stderr, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "segue", "demo-library")); err == nil {
		t.Errorf("make demo on a busy port made the demo library; it should fail before")
	}
}
