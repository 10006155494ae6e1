package cli

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
)

// segue play on a connection that stalls mid-segment (half of a segment
// came, then nothing for 20 s) said nothing and was silent until the
// fetch chain's timeout for that segment ended (7 s). It now asks again
// once no byte came for 2 s and says so, once, on its retrying line; the
// track plays to its end.
func TestPlaySaysAStalledSegmentIsAskedAgain(t *testing.T) {
	url, _ := playOrigin(t)
	tr := tones(t, url)[0]
	var m catalog.Manifest
	getJSON(t, url+"/api/v1/tracks/"+tr.ID+"/manifest", &m)
	var hash string
	for _, r := range m.Renditions {
		if r.Name == catalog.RenditionLow {
			hash = r.Segments[1].Hash
		}
	}
	var asked atomic.Int64
	proxy := testkit.FaultProxy(t, url, 20*time.Second, func(r *http.Request) testkit.Fault {
		if strings.HasSuffix(r.URL.Path, "/"+hash) && asked.Add(1) == 1 {
			return testkit.StallBody
		}
		return testkit.Pass
	})
	out, errOut, code := segue(t, append(clientEnv(t, proxy.URL), "play", tr.ID, "--quality", "low", "--output", "null")...)
	const says = "retrying: a segment's bytes stopped coming mid-download (a connection that stalled): asking the origin again\n"
	if code != 0 || strings.Count(out, "retrying") != 1 || !strings.Contains(out, says) || asked.Load() != 2 {
		t.Errorf("play exited %d, segment asked %d times (want 2); said:\n%s%s\nwant one line saying %q", code, asked.Load(), out, errOut, says)
	}
}

// A track's manifest whose answer broke off once (the connection reset
// mid-body) failed the track: segue play said "could not be played" and
// exited 1, with the origin there all along. The document is asked again
// (originclient.docTries), and the track plays.
func TestPlayManifestBrokenOffOncePlays(t *testing.T) {
	url, _ := playOrigin(t)
	tr := tones(t, url)[0]
	var asked atomic.Int64
	proxy := testkit.FaultProxy(t, url, 0, func(r *http.Request) testkit.Fault {
		if strings.HasSuffix(r.URL.Path, "/manifest") && asked.Add(1) == 1 {
			return testkit.ResetBody
		}
		return testkit.Pass
	})
	out, errOut, code := segue(t, append(clientEnv(t, proxy.URL), "play", tr.ID, "--quality", "low", "--output", "null")...)
	if code != 0 || asked.Load() != 2 {
		t.Errorf("play exited %d after %d manifest requests (want 0 after 2):\n%s%s", code, asked.Load(), out, errOut)
	}
}
