package player

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"segue/internal/testkit"
)

func TestStateRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	s, err := LoadState(dir)
	if err != nil || s.Volume != 100 || s.Index != -1 {
		t.Fatalf("missing state: %+v, %v; want empty at full volume", s, err)
	}
	p := New(Options{Segments: newMemSource(), Manifests: newMemSource(), Output: NewNull()})
	want := SavedState{Tracks: ts("a b c"), Index: 1, PositionMS: 61234, Volume: 35, Repeat: "all", Quality: "low", Radio: []string{"b", "c"}}
	p.Restore(want) // not opened: nothing plays, the state is just held
	if err := SaveState(dir, p.Snapshot()); err != nil {
		t.Fatal(err)
	}
	got, err := LoadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("state round trip: %+v, want %+v", got, want)
	}
	if st := p.Status(); st.State != Paused || st.Position.Round(time.Millisecond) != 61234*time.Millisecond {
		t.Errorf("restored status %+v, want paused at 61.234 s", st)
	}
	// A file from before the quality was kept leaves the player's own.
	p = New(Options{Segments: newMemSource(), Manifests: newMemSource(), Output: NewNull(), Quality: "high"})
	if p.Restore(SavedState{Tracks: ts("a")}); p.Quality() != "high" {
		t.Errorf("a state without a quality set the player's to %q, want its own, high", p.Quality())
	}
	if err := os.WriteFile(filepath.Join(dir, stateFile), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadState(dir); err == nil {
		t.Error("a corrupt state file loaded without error")
	}
}

// The saver writes a change within its interval of being told, writes
// nothing while nothing changes, writes the last state on Close, and reports a failing
// state dir once.
func TestStateSaver(t *testing.T) {
	dir := t.TempDir()
	var mu sync.Mutex
	cur := SavedState{Index: -1, Volume: 100, Repeat: "off"}
	snap := func() SavedState { mu.Lock(); defer mu.Unlock(); return cur }
	set := func(f func(*SavedState)) { mu.Lock(); f(&cur); mu.Unlock() }
	s := NewStateSaver(dir, snap, time.Millisecond, nil)
	if _, err := os.Stat(filepath.Join(dir, stateFile)); !os.IsNotExist(err) {
		t.Fatalf("an unchanged state was written (%v)", err)
	}
	set(func(st *SavedState) { st.Tracks, st.Index, st.Volume = ts("a b"), 0, 40 })
	s.Changed()
	testkit.WaitReport(t, 20*time.Second, func() bool {
		got, err := LoadState(dir)
		return err == nil && len(got.Tracks) == 2 && got.Volume == 40
	}, func() string { return "the change was not saved" })
	set(func(st *SavedState) { st.Volume = 20 })
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got, _ := LoadState(dir); got.Volume != 20 {
		t.Fatalf("after Close the file has volume %d, want 20", got.Volume)
	}

	blocked := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocked, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var errs atomic.Int32
	s = NewStateSaver(filepath.Join(blocked, "state"), snap, time.Millisecond, func(error) { errs.Add(1) })
	for i := range 5 {
		set(func(st *SavedState) { st.PositionMS = int64(i + 1) })
		s.Changed()
		testkit.WaitReport(t, 20*time.Second, func() bool { return errs.Load() > 0 }, func() string { return "no failed write" })
	}
	if err := s.Close(); err == nil {
		t.Fatal("Close under a file saved without error")
	}
	if n := errs.Load(); n != 1 {
		t.Fatalf("a state dir that cannot be written was reported %d times, want once", n)
	}
}

// TestStateSaverWritesMovesSeldom: a play head that only moves as it plays
// (PositionEvent without Seek) is not written at each event, as it was
// (an fsync'd file once a second while playing through ALSA), but
// PositionSaveInterval after the last write or with the next change; a
// seek, a state change and a volume change are written within the
// debounce; buffer, segment and rendition events write nothing.
func TestStateSaverWritesMovesSeldom(t *testing.T) {
	dir := t.TempDir()
	var mu sync.Mutex
	cur := SavedState{Tracks: ts("a"), Index: 0, Volume: 100, Repeat: "off"}
	snap := func() SavedState { mu.Lock(); defer mu.Unlock(); return cur }
	set := func(f func(*SavedState)) { mu.Lock(); f(&cur); mu.Unlock() }
	saved := func() int64 { got, _ := LoadState(dir); return got.PositionMS }
	s := NewStateSaver(dir, snap, time.Millisecond, nil)
	s.moveGap = time.Hour
	defer func() { s.Close() }() // the saver s is at the end

	for ms := int64(1000); ms <= 5000; ms += 1000 {
		set(func(st *SavedState) { st.PositionMS = ms })
		for _, e := range []Event{PositionEvent{TrackID: "a", Position: time.Duration(ms) * time.Millisecond},
			BufferEvent{TrackID: "a"}, SegmentEvent{TrackID: "a"}, RenditionEvent{TrackID: "a"}} {
			s.Observe(e)
		}
	}
	// 200 times the debounce: the old saver wrote within it.
	for deadline := time.Now().Add(200 * time.Millisecond); time.Now().Before(deadline); <-time.After(time.Millisecond) {
		if _, err := os.Stat(filepath.Join(dir, stateFile)); err == nil {
			t.Fatalf("a play head that only moved was written at once (position %d ms)", saved())
		}
	}
	for _, c := range []struct {
		name string
		ms   int64
		e    Event
	}{
		{"a pause", 6000, StateEvent{State: Paused}},
		{"a seek", 42000, PositionEvent{TrackID: "a", Position: 42 * time.Second, Seek: true}},
		{"a queue or volume change", 43000, ChangedEvent{}},
	} {
		set(func(st *SavedState) { st.PositionMS = c.ms })
		s.Observe(c.e)
		testkit.WaitReport(t, 20*time.Second, func() bool { return saved() == c.ms }, func() string {
			return fmt.Sprintf("after %s the file has position %d ms, want %d", c.name, saved(), c.ms)
		})
	}

	// once the gap since the last write has passed, a move is written
	s.Close()
	s = NewStateSaver(dir, snap, time.Millisecond, nil)
	s.moveGap = time.Millisecond
	set(func(st *SavedState) { st.PositionMS = 44000 })
	s.Observe(PositionEvent{TrackID: "a", Position: 44 * time.Second})
	testkit.WaitReport(t, 20*time.Second, func() bool { return saved() == 44000 }, func() string {
		return fmt.Sprintf("a move past the gap was not written: position %d ms, want 44000", saved())
	})
}

// TestStateSaverMovesGoToThePositionFile: a play head that only moved is
// written to position.json in place, and queue.json is not written again
// (the same inode, the same bytes); LoadState takes the moved position
// for the track it belongs to, and ignores a record of another track, a
// torn one and a foreign file.
func TestStateSaverMovesGoToThePositionFile(t *testing.T) {
	dir := t.TempDir()
	var mu sync.Mutex
	cur := SavedState{Tracks: ts("a b"), Index: 1, PositionMS: 1000, Volume: 100, Repeat: "off"}
	snap := func() SavedState { mu.Lock(); defer mu.Unlock(); return cur }
	s := NewStateSaver(dir, snap, time.Millisecond, nil)
	s.moveGap = time.Millisecond
	mu.Lock()
	cur.Volume = 90
	mu.Unlock()
	s.Changed()
	queue := filepath.Join(dir, stateFile)
	testkit.WaitReport(t, 20*time.Second, func() bool { _, err := os.Stat(queue); return err == nil },
		func() string { return "a change was not written to queue.json" })
	before, err := os.ReadFile(queue)
	must(t, err)
	fi0, err := os.Stat(queue)
	must(t, err)

	mu.Lock()
	cur.PositionMS = 7000
	mu.Unlock()
	s.Observe(PositionEvent{TrackID: "b", Position: 7 * time.Second})
	testkit.WaitReport(t, 20*time.Second, func() bool { got, _ := LoadState(dir); return got.PositionMS == 7000 },
		func() string {
			got, _ := LoadState(dir)
			return fmt.Sprintf("a move: LoadState gives %d ms, want 7000", got.PositionMS)
		})
	after, err := os.ReadFile(queue)
	must(t, err)
	fi1, err := os.Stat(queue)
	must(t, err)
	if !bytes.Equal(before, after) || !os.SameFile(fi0, fi1) {
		t.Errorf("a move rewrote queue.json (same file %v); want it left alone:\n%s", os.SameFile(fi0, fi1), after)
	}
	if b, err := os.ReadFile(filepath.Join(dir, positionFile)); err != nil || len(b) != positionSize {
		t.Errorf("position.json: %d bytes (%v), want %d", len(b), err, positionSize)
	}
	must(t, s.Close())

	const this = `{"index":1,"track_id":"b","position_ms":5000}`
	posPath := filepath.Join(dir, positionFile)
	for _, c := range []struct {
		name, record string
		before       bool // position.json written before queue.json (its write failed since)
		want         int64
	}{
		{"another track's", `{"index":1,"track_id":"a","position_ms":5000}`, false, 1000},
		{"another index's", `{"index":0,"track_id":"b","position_ms":5000}`, false, 1000},
		{"a torn", `{"index":1,"track_id":"b","posi`, false, 1000},
		{"a foreign", "hello", false, 1000},
		{"a negative", `{"index":1,"track_id":"b","position_ms":-5}`, false, 1000},
		{"this track's", this, false, 5000},
		{"this track's padded", this + strings.Repeat(" ", positionSize-1-len(this)) + "\n", false, 5000},
		{"an overlong", this + strings.Repeat(" ", 1<<20), false, 1000},
		{"an older (queue.json was written after it)", this, true, 1000},
	} {
		st := cur
		st.PositionMS = 1000
		os.Remove(posPath)
		must(t, SaveState(dir, st))
		must(t, os.WriteFile(posPath, []byte(c.record), 0o600))
		if c.before {
			qi, err := os.Stat(filepath.Join(dir, stateFile))
			must(t, err)
			must(t, os.Chtimes(posPath, qi.ModTime().Add(-time.Second), qi.ModTime().Add(-time.Second)))
		}
		got, err := LoadState(dir)
		must(t, err)
		if got.PositionMS != c.want {
			t.Errorf("with %s record in position.json, LoadState gives %d ms, want %d", c.name, got.PositionMS, c.want)
		}
	}

	// a FIFO in its place: reading it would wait for a writer forever
	os.Remove(posPath)
	must(t, syscall.Mkfifo(posPath, 0o600))
	loaded := make(chan int64, 1)
	go func() { got, _ := LoadState(dir); loaded <- got.PositionMS }()
	var got int64 = -1
	testkit.WaitReport(t, 20*time.Second, func() bool {
		select {
		case got = <-loaded:
			return true
		default:
			return false
		}
	}, func() string { return "LoadState with a FIFO named position.json did not return" })
	if got != 1000 {
		t.Errorf("with a FIFO named position.json, LoadState gives %d ms, want queue.json's 1000", got)
	}
	if f, err := os.OpenFile(posPath, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
		f.Close() // lets a LoadState still blocked in open return
	}
}

// TestStateSaverFollowsThePositionFilesPath: the play head goes to the
// file position.json names now, after the state dir was removed (a reset
// by hand) or the file replaced (an editor saving by rename), not to the
// file the saver opened first, which no path names any more: a kill then
// resumed from queue.json's older play head, or from the replacement.
func TestStateSaverFollowsThePositionFilesPath(t *testing.T) {
	for _, c := range []struct {
		name    string
		disturb func(dir string) error
	}{
		{"the state dir removed", os.RemoveAll},
		{"position.json replaced", func(dir string) error {
			tmp := filepath.Join(dir, "edited")
			if err := os.WriteFile(tmp, []byte(`{"index":0,"track_id":"a","position_ms":999}`), 0o600); err != nil {
				return err
			}
			return os.Rename(tmp, filepath.Join(dir, positionFile))
		}},
		{"position.json replaced by a longer file", func(dir string) error {
			long := `{"index":0,"track_id":"a","position_ms":999}` + strings.Repeat(" ", 2*positionSize) + "an old note"
			return os.WriteFile(filepath.Join(dir, positionFile), []byte(long), 0o600)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			var mu sync.Mutex
			cur := SavedState{Tracks: ts("a"), Index: 0, Volume: 100, Repeat: "off"}
			snap := func() SavedState { mu.Lock(); defer mu.Unlock(); return cur }
			saved := func() int64 { got, _ := LoadState(dir); return got.PositionMS }
			s := NewStateSaver(dir, snap, time.Millisecond, nil)
			s.moveGap = time.Millisecond
			defer s.Close()
			move := func(ms int64) {
				mu.Lock()
				cur.PositionMS = ms
				mu.Unlock()
				s.Observe(PositionEvent{TrackID: "a", Position: time.Duration(ms) * time.Millisecond})
				testkit.WaitReport(t, 20*time.Second, func() bool { return saved() == ms }, func() string {
					return fmt.Sprintf("after a move to %d ms LoadState gives %d ms", ms, saved())
				})
			}
			s.Changed()
			move(3000)
			must(t, c.disturb(dir))
			mu.Lock()
			cur.Volume = 80
			mu.Unlock()
			s.Changed() // queue.json again (the dir made anew), at 3000 ms
			testkit.WaitReport(t, 20*time.Second, func() bool { got, _ := LoadState(dir); return got.Volume == 80 },
				func() string { return "a change after " + c.name + " was not written to queue.json" })
			move(8000)
		})
	}
}

// FuzzRestoreLoadedState: whatever queue.json and position.json hold,
// what LoadState gives restores to a play head inside its track and a
// volume of 0-100.
func FuzzRestoreLoadedState(f *testing.F) {
	f.Add([]byte(`{"tracks":[{"id":"a","duration_ms":46000}],"index":0,"position_ms":-30000,"volume":100,"repeat":"off"}`),
		[]byte(`{"index":0,"track_id":"a","position_ms":5000}`))
	f.Add([]byte(`{"tracks":[{"id":"a","duration_ms":46000}],"index":0,"position_ms":1000,"volume":900}`),
		[]byte(`{"index":0,"track_id":"a","position_ms":9223372036854775807}`))
	f.Add([]byte(`{"tracks":[],"index":7}`), []byte("hello"))
	f.Fuzz(func(t *testing.T, queue, position []byte) {
		dir := t.TempDir()
		must(t, os.WriteFile(filepath.Join(dir, stateFile), queue, 0o600))
		must(t, os.WriteFile(filepath.Join(dir, positionFile), position, 0o600))
		s, err := LoadState(dir)
		if err != nil {
			return
		}
		p := New(Options{Segments: newMemSource(), Manifests: newMemSource(), Output: NewNull()})
		p.Restore(s) // not opened: the state is just held
		got := p.Snapshot()
		if got.PositionMS < 0 || got.Volume < 0 || got.Volume > 100 {
			t.Errorf("restored %s with %s: play head %d ms, volume %d", queue, position, got.PositionMS, got.Volume)
		}
		if tr, ok := p.queue.Current(); ok && tr.DurationMS > 0 && got.PositionMS > tr.DurationMS {
			t.Errorf("restored %s with %s: play head %d ms past the track's %d", queue, position, got.PositionMS, tr.DurationMS)
		}
	})
}

// FuzzLoadState: whatever queue.json and position.json hold (a user may
// edit them, a crash may tear position.json), LoadState never panics; a
// queue.json it cannot read is an error naming the file and what to do;
// position.json only ever sets the play head, and only of the track
// queue.json has current.
func FuzzLoadState(f *testing.F) {
	f.Add([]byte(`{"tracks":[{"id":"a"},{"id":"b"}],"index":1,"position_ms":1000,"volume":80,"repeat":"off"}`),
		[]byte(`{"index":1,"track_id":"b","position_ms":5000}`))
	f.Add([]byte(`{"tracks":[{"id":"a"}],"index":0,"position_ms":1000}`), []byte(`{"index":0,"track_id":"a","posi`))
	f.Add([]byte(`{"tracks":[],"index":-1}`), []byte(`{"index":-1,"track_id":"","position_ms":9}`))
	f.Add([]byte("not json"), []byte(""))
	f.Fuzz(func(t *testing.T, queue, position []byte) {
		dir := t.TempDir()
		must(t, os.WriteFile(filepath.Join(dir, stateFile), queue, 0o600))
		must(t, os.WriteFile(filepath.Join(dir, positionFile), position, 0o600))
		got, err := LoadState(dir)
		var want SavedState
		if jerr := json.Unmarshal(queue, &want); jerr != nil {
			if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, stateFile)) || !strings.Contains(err.Error(), "delete it") {
				t.Fatalf("unreadable queue.json %q: err %v, want one naming the file and what to do", queue, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("queue.json %q reads as JSON but LoadState failed: %v", queue, err)
		}
		moved := got.PositionMS
		got.PositionMS = want.PositionMS
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("position.json %q changed more than the play head: got %+v, want %+v", position, got, want)
		}
		if moved != want.PositionMS {
			var p savedPosition
			cur, ok := positionOf(want)
			if json.Unmarshal(position, &p) != nil || !ok || p.Index != cur.Index || p.TrackID != cur.TrackID || p.PositionMS != moved || moved < 0 {
				t.Fatalf("play head %d ms from position.json %q, which is not a record of queue.json's current track %+v", moved, position, cur)
			}
		}
	})
}
