//go:build !segue_client

package cli

import (
	"net"
	"strings"
	"testing"
)

// TestServeOnABusyPortSaysOnlyThat: origin serve on a port another program
// holds fails with one line saying so and what to do (exit 1). It printed
// its warnings about the serving first (an empty catalog to ingest, tokens
// to create), as if it served, and the reason it did not came last.
func TestServeOnABusyPortSaysOnlyThat(t *testing.T) {
	config, data := ingestEnv(t)
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	_, errOut, code := segue(t, "--config", config, "origin", "serve", "--addr", held.Addr().String(), "--data", data, "--require-token")
	want := "segue: listen on " + held.Addr().String() + ": "
	if code != ExitError || !strings.HasPrefix(errOut, want) || !strings.Contains(errOut, "pick another --addr") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("origin serve on a busy port: exit %d, stderr:\n%s\nwant exit %d and one line %q... saying to pick another --addr", code, errOut, ExitError, want)
	}
}
