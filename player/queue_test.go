package player

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"segue/catalog"
)

func ts(ids string) []catalog.Track {
	var out []catalog.Track
	for _, id := range strings.Fields(ids) {
		out = append(out, catalog.Track{ID: id})
	}
	return out
}

func ids(q *Queue) string {
	var s []string
	for i, t := range q.Tracks() {
		if i == q.Index() {
			s = append(s, "["+t.ID+"]")
		} else {
			s = append(s, t.ID)
		}
	}
	return strings.Join(s, " ")
}

func TestQueue(t *testing.T) {
	for _, c := range []struct {
		name string
		do   func(q *Queue)
		want string
	}{
		{"add to empty makes the first current", func(q *Queue) { q.Add(ts("a b")...) }, "[a] b"},
		{"add appends", func(q *Queue) { q.Add(ts("a b")...); q.Add(ts("c")...) }, "[a] b c"},
		{"play now inserts after current and jumps", func(q *Queue) { q.Add(ts("a b")...); q.PlayNow(ts("x y")...) }, "a [x] y b"},
		{"play now on empty", func(q *Queue) { q.PlayNow(ts("x")...) }, "[x]"},
		{"play now after the end appends", func(q *Queue) { q.Add(ts("a b")...); q.Jump(1); q.Next(); q.PlayNow(ts("x")...) }, "a b [x]"},
		{"play next", func(q *Queue) { q.Add(ts("a b")...); q.PlayNext(ts("x")...) }, "[a] x b"},
		{"add after the end plays what was added", func(q *Queue) { q.Add(ts("a b")...); q.Jump(1); q.Next(); q.Add(ts("x y")...) }, "a b [x] y"},
		{"play next after the end plays it", func(q *Queue) { q.Add(ts("a b")...); q.Jump(1); q.Next(); q.PlayNext(ts("x")...) }, "a b [x]"},
		{"play next on empty", func(q *Queue) { q.PlayNext(ts("x y")...) }, "[x] y"},
		{"remove before current", func(q *Queue) { q.Add(ts("a b c")...); q.Jump(2); q.Remove(0) }, "b [c]"},
		{"remove current moves on", func(q *Queue) { q.Add(ts("a b c")...); q.Remove(0) }, "[b] c"},
		{"remove last current leaves none", func(q *Queue) { q.Add(ts("a b")...); q.Jump(1); q.Remove(1) }, "a"},
		{"remove out of range", func(q *Queue) { q.Add(ts("a")...); q.Remove(5) }, "[a]"},
		{"move current", func(q *Queue) { q.Add(ts("a b c")...); q.Move(0, 2) }, "b c [a]"},
		{"move across current forward", func(q *Queue) { q.Add(ts("a b c")...); q.Jump(1); q.Move(0, 2) }, "[b] c a"},
		{"move across current back", func(q *Queue) { q.Add(ts("a b c")...); q.Jump(1); q.Move(2, 0) }, "c a [b]"},
		{"clear", func(q *Queue) { q.Add(ts("a b")...); q.Clear() }, ""},
		{"next", func(q *Queue) { q.Add(ts("a b")...); q.Next() }, "a [b]"},
		{"next at end stops", func(q *Queue) { q.Add(ts("a b")...); q.Jump(1); q.Next() }, "a b"},
		{"next at end wraps with repeat all", func(q *Queue) { q.Add(ts("a b")...); q.SetRepeat(RepeatAll); q.Jump(1); q.Next() }, "[a] b"},
		{"advance with repeat one stays", func(q *Queue) { q.Add(ts("a b")...); q.SetRepeat(RepeatOne); q.Advance() }, "[a] b"},
		{"next with repeat one skips", func(q *Queue) { q.Add(ts("a b")...); q.SetRepeat(RepeatOne); q.Next() }, "a [b]"},
		{"previous early goes back", func(q *Queue) { q.Add(ts("a b")...); q.Jump(1); q.Previous(time.Second) }, "[a] b"},
		{"previous late restarts", func(q *Queue) { q.Add(ts("a b")...); q.Jump(1); q.Previous(4 * time.Second) }, "a [b]"},
		{"previous on first restarts", func(q *Queue) { q.Add(ts("a b")...); q.Previous(0) }, "[a] b"},
		{"previous on first wraps with repeat all", func(q *Queue) { q.Add(ts("a b")...); q.SetRepeat(RepeatAll); q.Previous(0) }, "a [b]"},
	} {
		q := NewQueue()
		c.do(q)
		if got := ids(q); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestQueuePeekAdvance(t *testing.T) {
	for _, c := range []struct {
		repeat Repeat
		cur    int
		want   int
	}{
		{RepeatOff, 0, 1}, {RepeatOff, 2, -1}, {RepeatAll, 2, 0}, {RepeatOne, 1, 1},
	} {
		q := NewQueue()
		q.Add(ts("a b c")...)
		q.Jump(c.cur)
		q.SetRepeat(c.repeat)
		if got := q.PeekAdvance(); got != c.want {
			t.Errorf("repeat %v at %d: peek %d, want %d", c.repeat, c.cur, got, c.want)
		}
		if c.want >= 0 {
			q.Advance()
			if q.Index() != c.want {
				t.Errorf("repeat %v at %d: advance to %d, peek said %d", c.repeat, c.cur, q.Index(), c.want)
			}
		}
	}
}

func TestQueueShuffleKeepsCurrentAndTracks(t *testing.T) {
	q := NewQueue()
	q.Add(ts("a b c d e f g h")...)
	q.Jump(2)
	q.SetShuffle(true, rand.New(rand.NewPCG(1, 2)))
	got := q.Tracks()
	if q.Index() != 2 || got[2].ID != "c" || got[0].ID != "a" || got[1].ID != "b" {
		t.Fatalf("shuffle moved the current track or the played ones: %s", ids(q))
	}
	var rest []string
	for _, tr := range got[3:] {
		rest = append(rest, tr.ID)
	}
	if strings.Join(rest, "") == "defgh" {
		t.Errorf("shuffle left the order unchanged: %s", ids(q))
	}
	slices.Sort(rest)
	if strings.Join(rest, "") != "defgh" {
		t.Errorf("shuffle lost or duplicated tracks: %s", ids(q))
	}
}

// TestQueueShuffleMode: shuffle is a mode. Off after on gives back the
// order from before, with the current track current and tracks added while
// shuffled after the others; a removed track stays removed; a track queued
// twice comes back twice.
func TestQueueShuffleMode(t *testing.T) {
	for _, c := range []struct {
		name string
		do   func(q *Queue)
		want string
	}{
		{"off restores the order", func(q *Queue) {}, "a b [c] d e f g h"},
		{"the current track follows its place", func(q *Queue) { q.Next(); q.Next() }, "a b c d [e] f g h"},
		{"added while shuffled come after", func(q *Queue) { q.Add(ts("x y")...) }, "a b [c] d e f g h x y"},
		{"removed stay removed", func(q *Queue) { q.Remove(1); q.Remove(0) }, "[c] d e f g h"},
		{"duplicates come back", func(q *Queue) { q.Add(ts("d")...) }, "a b [c] d e f g h d"},
		{"clear forgets the order", func(q *Queue) { q.Clear(); q.Add(ts("x y")...) }, "[x] y"},
	} {
		q := NewQueue()
		q.Add(ts("a b c d e f g h")...)
		q.Jump(2)
		r := rand.New(rand.NewPCG(1, 2))
		q.SetShuffle(true, r)
		if !q.Shuffled() {
			t.Fatalf("%s: shuffle not on", c.name)
		}
		c.do(q)
		if c.name == "the current track follows its place" {
			// two nexts in shuffled order land on some track; off must keep it current
			cur, _ := q.Current()
			q.SetShuffle(false, r)
			if now, _ := q.Current(); now.ID != cur.ID {
				t.Errorf("%s: current was %s, after off %s", c.name, cur.ID, now.ID)
			}
			continue
		}
		q.SetShuffle(false, r)
		if q.Shuffled() {
			t.Fatalf("%s: shuffle still on", c.name)
		}
		if got := ids(q); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// TestShuffleSurvivesRestart: shuffle on and the order it goes back to are
// saved; after a restore, shuffle off gives the order from before.
func TestShuffleSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	p := New(Options{Segments: newMemSource(), Manifests: newMemSource(), Output: NewNull()})
	p.Restore(SavedState{Tracks: ts("a b c d e f"), Index: 0, Volume: 100, Repeat: "off"})
	p.SetShuffle(true, 7)
	if err := SaveState(dir, p.Snapshot()); err != nil {
		t.Fatal(err)
	}
	s, err := LoadState(dir)
	if err != nil || !s.Shuffle || len(s.Unshuffled) != 6 {
		t.Fatalf("saved shuffle %v with %d tracks to go back to, %v", s.Shuffle, len(s.Unshuffled), err)
	}
	q := New(Options{Segments: newMemSource(), Manifests: newMemSource(), Output: NewNull()})
	q.Restore(s)
	if st := q.Status(); !st.Shuffle {
		t.Fatal("shuffle is off after the restore")
	}
	q.SetShuffle(false, 0)
	var got []string
	for _, tr := range q.Status().Queue {
		got = append(got, tr.ID)
	}
	if strings.Join(got, " ") != "a b c d e f" {
		t.Fatalf("shuffle off after a restart: %v, want a b c d e f", got)
	}
}

// TestAddAfterEndPlaysIt: with the real engine, once the queue has played
// out, Add plays the added track (the fourth entry), not the queue from
// the top; the output receives it whole.
func TestAddAfterEndPlaysIt(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	src := newMemSource()
	const n = 22050 // half a second each
	var tracks []catalog.Track
	for i, hz := range []int{330, 440, 550} {
		wav := filepath.Join(dir, fmt.Sprintf("%d.wav", i))
		makeWAV(t, wav, fmt.Sprintf("sine=frequency=%d:sample_rate=44100", hz), n)
		tracks = append(tracks, addTrack(t, src, fmt.Sprintf("t%d", i), wav, n))
	}
	out, err := CreateWAV(filepath.Join(dir, "out.wav"), WAVFloat32, false)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	p := New(Options{Segments: src, Manifests: src, Output: out, RetryBackoff: time.Millisecond})
	if err := p.Open(); err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.Play(tracks[0], tracks[1])
	waitEnd(t, p)
	p.Add(tracks[2])
	evs := waitEnd(t, p)
	var played []string
	for _, e := range evs {
		if te, ok := e.(TrackEvent); ok {
			played = append(played, fmt.Sprintf("%s@%d", te.Track.ID, te.Index))
		}
	}
	if strings.Join(played, " ") != "t2@2" {
		t.Fatalf("after the end, Add played %v, want only t2 at index 2", played)
	}
}
