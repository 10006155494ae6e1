package player

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
	"segue/net/fetch"
	"segue/net/originclient"
)

// A connection to an https origin (HTTP/2: one connection for every
// request) that dies mid-segment without a reset held playback: every
// request after it, the fetch chain's tries and the stall rule's alike,
// went on the same dead connection and waited out the origin client's 15 s
// for an answer's headers; the play head stopped 2.46 s into the first
// track and had not moved 60 s later. Now the requests after it go on
// connections of their own (the hedge, the stall rule's, a try after one
// that ran out of time) and the origin client's HTTP/2 pings close it:
// both tracks play whole, the play head waiting 0.19 s in all.
func TestDeadConnectionMidSegmentIsLeft(t *testing.T) {
	src, a, b := twoTracks(t, 6)
	want := int(src.manifests[a.ID].TotalSamples + src.manifests[b.ID].TotalSamples)
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		src.mu.Lock()
		seg, ok := src.segs[strings.TrimPrefix(r.URL.Path, "/chunks/")]
		src.mu.Unlock()
		if !ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"error":"chunk %s not found"}`, strings.TrimPrefix(r.URL.Path, "/chunks/"))
			return
		}
		w.Write(seg)
	}))
	ts.EnableHTTP2 = true
	ts.StartTLS()
	t.Cleanup(ts.Close)
	proxy := testkit.NewTCPProxy(t, ts.Listener.Addr().String())
	client, err := originclient.New("https://"+proxy.Addr(), originclient.Options{TLS: originclient.TLSOptions{PinSHA256: originclient.Fingerprint(ts.Certificate().Raw)}})
	if err != nil {
		t.Fatal(err)
	}
	// The first connection dies half-way through the first track's second
	// segment: the first whole, then half of the second, pass.
	segs := src.manifests[a.ID].Renditions[0].Segments
	path := filepath.Join(t.TempDir(), "out.wav")
	out, err := CreateWAV(path, WAVFloat32, true)
	if err != nil {
		t.Fatal(err)
	}
	p := chainPlayerWith(t, client, src, Options{Loudness: LoudnessOff, Quality: catalog.RenditionLow, Output: out, ReadAhead: 3 * time.Second})
	proxy.StallNext(1, segs[0].Size+segs[1].Size/2)
	p.Play(a, b)
	evs := waitEndWithin(t, p, 40*time.Second)
	st := p.Stats()
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	frames := len(readWAV(t, path))
	t.Logf("played %d of %d samples, %d stalls, %v; %d connections", frames, want, st.Stalls, st.Stalled, proxy.Accepted())
	for _, e := range evs {
		if e, ok := e.(ErrorEvent); ok && e.Fatal {
			t.Errorf("track %s failed: %v", e.TrackID, e.Err)
		}
	}
	if frames != want || st.Stalled > 2*stallRestart || proxy.Accepted() < 2 {
		t.Errorf("%d samples played (want %d), the play head waited %v (want under %v), %d connections (want a new one)", frames, want, st.Stalled, 2*stallRestart, proxy.Accepted())
	}
}

var (
	_ Urger     = (*fetch.Fetcher)(nil)
	_ Restarter = (*fetch.Fetcher)(nil)
)
