package player

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"segue/catalog"
)

// slowLink is a segment source behind one link of kbps kbit/s: downloads
// take their turn on it, each as long as its bytes take at that rate (a
// bottleneck link), and a download given up before its bytes crossed is
// counted by rendition.
type slowLink struct {
	src    *memSource
	kbps   float64
	link   sync.Mutex // held while a download's bytes cross the link
	mu     sync.Mutex // guards gaveUp
	gaveUp map[string]int
	rend   map[string]string // hash -> rendition
}

func newSlowLink(src *memSource, man *catalog.Manifest, kbps float64) *slowLink {
	s := &slowLink{src: src, kbps: kbps, gaveUp: map[string]int{}, rend: map[string]string{}}
	for _, r := range man.Renditions {
		for _, seg := range r.Segments {
			s.rend[seg.Hash] = r.Name
		}
	}
	return s
}

func (s *slowLink) Segment(ctx context.Context, hash string, u Urgency) ([]byte, Source, error) {
	b, _, err := s.src.Segment(ctx, hash, u)
	if err != nil {
		return nil, "", err
	}
	s.link.Lock()
	defer s.link.Unlock()
	t := time.NewTimer(time.Duration(float64(len(b)) * 8 / s.kbps * float64(time.Millisecond)))
	defer t.Stop()
	select {
	case <-t.C:
		return b, catalog.SourceOrigin, nil
	case <-ctx.Done():
		s.mu.Lock()
		s.gaveUp[s.rend[hash]]++
		s.mu.Unlock()
		return nil, "", ctx.Err()
	}
}

// A switch to a higher fixed quality on a link too slow to carry it. With
// the read-ahead window full, upgradeAhead fetched again the nearest
// buffered segment, which the decoder took in its lower copy before the
// new one arrived: given up, then the next nearest, the same, the fetcher
// busy with downloads never heard while the buffer drained (on a
// 200 kbit/s link, where a 320k segment of 2.5 s takes 4 s, segue play
// --quality low then segue ctl quality high spent 4.5 s so). Fetching
// only those that arrive in time played high and low in turns, a segment
// each. On a link the estimate says does not carry the level
// (abr.LinkCarries) nothing is fetched again now: no download is given
// up, what is buffered plays out, then high, and Status tells the
// interface the link's rate so that its status line says so.
func TestSwitchUpOnASlowLinkFetchesNothingAgain(t *testing.T) {
	src, tr := oneTrack(t, "aevalsrc='0.4*sin(2*PI*440*t)|0.3*sin(2*PI*660*t)':s=44100:c=stereo", 25)
	man, err := src.Manifest(context.Background(), tr.ID)
	if err != nil {
		t.Fatal(err)
	}
	const kbps = 200
	link := newSlowLink(src, man, kbps)
	out, err := CreateWAV(filepath.Join(t.TempDir(), "out.wav"), WAVFloat32, true)
	if err != nil {
		t.Fatal(err)
	}
	p := New(Options{Segments: link, Manifests: src, Output: out, Loudness: LoudnessOff, Quality: catalog.RenditionLow,
		ReadAhead: 10 * time.Second, RetryBackoff: time.Millisecond})
	if err := p.Open(); err != nil {
		t.Fatal(err)
	}
	p.Play(tr)
	var (
		switchedAt = time.Duration(-1)
		position   time.Duration
		linkKbps   float64
		plays      []RenditionEvent
		replaced   int
	)
	deadline := time.After(2 * time.Minute)
	for done := false; !done; {
		select {
		case e := <-p.Events():
			switch e := e.(type) {
			case PositionEvent:
				position = e.Position
			case BufferEvent:
				// the window full: 4 segments of 2.5 s
				if switchedAt < 0 && e.Ahead >= 9*time.Second {
					switchedAt = position
					p.SetQuality(catalog.RenditionHigh)
					linkKbps = p.Status().LinkKbps
				}
			case RenditionEvent:
				plays = append(plays, e)
			case SegmentEvent:
				if e.Replaces != "" {
					replaced++
				}
			case EndEvent:
				done = true
			}
		case <-deadline:
			t.Fatalf("did not end within 2 minutes; renditions played %v", plays)
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	out.Close()
	if switchedAt < 0 {
		t.Fatal("the read-ahead window never filled: no switch made")
	}
	link.mu.Lock()
	gaveUp := link.gaveUp[catalog.RenditionHigh]
	link.mu.Unlock()
	t.Logf("switched to high at %v: renditions played %v; %d segments fetched again, %d high downloads given up; link estimate %.0f kbit/s", switchedAt, plays, replaced, gaveUp, linkKbps)
	if gaveUp > 0 || replaced > 0 {
		t.Errorf("on a %d kbit/s link %d downloads of high were given up and %d segments fetched again, want none: 320k does not fit", kbps, gaveUp, replaced)
	}
	// measured at the fixed quality: the downloads took as long as the link made them
	if linkKbps < kbps/2 || linkKbps > kbps*1.1 {
		t.Errorf("Status().LinkKbps = %.0f at the switch, want the link's rate, about %d", linkKbps, kbps)
	}
	for i := 1; i < len(plays); i++ {
		if plays[i].Rendition != catalog.RenditionHigh {
			t.Errorf("played %v: after a switch to high, each change of rendition must be to high", plays)
			break
		}
	}
}
