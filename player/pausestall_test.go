package player

import (
	"testing"
	"time"

	"segue/catalog"
)

// waitState reads events until a StateEvent says want, failing after 10 s.
func waitState(t *testing.T, p *Player, want State) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case e := <-p.Events():
			if e, ok := e.(StateEvent); ok && e.State == want {
				return
			}
		case <-deadline:
			t.Fatalf("state %v, want %v", p.Status().State, want)
		}
	}
}

// Pausing while the play head waits for a segment, then resuming before
// it came (space twice, segue ctl toggle, MPRIS PlayPause), said
// "playing" (segue ctl status, the interface) for the rest of the stall:
// the wait had begun before the pause and was not said again. Resume
// now says buffering while the current track still waits.
func TestResumeDuringAStallSaysBuffering(t *testing.T) {
	src, tr := oneTrack(t, testPiece, 6, catalog.RenditionLow)
	g := &gatedSource{memSource: src, gate: src.manifests[tr.ID].Renditions[0].Segments[1].Hash, asked: make(chan struct{})}
	out, err := CreateWAV(t.TempDir()+"/out.wav", WAVFloat32, false)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	p := New(Options{Segments: g, Manifests: src, Output: out, Loudness: LoudnessOff})
	if err := p.Open(); err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.Play(tr)
	waitState(t, p, Buffering) // the first segment: startup
	waitState(t, p, Playing)
	waitState(t, p, Buffering) // the second, held back
	p.Pause()
	p.Resume()
	if st := p.Status().State; st != Buffering {
		t.Errorf("resumed while segment 1 is still awaited: state %v, want buffering", st)
	}
	close(g.asked) // the segment comes
	waitState(t, p, Playing)
	waitEnd(t, p)
}
