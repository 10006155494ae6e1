package cli

import (
	"errors"
	"net"
	"net/http"
	"syscall"
	"testing"
)

// TestStoppedOriginHoldsItsAddress: a stopped testOrigin refuses
// connections, and no other server can listen on its address until it
// starts there again (its closed listener freed the port in between).
func TestStoppedOriginHoldsItsAddress(t *testing.T) {
	o := &testOrigin{t: t, data: t.TempDir(), addr: "127.0.0.1:0"}
	o.start()
	t.Cleanup(o.stop)
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	get := func() error {
		resp, err := c.Get("http://" + o.addr + "/api/v1/artists")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return errors.New(resp.Status)
		}
		return nil
	}
	for round := range 2 {
		if err := get(); err != nil {
			t.Fatalf("round %d: the started origin: %v", round+1, err)
		}
		o.stop()
		if err := get(); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("round %d: the stopped origin: %v; want connection refused", round+1, err)
		}
		if ln, err := net.Listen("tcp", o.addr); err == nil {
			ln.Close()
			t.Fatalf("round %d: another server listened on the stopped origin's address %s", round+1, o.addr)
		}
		o.start()
	}
	if err := get(); err != nil {
		t.Fatalf("the origin started a third time: %v", err)
	}
}
