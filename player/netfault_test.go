package player

import (
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
)

// faultRun is what playing through a FaultProxy came to.
type faultRun struct {
	stats  Stats
	events []Event
	frames int   // samples in the output
	asked  int64 // requests for the faulted segment
	// gaveUp: the client closed the faulted request before the proxy's
	// stall ended
	gaveUp bool
}

// playThroughFault plays tracks (low only) in real time through a
// FaultProxy in front of src's chunks whose fault f hits the segment hash
// the first time it is asked (a stall lasting stall).
func playThroughFault(t *testing.T, src *memSource, f testkit.Fault, stall time.Duration, hash string, tracks ...catalog.Track) faultRun {
	t.Helper()
	var asked atomic.Int64
	var gaveUp atomic.Bool
	chunks := chunkServer(t, src).String()
	proxy := testkit.FaultProxy(t, chunks, stall, func(r *http.Request) testkit.Fault {
		if !strings.HasSuffix(r.URL.Path, "/"+hash) || asked.Add(1) != 1 {
			return testkit.Pass
		}
		testkit.WatchGaveUp(r, stall, &gaveUp)
		return f
	})
	path := filepath.Join(t.TempDir(), "out.wav")
	out, err := CreateWAV(path, WAVFloat32, true)
	if err != nil {
		t.Fatal(err)
	}
	p := chainPlayerAt(t, proxy.URL, src, Options{Loudness: LoudnessOff, Quality: catalog.RenditionLow, Output: out})
	p.Play(tracks...)
	evs := waitEndWithin(t, p, 2*time.Minute)
	run := faultRun{stats: p.Stats(), events: evs, asked: asked.Load(), gaveUp: gaveUp.Load()}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	run.frames = len(readWAV(t, path))
	return run
}

// A connection that stalls mid-segment (half the bytes came, then none for
// 20 s: a NAT or wifi that dropped it without a reset, a hung proxy) held
// the play head until the fetch chain's timeout for the urgency the
// segment was asked with ended it, or the stall did: 7.5 s of silence for
// the second segment of a track (asked 10 s ahead), 5 s for the third, 12 s
// at the change to the next track (its first segment prefetched, 30 s).
// Now a download with no byte for 2 s while less than 5 s is buffered
// ahead of it is asked again at once on a new request, and says so.
// Both tracks play whole.
func TestStalledDownloadIsAskedAgain(t *testing.T) {
	src, a, b := twoTracks(t, 6)
	want := int(src.manifests[a.ID].TotalSamples + src.manifests[b.ID].TotalSamples)
	const stall = 20 * time.Second
	for _, c := range []struct {
		name string
		seg  catalog.Segment
	}{
		{"second segment", src.manifests[a.ID].Renditions[0].Segments[1]},
		{"third segment", src.manifests[a.ID].Renditions[0].Segments[2]},
		{"next track's first segment", src.manifests[b.ID].Renditions[0].Segments[0]},
	} {
		t.Run(c.name, func(t *testing.T) {
			run := playThroughFault(t, src, testkit.StallBody, stall, c.seg.Hash, a, b)
			if run.frames != want || !run.gaveUp || run.asked != 2 {
				t.Errorf("%d samples played (want %d); stalled request given up before the stall ended: %v; asked %d times (want 2)",
					run.frames, want, run.gaveUp, run.asked)
			}
			t.Logf("stalls %d, %v", run.stats.Stalls, run.stats.Stalled)
			// the play head waits for the stall to be seen (2 s) and the
			// segment asked again, never for the stall
			if run.stats.Stalled >= 2*stallRestart {
				t.Errorf("the play head waited %v in %d stalls; want under %v", run.stats.Stalled, run.stats.Stalls, 2*stallRestart)
			}
			said := 0
			for _, e := range run.events {
				if e, ok := e.(ErrorEvent); ok {
					if e.Fatal || !errors.Is(e.Err, ErrStalled) {
						t.Errorf("error event %+v; want only the stall's, not fatal", e)
					}
					said++
				}
			}
			if said != 1 {
				t.Errorf("%d error events say the segment stalled; want 1", said)
			}
		})
	}
}

// The other ways an answer goes wrong mid-segment cost no silence: a reset
// connection, a body cut short of its Content-Length (the chain asks
// again at once) and wrong bytes (refused by their sha256, asked again).
// Both tracks play whole, with no stall; the segment is asked twice.
func TestBrokenAnswersAreAskedAgain(t *testing.T) {
	src, a, b := twoTracks(t, 6)
	want := int(src.manifests[a.ID].TotalSamples + src.manifests[b.ID].TotalSamples)
	seg := src.manifests[a.ID].Renditions[0].Segments[1]
	for _, c := range []struct {
		name  string
		fault testkit.Fault
	}{{"reset", testkit.ResetBody}, {"cut short", testkit.CutBody}, {"wrong bytes", testkit.WrongBytes}} {
		t.Run(c.name, func(t *testing.T) {
			run := playThroughFault(t, src, c.fault, 0, seg.Hash, a, b)
			if run.frames != want || run.asked != 2 || run.stats.Stalls != 0 {
				t.Errorf("%d samples played (want %d), segment asked %d times (want 2), %d stalls (want 0)", run.frames, want, run.asked, run.stats.Stalls)
			}
		})
	}
}

// An answer that never begins (the origin or a proxy holds the status and
// headers for 20 s) held the play head until the fetch chain's timeout for
// the urgency the segment was asked with ended it: 7.5 s of silence at a
// track's second segment (asked 10 s ahead), 9 s at the change to the
// next track (its first segment prefetched). Now the player tells the
// fetcher the play head waits for it (Urger), and the fetcher sends one
// second request beside the first (fetch.Options.HedgeAfter), keeps both
// and takes the first whole answer: the segment is asked twice, never
// three times, the held request is given up once the second has answered,
// and nothing is said (no error: the segment came).
func TestHeldAnswerIsHedged(t *testing.T) {
	src, a, b := twoTracks(t, 6)
	want := int(src.manifests[a.ID].TotalSamples + src.manifests[b.ID].TotalSamples)
	const hold = 20 * time.Second
	for _, c := range []struct {
		name string
		seg  catalog.Segment
	}{
		{"second segment", src.manifests[a.ID].Renditions[0].Segments[1]},
		{"next track's first segment", src.manifests[b.ID].Renditions[0].Segments[0]},
	} {
		t.Run(c.name, func(t *testing.T) {
			run := playThroughFault(t, src, testkit.HoldHeaders, hold, c.seg.Hash, a, b)
			if run.frames != want || !run.gaveUp || run.asked != 2 {
				t.Errorf("%d samples played (want %d); held request given up before the hold ended: %v; asked %d times (want 2)",
					run.frames, want, run.gaveUp, run.asked)
			}
			t.Logf("stalls %d, %v", run.stats.Stalls, run.stats.Stalled)
			// the player looks every stallCheck (0.5 s) whether the play
			// head waits, and the request has waited HedgeAfter already
			if limit := 2500 * time.Millisecond; run.stats.Stalled >= limit {
				t.Errorf("the play head waited %v in %d stalls; want under %v", run.stats.Stalled, run.stats.Stalls, limit)
			}
			for _, e := range run.events {
				if e, ok := e.(ErrorEvent); ok {
					t.Errorf("error event %+v; want none (the second request brought the segment)", e)
				}
			}
		})
	}
}

// A slow link is not a stalled one: the silence that counts as a stall
// grows with the time the link, at the pace it kept, takes to bring
// stallBytes. TestPlaySaysItRetries' 5 kbit/s link (1 KiB 1.6 s apart)
// was taken for stalled at 2 s.
func TestSlowLinkIsNotStalled(t *testing.T) {
	for _, c := range []struct {
		stall, took time.Duration
		loaded      int64
		want        time.Duration
	}{
		{2 * time.Second, 1640 * time.Millisecond, 1024, 6560 * time.Millisecond}, // 5 kbit/s
		{2 * time.Second, 100 * time.Millisecond, 46_000, 2 * time.Second},        // half a 320k segment on a LAN
		{2 * time.Second, time.Second, 12_000, 2 * time.Second},                   // 96 kbit/s
		{4 * time.Second, time.Second, 12_000, 4 * time.Second},                   // asked again once already
	} {
		if got := stallWait(c.stall, c.loaded, c.took); got.Round(time.Millisecond) != c.want {
			t.Errorf("stallWait(%v, %d B in %v) = %v, want %v", c.stall, c.loaded, c.took, got, c.want)
		}
	}
}
