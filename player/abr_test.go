package player

import (
	"math"
	"path/filepath"
	"testing"
	"time"

	"segue/catalog"
	"segue/net/abr/abrtest"
)

// TestABROnTraces is the short version of make bench-abr: 45 s of the most
// telling traces, in parallel, through the throttling proxy and the real
// fetch chain. Acceptance items of issue 12 it checks: no stall on a
// sustainable trace (1), an outage shorter than the buffer is not heard
// and a longer one pauses and resumes by itself, reported (2), and around
// each switch the output differs from the unswitched renditions only by
// the codec's overlap error (4); and a segment fetched again higher when
// the link comes back (abr.ReplaceRule) is the copy that plays.
func TestABROnTraces(t *testing.T) {
	const playFor = 45 * time.Second
	src, track := abrTrack(t, 60)
	for _, c := range []struct {
		trace  abrtest.Trace
		stalls bool // the trace is not sustainable: a stall must happen and end
		// replaces: when the link comes back, segments buffered at normal
		// at the end of the dip are fetched again at high (abr.ReplaceRule;
		// the model, net/abr/abrtest, replaces segments 17 and 18 at 40 s).
		replaces bool
	}{
		{trace: loadTrace(t, "norway-train-1")},
		{trace: loadTrace(t, "oscillation")},
		{trace: parseTrace(t, "steps-short", "0\t2\n10\t0.15\n30\t2\n50\t2\n")},
		{trace: parseTrace(t, "outage-5s-short", "0\t2\n15\t0\n20\t2\n40\t2\n")},
		{trace: parseTrace(t, "outage-25s", "0\t2\n10\t0\n35\t2\n60\t2\n"), stalls: true},
		{trace: parseTrace(t, "dip-28s", "0\t1\n10\t0.12\n38\t1\n60\t1\n"), replaces: true},
	} {
		t.Run(c.trace.Name, func(t *testing.T) {
			t.Parallel()
			wav := filepath.Join(t.TempDir(), "out.wav")
			run, err := playTrace(t, c.trace, src, track, playFor, "wav:"+wav)
			if err != nil {
				t.Fatal(err)
			}
			t.Log(tableHeader)
			t.Log(run.row())
			if !c.stalls && run.stats.Stalls != 0 {
				t.Errorf("%d stalls (%v) on a sustainable trace, want none", run.stats.Stalls, run.stats.Stalled)
			}
			if c.stalls {
				checkStallResumes(t, run)
			}
			if c.replaces {
				checkReplaced(t, run)
			}
			checkSwitchesClean(t, src, track, run, readWAV(t, wav))
		})
	}
}

// checkStallResumes: the outage longer than the buffer stalls playback,
// which resumes by itself and says so (a StallEvent when it starts and
// one with its duration when it ends, and playing state again).
func checkStallResumes(t *testing.T, run traceRun) {
	t.Helper()
	var started, ended bool
	var waited time.Duration
	var resumed bool // playing again after the stall began
	for _, e := range run.events {
		switch e := e.(type) {
		case StallEvent:
			if e.Ended {
				ended, waited = true, e.Duration
			} else {
				started = true
				if e.Unreachable {
					t.Error("a stall on a link that answers slowly says the origin does not answer")
				}
			}
		case StateEvent:
			resumed = resumed || started && e.State == Playing
		}
	}
	if run.stats.Stalls < 1 || !started || !ended || waited <= 0 {
		t.Errorf("outage longer than the buffer: %d stalls, stall reported %v, end reported %v after %v; want a stall that ends", run.stats.Stalls, started, ended, waited)
	}
	if run.stats.Played < 40*time.Second {
		t.Errorf("played %v after the outage, want playback to go on to 45 s", run.stats.Played)
	}
	if !resumed {
		t.Error("no playing state after the stall ended")
	}
}

// checkReplaced: a buffered segment was fetched again higher, and the new
// copy is what played (checkSwitchesClean then compares the output with
// the renditions played).
func checkReplaced(t *testing.T, run traceRun) {
	t.Helper()
	replaced := map[int]string{}
	for _, e := range run.events {
		switch e := e.(type) {
		case SegmentEvent:
			if e.Replaces != "" {
				replaced[e.Index] = e.Rendition
			}
		case RenditionEvent:
			if r, ok := replaced[e.Index]; ok && e.Rendition != r {
				t.Errorf("segment %d was replaced in %s but played in %s", e.Index, r, e.Rendition)
			}
		}
	}
	if len(replaced) == 0 {
		t.Error("no buffered segment was fetched again higher when the link came back")
	}
}

// checkSwitchesClean compares the output with each rendition decoded whole
// (the unswitched reference): equal away from switches, within the
// codec's overlap error (the splice test's bound, 0.25; a reservoir burst
// is 0.5 and more) in the two frames after one.
func checkSwitchesClean(t *testing.T, src *memSource, track catalog.Track, run traceRun, out [][2]float64) {
	t.Helper()
	man := src.manifests[track.ID]
	ref := map[string][][2]float64{}
	for _, r := range man.Renditions {
		ref[r.Name] = decodeWhole(t, src.files[track.ID+"-"+r.Name], man.TotalSamples)
	}
	segSamples := man.FramesPerSegment * man.SamplesPerFrame
	rend := make([]string, len(man.Renditions[0].Segments))
	var switches int
	for _, e := range run.events {
		if e, ok := e.(RenditionEvent); ok {
			for i := e.Index; i < len(rend); i++ {
				rend[i] = e.Rendition
			}
			if e.Switch {
				switches++
			}
		}
	}
	if switches == 0 {
		t.Fatalf("no switch of rendition on %s: nothing to compare (the climb from the lowest should be one)", run.trace.Name)
	}
	var near, far float64
	for s := range out {
		d := s + catalog.StartSkip // the decoded sample it comes from
		seg := min(d/segSamples, len(rend)-1)
		r := ref[rend[seg]]
		diff := max(math.Abs(out[s][0]-r[s][0]), math.Abs(out[s][1]-r[s][1]))
		if seg > 0 && rend[seg] != rend[seg-1] && d%segSamples < 2*man.SamplesPerFrame+529 {
			near = max(near, diff)
		} else {
			far = max(far, diff)
		}
	}
	t.Logf("%d switches: max |diff| near them %.4f, elsewhere %.7f", switches, near, far)
	if near >= 0.25 {
		t.Errorf("switch error %.3f: a burst, not codec overlap", near)
	}
	if far > 1e-6 {
		t.Errorf("away from switches the output differs from the rendition played by %.6f", far)
	}
}
