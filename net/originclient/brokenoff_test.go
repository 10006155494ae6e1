package originclient

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
)

// A document whose answer broke off mid-body, the first time it was asked
// (a connection reset, closed short of its Content-Length, or stalled for
// 20 s), failed the read at once, or held it for the whole stall: a
// track's manifest so made segue play say the track "could not be played"
// (found by playing through testkit.FaultProxy). It is asked again: the
// manifest comes whole on the second request, and a body that sends
// nothing for bodyIdle counts as broken off. One that breaks off every
// time fails after docTries requests, saying so.
func TestDocumentAnswerBrokenOffIsAskedAgain(t *testing.T) {
	man := catalog.Manifest{TrackID: "t1", SampleRate: 44100, Channels: 2, SamplesPerFrame: 1152, FramesPerSegment: 96, StartSkip: 1105, TotalSamples: 100000,
		Renditions: []catalog.Rendition{{Name: "low", Codec: "mp3", Bitrate: 96, Segments: []catalog.Segment{{Hash: strings.Repeat("ab", 32), Size: 30000, Frames: 96}}}}}
	body, err := json.Marshal(man)
	if err != nil {
		t.Fatal(err)
	}
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	t.Cleanup(origin.Close)
	for _, c := range []struct {
		name  string
		fault testkit.Fault
	}{{"reset", testkit.ResetBody}, {"cut short", testkit.CutBody}, {"stalled", testkit.StallBody}} {
		t.Run(c.name, func(t *testing.T) {
			var asked atomic.Int64
			var gaveUp atomic.Bool
			const stall = 20 * time.Second
			once := testkit.FaultProxy(t, origin.URL, stall, func(r *http.Request) testkit.Fault {
				if asked.Add(1) > 1 {
					return testkit.Pass
				}
				testkit.WatchGaveUp(r, stall, &gaveUp)
				return c.fault
			})
			client, err := New(once.URL, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := client.Manifest(t.Context(), "t1")
			if err != nil || got.TotalSamples != man.TotalSamples || asked.Load() != 2 {
				t.Errorf("manifest: %+v, %v after %d requests; want it whole after 2", got, err, asked.Load())
			}
			if c.fault == testkit.StallBody && !gaveUp.Load() {
				t.Errorf("the stalled answer was waited out (%v), not asked again after %v", stall, bodyIdle)
			}

			var always atomic.Int64
			broken := testkit.FaultProxy(t, origin.URL, stall, func(*http.Request) testkit.Fault {
				always.Add(1)
				return c.fault
			})
			client, err = New(broken.URL, Options{})
			if err != nil {
				t.Fatal(err)
			}
			_, err = client.Manifest(t.Context(), "t1")
			var cut *CutShortError
			if !errors.As(err, &cut) || always.Load() != docTries {
				t.Fatalf("manifest broken off every time: %v after %d requests; want a CutShortError after %d", err, always.Load(), docTries)
			}
			want := "the origin's answer broke off after"
			if c.fault == testkit.StallBody {
				want = "the origin's answer stopped after " + strconv.FormatInt(cut.Got, 10) + " of the " + strconv.FormatInt(cut.Want, 10) + " bytes it announced and sent nothing for 5s (the connection stalled)"
			}
			if s := cut.Sentence(); !strings.HasPrefix(s, want) {
				t.Errorf("said %q; want %q", s, want)
			}
		})
	}
}
