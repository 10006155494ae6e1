package player

import (
	"reflect"
	"slices"
	"testing"

	"segue/catalog"
)

// A command that starts a track says playing at once, whatever the state
// before, as Resume does: the status segue ctl open printed right after
// the command said stopped (the render loop had not opened the track yet).
func TestStartSaysPlaying(t *testing.T) {
	for _, c := range []struct {
		name  string
		start func(p *Player)
	}{
		{"Play", func(p *Player) { p.Play(ts("a b")...) }},
		{"Add to an empty queue", func(p *Player) { p.Add(ts("a b")...) }},
		{"PlayNext to an empty queue", func(p *Player) { p.PlayNext(ts("a b")...) }},
		{"Jump after Stop", func(p *Player) { p.Play(ts("a b")...); p.Stop(); p.Jump(1) }},
		{"Play after Pause", func(p *Player) { p.Play(ts("a")...); p.Pause(); p.Play(ts("b")...) }},
	} {
		// not opened: no render loop moves the state on, so what the
		// command itself set is what Status says
		p := New(Options{Segments: newMemSource(), Manifests: newMemSource(), Output: NewNull()})
		c.start(p)
		if st := p.Status(); st.State != Playing {
			t.Errorf("%s: state %s right after, want playing", c.name, st.State)
		}
	}
}

// Next with an empty queue does nothing: it is no queue ending, on which
// the interface starts a radio after the last track heard (segue ctl queue
// clear, then segue ctl next, played a radio after the cleared track).
func TestNextOnEmptyQueue(t *testing.T) {
	p := New(Options{Segments: newMemSource(), Manifests: newMemSource(), Output: NewNull(), EventBuffer: 64})
	p.Play(ts("a b")...)
	p.Clear()
	for len(p.Events()) > 0 {
		<-p.Events()
	}
	p.Next()
	for len(p.Events()) > 0 {
		if e, ok := (<-p.Events()).(EndEvent); ok {
			t.Errorf("Next on an empty queue: %T, want no event", e)
		}
	}
	if st := p.Status(); st.State != Stopped || st.Index != -1 {
		t.Errorf("after Next on an empty queue: %s at %d, want stopped at -1", st.State, st.Index)
	}
}

// Resume after the queue ran out plays it again from its first track; it
// did nothing (segue ctl play said "stopped, queue 2 tracks"). With an
// empty queue it stays stopped.
func TestResumeAfterTheEnd(t *testing.T) {
	p := New(Options{Segments: newMemSource(), Manifests: newMemSource(), Output: NewNull()})
	p.Restore(SavedState{Tracks: ts("a b"), Index: -1, Volume: 100, Repeat: "off"}) // a queue that ran out
	p.Resume()
	if st := p.Status(); st.State != Playing || st.Index != 0 {
		t.Errorf("Resume after the end: %s at %d, want playing at 0", st.State, st.Index)
	}
	toggled := New(Options{Segments: newMemSource(), Manifests: newMemSource(), Output: NewNull()})
	toggled.Restore(SavedState{Tracks: ts("a b"), Index: -1, Volume: 100, Repeat: "off"})
	toggled.TogglePause() // the interface's space, segue ctl toggle
	if st := toggled.Status(); st.State != Playing || st.Index != 0 {
		t.Errorf("TogglePause after the end: %s at %d, want playing at 0", st.State, st.Index)
	}
	empty := New(Options{Segments: newMemSource(), Manifests: newMemSource(), Output: NewNull()})
	empty.Resume()
	if st := empty.Status(); st.State != Stopped || st.Index != -1 {
		t.Errorf("Resume of an empty queue: %s at %d, want stopped at -1", st.State, st.Index)
	}
}

// Removing the current track when it is the last ends the queue, as Next
// does: the state said playing with no track (index -1) until another
// command, and no EndEvent came, so segue play never finished.
func TestRemoveLastCurrentEnds(t *testing.T) {
	p := New(Options{Segments: newMemSource(), Manifests: newMemSource(), Output: NewNull(), EventBuffer: 64})
	p.Play(ts("a b")...)
	p.Jump(1)
	for len(p.Events()) > 0 {
		<-p.Events()
	}
	p.Remove(1)
	ended := false
	for len(p.Events()) > 0 {
		if _, ok := (<-p.Events()).(EndEvent); ok {
			ended = true
		}
	}
	if st := p.Status(); st.State != Stopped || st.Index != -1 || !ended {
		t.Errorf("after removing the current last track: %s at %d, EndEvent %v; want stopped at -1 and an EndEvent", st.State, st.Index, ended)
	}
}

// Clear with a track current ends the queue: EndEvent, Cleared (segue play
// finishes on it; the interface's autoplay passes over it). A queue that
// had already ended ends no more.
func TestClearEndsTheQueue(t *testing.T) {
	p := New(Options{Segments: newMemSource(), Manifests: newMemSource(), Output: NewNull(), EventBuffer: 64})
	ends := func() (n int, cleared bool) {
		for len(p.Events()) > 0 {
			if e, ok := (<-p.Events()).(EndEvent); ok {
				n, cleared = n+1, e.Cleared
			}
		}
		return n, cleared
	}
	p.Play(ts("a b")...)
	p.Stop()
	ends()
	p.Clear()
	if n, cleared := ends(); n != 1 || !cleared {
		t.Errorf("Clear of a stopped queue: %d EndEvents (cleared %v), want one, cleared", n, cleared)
	}
	if st := p.Status(); st.State != Stopped || st.Index != -1 || len(st.Queue) != 0 {
		t.Errorf("after Clear: %s at %d of %d, want stopped at -1 of 0", st.State, st.Index, len(st.Queue))
	}
	p.Restore(SavedState{Tracks: ts("a b"), Index: -1, Volume: 100, Repeat: "off"}) // a queue that ran out
	ends()
	p.Clear()
	if n, _ := ends(); n != 0 {
		t.Errorf("Clear of a queue that had run out: %d EndEvents, want none", n)
	}
}

// AddRadio's marks are in Status and the saved state for the tracks still
// queued, and go with them (they were the interface's alone: lost on a
// restart, unseen by segue ctl).
func TestMarkRadio(t *testing.T) {
	p := New(Options{Segments: newMemSource(), Manifests: newMemSource(), Output: NewNull()})
	p.Play(ts("a")...)
	radio := ts("b c")
	p.AddRadio(radio...)
	if got := p.Status().Radio; !reflect.DeepEqual(got, map[string]bool{"b": true, "c": true}) {
		t.Fatalf("Status().Radio = %v, want b and c", got)
	}
	p.Remove(1) // b
	if got := p.Snapshot().Radio; !slices.Equal(got, []string{"c"}) {
		t.Errorf("saved radio marks after removing b: %v, want [c]", got)
	}
	q := New(Options{Segments: newMemSource(), Manifests: newMemSource(), Output: NewNull()})
	q.Restore(p.Snapshot())
	if got := q.Status().Radio; !reflect.DeepEqual(got, map[string]bool{"c": true}) {
		t.Errorf("restored Status().Radio = %v, want c", got)
	}
	p.Clear()
	if got := p.Status().Radio; got != nil {
		t.Errorf("Status().Radio after Clear = %v, want none", got)
	}
}

// A track the listener queued is not the radio's: queued by hand after a
// radio had queued it (and it was taken out, or the queue cleared) it kept
// the radio's mark. A radio's pick of a track the listener had queued
// marks both (marks go by ID).
func TestRadioMarksSpareTheListenersTracks(t *testing.T) {
	for _, c := range []struct {
		name  string
		queue func(p *Player, tr ...catalog.Track)
	}{
		{"Play", (*Player).Play}, {"PlayNext", (*Player).PlayNext}, {"Add", (*Player).Add},
	} {
		p := New(Options{Segments: newMemSource(), Manifests: newMemSource(), Output: NewNull()})
		p.Play(ts("a")...)
		p.AddRadio(ts("b c")...)
		p.Remove(2) // c
		c.queue(p, ts("c")...)
		if got := p.Status().Radio; !reflect.DeepEqual(got, map[string]bool{"b": true}) {
			t.Errorf("%s of c after the radio's c was removed: Status().Radio = %v, want b alone", c.name, got)
		}
		p.Clear()
		c.queue(p, ts("b")...)
		if got := p.Status().Radio; got != nil {
			t.Errorf("%s of b after Clear: Status().Radio = %v, want none", c.name, got)
		}
		p.AddRadio(ts("b d")...) // b is the listener's too
		if got := p.Status().Radio; !reflect.DeepEqual(got, map[string]bool{"b": true, "d": true}) {
			t.Errorf("a radio's b and d after the listener's b (%s): Status().Radio = %v, want b and d", c.name, got)
		}
	}
}
