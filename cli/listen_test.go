package cli

import (
	"encoding/json"
	"net"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
)

// TestListenAddressShownAsAsked runs the commands that print the address
// they listen on with an unspecified host and port 0: each prints the host
// it was given (0.0.0.0, not [::] as Go reports a dual-stack socket; [::]
// as itself) with the port it got, and that port answers.
func TestListenAddressShownAsAsked(t *testing.T) {
	h := newSwarmHost(t, segueBinary(t))
	noOrigin := "http://127.0.0.1:1" // the tracker is not needed to serve
	for _, asked := range []struct{ listen, host string }{{"0.0.0.0:0", "0.0.0.0"}, {"[::]:0", "::"}} {
		want := regexp.MustCompile(`^` + regexp.QuoteMeta(net.JoinHostPort(asked.host, "")) + `[1-9][0-9]*$`)
		answers := func(what, addr string) {
			t.Helper()
			if !want.MatchString(addr) {
				t.Fatalf("%s --listen %s printed %q; want %s with the real port", what, asked.listen, addr, want)
			}
			_, port, _ := net.SplitHostPort(addr)
			c, err := net.Dial("tcp", net.JoinHostPort("localhost", port))
			if err != nil {
				t.Fatalf("%s printed %s: %v; want its port to answer", what, addr, err)
			}
			c.Close()
		}

		_, out, _ := h.start("--origin", noOrigin, "peer", "serve", "--listen", asked.listen)
		testkit.Wait(t, time.Minute, "peer serve to print its address", func() bool { return peerRE.MatchString(out.String()) })
		answers("peer serve", peerRE.FindStringSubmatch(out.String())[1])

		_, out, _ = h.start("--origin", noOrigin, "peer", "serve", "--listen", asked.listen, "--json")
		var p catalog.Peer
		testkit.Wait(t, time.Minute, "peer serve --json to print its address", func() bool { return json.Unmarshal([]byte(out.String()), &p) == nil })
		answers("peer serve --json", p.Addr)

		_, _, log := h.start("origin", "serve", "--addr", asked.listen, "--data", filepath.Join(t.TempDir(), "origin"))
		testkit.Wait(t, time.Minute, "origin serve to print its address", func() bool { return servingRE.MatchString(log.String()) })
		answers("origin serve", servingRE.FindStringSubmatch(log.String())[1])
	}
}
