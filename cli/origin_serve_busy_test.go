//go:build !segue_client

package cli

import (
	"net"
	"strings"
	"testing"
	"time"

	"segue/internal/testkit"
	"segue/origin/origintest"
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

// TestServeNamesItsDataDirInWhatToRun: origin serve of a data dir other
// than the default, requiring tokens, with playlists made while it ran
// open, says to hand them over with segue origin token adopt-local (or
// token create --adopt-local) and that data dir. The command it gave had
// no --data: run as given it acted on the default origin's catalog, which
// has other tokens or none.
func TestServeNamesItsDataDirInWhatToRun(t *testing.T) {
	data := newEmptyOrigin(t)
	db, _, _ := origintest.LocalOwned(t, data)
	db.Close()
	h := newSwarmHost(t, segueBinary(t))
	_, _, log := h.start("origin", "serve", "--addr", "127.0.0.1:0", "--data", data, "--require-token")
	testkit.Wait(t, time.Minute, "the origin to say whose playlists no token sees", func() bool { return strings.Contains(log.String(), "seen by no token") })
	for _, want := range []string{"segue origin token adopt-local TOKEN_ID --data " + data + " (", "segue origin token create NAME --adopt-local --data " + data} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("origin serve --data %s log:\n%s\nwant %q", data, log, want)
		}
	}
}
