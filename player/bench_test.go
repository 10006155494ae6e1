package player

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"segue/catalog"
)

// firstWrite is an output that reports the first Write after arm.
type firstWrite struct {
	mu    sync.Mutex // guards armed
	armed chan struct{}
}

func (o *firstWrite) arm() chan struct{} {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.armed = make(chan struct{})
	return o.armed
}

func (o *firstWrite) Write([][2]float64) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.armed != nil {
		close(o.armed)
		o.armed = nil
	}
	return nil
}

func (o *firstWrite) Close() error { return nil }

// httpSource fetches segments from an HTTP server, like the origin client
// with an empty cache (no hash check, no cache write).
type httpSource struct {
	base   string
	client *http.Client
}

func (h *httpSource) Segment(ctx context.Context, hash string, _ Urgency) ([]byte, Source, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.base+"/chunks/"+hash, nil)
	if err != nil {
		return nil, "", err
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("GET chunk %s: %s", hash, resp.Status)
	}
	b, err := io.ReadAll(resp.Body)
	return b, catalog.SourceOrigin, err
}

func benchFirstAudio(b *testing.B, segs SegmentSource, src *memSource, tr catalog.Track) {
	out := &firstWrite{}
	p := New(Options{Segments: segs, Manifests: src, Output: out})
	if err := p.Open(); err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	go func() { // drain events like a UI would
		for range p.Events() {
		}
	}()
	var lat []time.Duration
	b.ResetTimer()
	for range b.N {
		ch := out.arm()
		t0 := time.Now()
		p.Play(tr)
		select {
		case <-ch:
		case <-time.After(10 * time.Second):
			b.Fatal("no audio within 10 s")
		}
		lat = append(lat, time.Since(t0))
		p.Clear()
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
}

// BenchmarkTimeToFirstAudio measures Play -> first sample handed to the
// output. Run with -benchtime=50x for 50 plays.
func BenchmarkTimeToFirstAudio(b *testing.B) {
	src, tr := oneTrack(b, testPiece, 6, catalog.RenditionHigh)
	b.Run("memory", func(b *testing.B) { benchFirstAudio(b, src, src, tr) })
	b.Run("http-loopback", func(b *testing.B) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			src.mu.Lock()
			data, ok := src.segs[strings.TrimPrefix(r.URL.Path, "/chunks/")]
			src.mu.Unlock()
			if !ok {
				http.NotFound(w, r)
				return
			}
			w.Write(data)
		}))
		defer srv.Close()
		benchFirstAudio(b, &httpSource{base: srv.URL, client: srv.Client()}, src, tr)
	})
}

// BenchmarkPlay320kNull plays 60 s of 320k audio to the real-time null
// output and reports the process's CPU use (percent of one core) and RSS.
func BenchmarkPlay320kNull(b *testing.B) {
	const seconds = 60
	src, tr := oneTrack(b, longPiece(seconds), seconds, catalog.RenditionHigh)
	for range b.N {
		var before, after syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &before)
		t0 := time.Now()
		p := New(Options{Segments: src, Manifests: src, Output: NewNull()})
		if err := p.Open(); err != nil {
			b.Fatal(err)
		}
		p.Play(tr)
		waitEnd(b, p)
		p.Close()
		wall := time.Since(t0)
		syscall.Getrusage(syscall.RUSAGE_SELF, &after)
		cpu := time.Duration(after.Utime.Nano()+after.Stime.Nano()-before.Utime.Nano()-before.Stime.Nano()) * time.Nanosecond
		b.ReportMetric(100*cpu.Seconds()/wall.Seconds(), "cpu-%")
		b.ReportMetric(float64(after.Maxrss)/1024, "maxrss-MB")
		b.ReportMetric(vmRSS()/1024, "rss-MB")
	}
}

// vmRSS reads the resident set in KiB from /proc/self/status.
func vmRSS() float64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			var kb float64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(l, "VmRSS:"), "kB")), &kb)
			return kb
		}
	}
	return 0
}

// discard is an output that takes samples as fast as they come.
type discard struct{}

func (discard) Write([][2]float64) error { return nil }
func (discard) Close() error             { return nil }

// BenchmarkRender320k renders a 20 s 320k track as fast as possible and
// reports the CPU time it took as a share of the audio's duration: the
// engine's own cost (fetch from memory, decode, trim, gain) while playing,
// in percent of one core, independent of how busy the machine is.
func BenchmarkRender320k(b *testing.B) {
	const seconds = 20
	src, tr := oneTrack(b, longPiece(seconds), seconds, catalog.RenditionHigh)
	p := New(Options{Segments: src, Manifests: src, Output: discard{}})
	if err := p.Open(); err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	var before, after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	b.ResetTimer()
	for range b.N {
		p.Play(tr)
		waitEnd(b, p)
		p.Clear()
	}
	b.StopTimer()
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
	b.ReportMetric(float64(b.N)*seconds/b.Elapsed().Seconds(), "x-realtime-wall")
	b.ReportMetric(100*cpu.Seconds()/(float64(b.N)*seconds), "cpu-%-of-playback")
}

// longPiece is testPiece lasting a little over seconds.
func longPiece(seconds int) string {
	return strings.Replace(testPiece, "d=12", fmt.Sprintf("d=%d", seconds+1), 1)
}
