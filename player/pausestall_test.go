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
	// The play head reaches segment 1, held back. (Whether it waited for
	// segment 0 first, a buffering then playing, depends on the machine.)
	deadline := time.Now().Add(10 * time.Second)
	for st := p.Status(); st.State != Buffering || st.Position == 0; st = p.Status() {
		if time.Now().After(deadline) {
			t.Fatalf("state %v at %v; want buffering past the first segment, waiting for the second", st.State, st.Position)
		}
		select {
		case <-p.Events(): // older states: not to be taken for the ones after
		case <-time.After(10 * time.Millisecond):
		}
	}
	for len(p.Events()) > 0 {
		<-p.Events()
	}
	p.Pause()
	p.Resume()
	if st := p.Status().State; st != Buffering {
		t.Errorf("resumed while segment 1 is still awaited: state %v, want buffering", st)
	}
	close(g.asked) // the segment comes
	waitState(t, p, Playing)
	waitEnd(t, p)
}
