package player

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"segue/cache"
	"segue/catalog"
	"segue/net/abr/abrtest"
	"segue/net/fetch"
	"segue/net/originclient"
)

// The ABR harness: a track served from memory as /chunks, the throttling
// proxy replaying a trace in front of it, and the real fetch chain (origin
// client, fetcher, an empty SQLite cache) feeding a player at auto.

// abrTrack encodes a piece of the given length in the three renditions.
func abrTrack(t testing.TB, seconds int) (*memSource, catalog.Track) {
	t.Helper()
	needFFmpeg(t)
	path := filepath.Join(t.TempDir(), "piece.wav")
	n := int64(seconds) * catalog.SampleRate
	makeWAV(t, path, longPiece(seconds), n)
	src := newMemSource()
	return src, addTrack(t, src, "abr", path, n)
}

// chunkServer serves src's segments at /chunks/HASH.
func chunkServer(t testing.TB, src *memSource) *url.URL {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		src.mu.Lock()
		b, ok := src.segs[strings.TrimPrefix(r.URL.Path, "/chunks/")]
		src.mu.Unlock()
		if !ok { // as a segue origin answers (origin/server_chunks.go)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"error":"chunk %s not found"}`, strings.TrimPrefix(r.URL.Path, "/chunks/"))
			return
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return u
}

// chainPlayer is a player on the real fetch chain: src's segments served
// over loopback HTTP as /chunks, the origin client, the fetcher and an
// empty SQLite cache; the manifests come from src (as a document fetched
// before the origin changed would). Output is an unpaced WAV.
func chainPlayer(t *testing.T, src *memSource, opts Options) *Player {
	t.Helper()
	return chainPlayerAt(t, chunkServer(t, src).String(), src, opts)
}

// chainPlayerAt is chainPlayer with the origin at originURL; the manifests
// come from opts.Manifests and the samples go to opts.Output when set (a
// paced output, for stalls: an unpaced one never stalls).
func chainPlayerAt(t *testing.T, originURL string, src *memSource, opts Options) *Player {
	t.Helper()
	client, err := originclient.New(originURL, originclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return chainPlayerWith(t, client, src, opts)
}

// chainPlayerWith is chainPlayerAt asking the origin through client.
func chainPlayerWith(t *testing.T, client *originclient.Client, src *memSource, opts Options) *Player {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	c, err := cache.Open(filepath.Join(t.TempDir(), "cache.db"), cache.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if opts.Output == nil {
		out, err := CreateWAV(filepath.Join(t.TempDir(), "out.wav"), WAVFloat32, false)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { out.Close() })
		opts.Output = out
	}
	opts.Segments = fetch.New(c, []fetch.Tier{{Source: catalog.SourceOrigin, Remote: client}}, fetch.Options{Logger: quiet, Backoff: time.Millisecond})
	if opts.Manifests == nil {
		opts.Manifests = src
	}
	opts.Cached = c
	if opts.RetryBackoff == 0 {
		opts.RetryBackoff = 10 * time.Millisecond
	}
	p := New(opts)
	if err := p.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// originManifests is the origin client as the player's ManifestSource.
type originManifests struct{ c *originclient.Client }

func (o originManifests) Manifest(ctx context.Context, id string) (*catalog.Manifest, error) {
	m, err := o.c.Manifest(ctx, id)
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// traceRun is the outcome of playing on one trace.
type traceRun struct {
	trace  abrtest.Trace
	stats  Stats
	events []Event
	at     []time.Duration // when each event arrived, from the start of playback
	// oracle is the clairvoyant mean bitrate for the segments played
	// (oracleOK false: no plan avoids a stall).
	oracle   float64
	oracleOK bool
	segments int
	// climbed is the switches after the first segment at the top level,
	// and the minutes played from then.
	climbed        int
	climbedMinutes float64
}

// playTrace plays track from src through a proxy replaying tr for playFor
// (or to its end) to output (a spec for ParseOutput; "null" is paced). It
// may run on a goroutine of its own (make bench-abr plays the traces side
// by side), so it returns its failures instead of stopping the test.
func playTrace(t testing.TB, tr abrtest.Trace, src *memSource, track catalog.Track, playFor time.Duration, output string) (traceRun, error) {
	proxy := httptest.NewServer(abrtest.NewProxy(chunkServer(t, src), abrtest.NewLink(tr)))
	defer proxy.Close()
	client, err := originclient.New(proxy.URL, originclient.Options{})
	if err != nil {
		return traceRun{}, err
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	c, err := cache.Open(filepath.Join(t.TempDir(), "cache.db"), cache.Options{Logger: quiet})
	if err != nil {
		return traceRun{}, err
	}
	defer c.Close()
	out, err := ParseOutput(output, OutputOptions{})
	if err != nil {
		return traceRun{}, err
	}
	p := New(Options{
		Segments:  fetch.New(c, []fetch.Tier{{Source: catalog.SourceOrigin, Remote: client}}, fetch.Options{Logger: quiet}),
		Manifests: src, Output: out, Cached: c, Loudness: LoudnessOff,
	})
	if err := p.Open(); err != nil {
		return traceRun{}, err
	}
	p.Play(track)
	run := traceRun{trace: tr}
	t0 := time.Now()
	deadline := time.After(playFor + 3*time.Minute)
loop:
	for {
		select {
		case e := <-p.Events():
			run.events = append(run.events, e)
			run.at = append(run.at, time.Since(t0))
			switch e := e.(type) {
			case EndEvent:
				break loop
			case PositionEvent:
				if e.Position >= playFor {
					break loop
				}
			}
		case <-deadline:
			p.Close()
			out.Close()
			return run, fmt.Errorf("%s: playback did not reach %v; status %+v; last events %v", tr.Name, playFor, p.Status(), tail(run.events, 5))
		}
	}
	run.stats = p.Stats()
	if err := errors.Join(p.Close(), out.Close()); err != nil {
		return run, err
	}
	man := src.manifests[track.ID]
	lad := newLadder(man, "")
	segDur := samplesToDuration(int64(man.FramesPerSegment * man.SamplesPerFrame))
	run.segments = min(int((run.stats.Played+segDur-1)/segDur), len(man.Renditions[0].Segments))
	// The oracle plans with the read-ahead the player used: it may start a
	// download that much before the segment plays; the player, when the
	// segments between the one being read and it hold less than that (with
	// 2.508 s segments, from 20.06 s before it plays).
	plan := abrtest.Plan{Segment: segDur, Buffer: p.opts.ReadAhead}
	for _, r := range lad.rends {
		plan.Kbps = append(plan.Kbps, r.Bitrate)
		var sizes []int64
		for _, s := range r.Segments[:run.segments] {
			sizes = append(sizes, s.Size)
		}
		plan.Sizes = append(plan.Sizes, sizes)
	}
	run.oracle, run.oracleOK = abrtest.Oracle(tr, plan)
	top := lad.rends[len(lad.rends)-1].Name
	climbedAt := -1
	for _, e := range run.events {
		if e, ok := e.(RenditionEvent); ok {
			if climbedAt < 0 && e.Rendition == top {
				climbedAt = e.Index
			} else if climbedAt >= 0 && e.Switch {
				run.climbed++
			}
		}
	}
	if climbedAt >= 0 {
		run.climbedMinutes = (time.Duration(run.segments-climbedAt) * segDur).Minutes()
	}
	return run, nil
}

// log writes the run's downloads, abandons, switches and stalls, one a
// line with the time it was reported (make bench-abr ABR_LOG=DIR), to
// compare a real run with net/abr/abrtest's model of the same trace.
func (r traceRun) log(w io.Writer) {
	for i, e := range r.events {
		var s string
		switch e := e.(type) {
		case SegmentEvent:
			s = fmt.Sprintf("segment %2d: %s from %s, %d bytes in %.2f s", e.Index, e.Rendition, e.From, e.Bytes, e.Took.Seconds())
			if e.Replaces != "" {
				s += ", replacing " + e.Replaces
			}
		case AbandonEvent:
			s = fmt.Sprintf("segment %2d: abandoned %s for %s: %s", e.Index, e.Rendition, e.Instead, e.Reason)
		case RenditionEvent:
			s = fmt.Sprintf("playing %2d: %s (switch %v)", e.Index, e.Rendition, e.Switch)
		case StallEvent:
			s = fmt.Sprintf("stall at %v (ended %v after %v)", e.Position, e.Ended, e.Duration)
		default:
			continue
		}
		fmt.Fprintf(w, "%6.2fs %s\n", r.at[i].Seconds(), s)
	}
}

// qoe is Pensieve's linear QoE per segment: bitrate in Mbit/s, minus 4.3
// per second stalled, minus the change of bitrate between segments.
func (r traceRun) qoe() float64 {
	n := float64(max(r.segments, 1))
	return (r.stats.MeanKbps*n/1000 - 4.3*r.stats.Stalled.Seconds() - r.stats.BitrateChange/1000) / n
}

func (r traceRun) switchesPerMinute() float64 {
	return float64(r.stats.Switches) / max(r.stats.Played.Minutes(), 1e-9)
}

// row is the run as one line of make bench-abr's table.
func (r traceRun) row() string {
	oracle, share := "-", "-"
	if r.oracleOK {
		oracle = fmt.Sprintf("%.0f", r.oracle)
		share = fmt.Sprintf("%.0f%%", 100*r.stats.MeanKbps/r.oracle)
	}
	return fmt.Sprintf("%-20s %5.0fs %6d %9d %10.0f %7s %6s %12.2f %10d %7.3f",
		r.trace.Name, r.stats.Played.Seconds(), r.stats.Stalls, r.stats.Stalled.Milliseconds(), r.stats.MeanKbps, oracle, share,
		r.switchesPerMinute(), r.stats.Startup.Milliseconds(), r.qoe())
}

const tableHeader = "trace                played stalls  stall ms  mean kbps  oracle  share switches/min startup ms     QoE"

// loadTrace reads testdata/traces/NAME.txt.
func loadTrace(t testing.TB, name string) abrtest.Trace {
	t.Helper()
	tr, err := abrtest.LoadTrace(filepath.Join("..", "testdata", "traces", name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// parseTrace reads a trace written in a test.
func parseTrace(t testing.TB, name, s string) abrtest.Trace {
	t.Helper()
	tr, err := abrtest.ParseTrace(name, strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}
