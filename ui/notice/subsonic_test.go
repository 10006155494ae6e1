package notice

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"segue/internal/testkit"
	"segue/net/originclient"
	"segue/net/subsonic"
)

// TestSaySubsonicNamesTheServer: the status line names the Subsonic
// server for its failures, as the origin's name the origin: an album the
// server does not know said "it is not on the origin", and a server that
// dropped the connection "the origin is unreachable". A load it did not
// answer still offers ctrl+r.
func TestSaySubsonicNamesTheServer(t *testing.T) {
	ctx := t.Context()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/rest/ping"):
			fmt.Fprint(w, `{"subsonic-response":{"status":"ok","version":"1.16.1"}}`)
		case strings.HasSuffix(r.URL.Path, "/rest/getAlbum"):
			fmt.Fprint(w, `{"subsonic-response":{"status":"failed","version":"1.16.1","error":{"code":70,"message":"Album not found"}}}`)
		default: // the connection drops before any answer
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
			}
		}
	}))
	defer srv.Close()
	c, err := subsonic.New("subsonic+"+strings.Replace(srv.URL, "://", "://ann@", 1), subsonic.Options{Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	_, notFound := c.Album(ctx, "al_9")
	_, dropped := c.Artists(ctx)
	down, err := subsonic.New("subsonic+http://ann@"+testkit.RefusedAddr(t), subsonic.Options{Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	_, refused := down.Artists(ctx)
	if !errors.Is(notFound, originclient.ErrNotFound) || !Unreachable(dropped) || !Unreachable(refused) {
		t.Fatalf("the Subsonic client's errors: %v (not found), %v, %v (unreachable)", notFound, dropped, refused)
	}

	for _, c := range []struct {
		err       error
		say, load string
	}{
		{fmt.Errorf("open album Tides: %w", notFound), "could not open album Tides: it is not on the Subsonic server", ""},
		{fmt.Errorf("list artists: %w", dropped), "could not list artists: the Subsonic server is unreachable", " (ctrl+r retries)"},
		// as the origin's refused connection is said (no copy kept)
		{fmt.Errorf("list artists: %w", refused), "could not list artists: it is not available offline", ""},
	} {
		if got := Say(c.err); got != c.say || strings.Contains(got, "origin") {
			t.Errorf("Say(%q)\n = %q\nwant %q", c.err, got, c.say)
		}
		if got := SayLoad(c.err); got != c.say+c.load {
			t.Errorf("SayLoad(%q)\n = %q\nwant %q", c.err, got, c.say+c.load)
		}
	}
}
