package player

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"time"

	"segue/catalog"
	"segue/internal/atomicfile"
)

// stateFile is the resume file's name inside the state directory.
const stateFile = "queue.json"

// positionFile is where the StateSaver keeps a play head that only moved
// (see savedPosition), beside stateFile.
const positionFile = "position.json"

// positionSize is positionFile's size: a record is padded with spaces to
// it and written in place, in one write.
const positionSize = 256

// SavedState is what survives a restart: the queue, where playback was, the
// volume and the repeat and shuffle modes.
type SavedState struct {
	Tracks     []catalog.Track `json:"tracks"`
	Index      int             `json:"index"`
	PositionMS int64           `json:"position_ms"`
	Volume     int             `json:"volume"`
	Repeat     string          `json:"repeat"`
	Shuffle    bool            `json:"shuffle,omitempty"`
	// Unshuffled is the order shuffle off goes back to (see
	// Queue.SetShuffle); empty when shuffle is off.
	Unshuffled []catalog.Track `json:"unshuffled,omitempty"`
	// Quality is the rendition preference (auto, low, normal, high);
	// empty in a file written before it was kept: Restore then leaves the
	// player's own.
	Quality Quality `json:"quality,omitempty"`
	// Radio lists the IDs of the queue's tracks a radio queued
	// (PlayRadio, AddRadio).
	Radio []string `json:"radio,omitempty"`
}

// Snapshot returns the player's state for SaveState.
func (p *Player) Snapshot() SavedState {
	p.mu.Lock()
	defer p.mu.Unlock()
	return SavedState{
		Tracks:     p.queue.Tracks(),
		Index:      p.queue.Index(),
		PositionMS: (p.positionLocked()*1000 + catalog.SampleRate/2) / catalog.SampleRate, // nearest ms
		Volume:     p.volume,
		Repeat:     p.queue.Repeat().String(),
		Shuffle:    p.queue.Shuffled(),
		Unshuffled: p.queue.Unshuffled(),
		Quality:    p.Quality(),
		Radio:      slices.Sorted(maps.Keys(p.radioLocked())),
	}
}

// Restore loads s into the player, paused at the saved position: Resume
// continues from there.
func (p *Player) Restore(s SavedState) {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := NewQueue()
	q.Add(s.Tracks...)
	if !q.Jump(s.Index) {
		q.cur = -1
	}
	r, _ := ParseRepeat(s.Repeat)
	q.SetRepeat(r)
	if s.Shuffle {
		q.shuffled, q.before = true, append([]catalog.Track(nil), s.Unshuffled...)
	}
	p.queue = q
	p.radio = make(map[string]bool, len(s.Radio))
	for _, id := range s.Radio {
		p.radio[id] = true
	}
	if q, err := ParseQuality(string(s.Quality)); err == nil && s.Quality != "" {
		p.quality.Store(q)
	}
	p.volume = min(max(s.Volume, 0), 100)
	p.outputVolumeLocked()
	p.paused = q.Index() >= 0
	// A play head outside its track (a file edited by hand, a track
	// ingested again shorter) starts where a seek there would: a negative
	// one was reported as played, and the interface's bar panicked on it.
	ms := min(max(s.PositionMS, 0), math.MaxInt64/catalog.SampleRate)
	if tr, ok := q.Current(); ok && tr.DurationMS > 0 {
		ms = min(ms, tr.DurationMS)
	}
	p.restartLocked(ms * catalog.SampleRate / 1000)
	if p.paused {
		p.setState(Paused)
	}
}

// SaveState writes s to dir/queue.json atomically (temp file, fsync,
// rename), so a crash at any moment leaves the old file or the new one.
func SaveState(dir string, s SavedState) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode player state: %w", err)
	}
	if err := writeAtomic(dir, b); err != nil {
		return fmt.Errorf("save player state in %s: %w", dir, err)
	}
	return nil
}

func writeAtomic(dir string, b []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, stateFile), b)
}

// DefaultSaveInterval is the StateSaver's debounce: a process killed
// without warning (SIGKILL, a closed terminal) loses at most this much of
// its queue edits, volume, modes and pauses.
const DefaultSaveInterval = 500 * time.Millisecond

// PositionSaveInterval is how long after its last write the StateSaver
// writes a play head that only moved while playing: a process killed
// without warning resumes at most this much before where it was heard.
// Writing it at every position event (once a second with ALSA) cost an
// fsync'd file each time and, on the TUI playing through ALSA, about 50 of
// its 67 wake-ups a second (perf sched_switch/sched_wakeup, issue 14).
// Such a move goes to positionFile, rewritten in place without fsync: the
// fsync'd rename of queue.json, whose blocking calls had Go's scheduler
// monitor poll and start a thread, is for changes (perf probes, issue 14).
// A crash of the machine may lose a move (never the queue): the play head
// then resumes where queue.json has it.
const PositionSaveInterval = 10 * time.Second

// savedPosition is positionFile's record: the play head of the track at
// Index, which the queue.json beside it must have there for it to count.
type savedPosition struct {
	Index      int    `json:"index"`
	TrackID    string `json:"track_id"`
	PositionMS int64  `json:"position_ms"`
}

// positionOf is s's play head as a savedPosition (ok false with no
// current track).
func positionOf(s SavedState) (savedPosition, bool) {
	if s.Index < 0 || s.Index >= len(s.Tracks) {
		return savedPosition{}, false
	}
	return savedPosition{Index: s.Index, TrackID: s.Tracks[s.Index].ID, PositionMS: s.PositionMS}, true
}

// StateSaver writes a player's state to the state dir after it changed,
// at most once per interval (the debounce), and a play head that only
// moved at most once per PositionSaveInterval, until Close, which writes
// the last state. Whoever changes the player calls Changed (or Observe
// with the player's events); nothing runs while nothing changes. It owns
// one goroutine.
type StateSaver struct {
	dir      string
	snap     func() SavedState
	interval time.Duration
	moveGap  time.Duration // PositionSaveInterval; tests shorten it
	onErr    func(error)   // called for the first failed write of a run of failures

	kick  chan struct{} // Changed was called
	moved chan struct{} // Moved was called with no move pending
	stop  chan struct{}
	done  chan struct{}
	// movePending is set by Moved until the goroutine takes the state.
	movePending atomic.Bool
	// changed is set by Changed until the goroutine takes the state: only
	// then is queue.json written; a move alone goes to positionFile.
	changed  atomic.Bool
	last     []byte        // what the goroutine last wrote to queue.json (or read at start); only it and Close touch it
	lastPos  savedPosition // what it last wrote to positionFile (or read)
	wrote    time.Time     // when either was written (or read); only the goroutine and Close touch it
	position *os.File      // positionFile, opened at its first write and again when its path names another file
	posFile  os.FileInfo   // position's identity, to tell when its path was removed or replaced
	fail     bool          // the last write failed; the next failure is not reported again
}

// NewStateSaver starts saving snap's state to dir, interval (0:
// DefaultSaveInterval) after a change, when it differs from what was
// saved. onErr (may be nil) hears of a failed write once, not at every
// try.
func NewStateSaver(dir string, snap func() SavedState, interval time.Duration, onErr func(error)) *StateSaver {
	if interval <= 0 {
		interval = DefaultSaveInterval
	}
	if onErr == nil {
		onErr = func(error) {}
	}
	s := &StateSaver{dir: dir, snap: snap, interval: interval, moveGap: PositionSaveInterval, onErr: onErr, wrote: time.Now(),
		kick: make(chan struct{}, 1), moved: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	now := snap()
	s.last, _ = json.MarshalIndent(now, "", "  ") // what was just restored needs no write
	s.lastPos, _ = positionOf(now)
	go s.loop()
	return s
}

// Changed says the player's state may have changed (a command, a player
// event); it never blocks.
func (s *StateSaver) Changed() {
	s.changed.Store(true)
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Moved says only the play head moved, as it does while playing: it is
// written PositionSaveInterval after the last write, or with the next
// change. It never blocks, and only the first call after a write wakes
// the saver.
func (s *StateSaver) Moved() {
	if s.movePending.Swap(true) {
		return
	}
	select {
	case s.moved <- struct{}{}:
	default:
	}
}

// Observe tells the saver of a player event: a play head moving as it
// plays is a move (Moved); the buffer, segments and renditions are not in
// the saved state; any other event is a change (Changed).
func (s *StateSaver) Observe(e Event) {
	switch e := e.(type) {
	case BufferEvent, SegmentEvent, RenditionEvent:
	case PositionEvent:
		if e.Seek {
			s.Changed()
		} else {
			s.Moved()
		}
	default:
		s.Changed()
	}
}

// loop writes the state at due: interval after a change, or
// PositionSaveInterval after the last write for a move; an earlier due
// wins, and changes meanwhile ride along.
func (s *StateSaver) loop() {
	defer close(s.done)
	t := time.NewTimer(time.Hour)
	t.Stop()
	defer t.Stop()
	var due time.Time // zero: no write pending
	plan := func(at time.Time) {
		if due.IsZero() || at.Before(due) {
			due = at
			t.Reset(time.Until(at))
		}
	}
	for {
		select {
		case <-s.stop:
			return
		case <-s.kick:
			plan(time.Now().Add(s.interval))
		case <-s.moved:
			at := s.wrote.Add(s.moveGap)
			if soon := time.Now().Add(s.interval); soon.After(at) {
				at = soon
			}
			plan(at)
		case <-t.C:
			due = time.Time{}
			s.movePending.Store(false) // a move after the snapshot wakes the loop again
			s.save(false)
		}
	}
}

// save writes the state: queue.json if anything but the play head changed
// since its last write (or always when force is set), then the play head
// to positionFile if it moved since that file's last write.
func (s *StateSaver) save(force bool) error {
	changed := s.changed.Swap(false)
	st := s.snap()
	pos, hasPos := positionOf(st)
	if changed || force {
		b, err := json.MarshalIndent(st, "", "  ")
		if err != nil {
			return err
		}
		if force || !bytes.Equal(b, s.last) {
			if err := writeAtomic(s.dir, b); err != nil {
				s.changed.Store(true) // try again with the next write
				return s.failed(err)
			}
			s.last, s.wrote, s.fail = b, time.Now(), false
		}
	}
	if hasPos && pos != s.lastPos {
		if err := s.writePosition(pos); err != nil {
			return s.failed(err)
		}
		s.lastPos, s.wrote, s.fail = pos, time.Now(), false
	}
	return nil
}

// failed reports err to onErr unless the last write failed too, and
// returns it.
func (s *StateSaver) failed(err error) error {
	err = fmt.Errorf("save player state in %s: %w", s.dir, err)
	if !s.fail {
		s.onErr(err)
	}
	s.fail = true
	return err
}

// writePosition writes p over positionFile in place, padded to
// positionSize, in one write and without fsync.
func (s *StateSaver) writePosition(p savedPosition) error {
	path := filepath.Join(s.dir, positionFile)
	var size int64 // the file's size before this write
	if s.position != nil {
		// The state dir removed (a reset by hand) or the file replaced
		// (an editor, a sync tool): writing on would go to a file that
		// no path names any more, and a kill would resume from queue.json.
		fi, err := os.Stat(path)
		if err != nil || !os.SameFile(fi, s.posFile) {
			s.position.Close()
			s.position = nil
		} else {
			size = fi.Size()
		}
	}
	if s.position == nil {
		if err := os.MkdirAll(s.dir, 0o700); err != nil {
			return err
		}
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return err
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return err
		}
		s.position, s.posFile, size = f, fi, fi.Size()
	}
	if size != positionSize {
		// a longer file (written over by hand) would keep its tail after
		// the record, and LoadState would ignore it: cut it to the record
		if err := s.position.Truncate(positionSize); err != nil {
			return err
		}
	}
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if len(b) >= positionSize {
		return fmt.Errorf("play head record of %d bytes (track ID %.40q…) is over %d", len(b), p.TrackID, positionSize)
	}
	rec := append(b, bytes.Repeat([]byte{' '}, positionSize-1-len(b))...)
	_, err = s.position.WriteAt(append(rec, '\n'), 0)
	return err
}

// Close stops the saver, waits for it and writes the final state (even
// unchanged, so the file exists after a clean exit), returning that
// write's error.
func (s *StateSaver) Close() error {
	close(s.stop)
	<-s.done
	err := s.save(true)
	if s.position != nil {
		if cerr := s.position.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// LoadState reads dir/queue.json, with the play head of dir/position.json
// when that is of queue.json's current track and not older (loadPosition). A missing queue.json is no
// error: it returns an empty state with full volume.
func LoadState(dir string) (SavedState, error) {
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if os.IsNotExist(err) {
		return SavedState{Index: -1, Volume: 100, Repeat: "off"}, nil
	}
	if err != nil {
		return SavedState{}, fmt.Errorf("load player state: %w", err)
	}
	var s SavedState
	if err := json.Unmarshal(b, &s); err != nil {
		return SavedState{}, fmt.Errorf("load player state from %s (delete it to start fresh): %w", filepath.Join(dir, stateFile), err)
	}
	if p, ok := loadPosition(dir); ok {
		if cur, ok := positionOf(s); ok && p.Index == cur.Index && p.TrackID == cur.TrackID {
			s.PositionMS = p.PositionMS
		}
	}
	return s, nil
}

// loadPosition reads positionFile when it was written no earlier than
// stateFile (ok false otherwise). The saver writes a play head to both in
// that order, so an older positionFile is one whose write failed since (it
// was unwritable) and holds a play head queue.json has overtaken: a seek
// back, then a kill, resumed at the old place. A torn or foreign record,
// a negative play head and anything but a regular file (a FIFO would
// block, /dev/zero never ends) count as none, and so does a file longer
// than positionSize, which the saver never writes.
func loadPosition(dir string) (savedPosition, bool) {
	pi, err := os.Stat(filepath.Join(dir, positionFile))
	if err != nil || !pi.Mode().IsRegular() {
		return savedPosition{}, false
	}
	if qi, err := os.Stat(filepath.Join(dir, stateFile)); err != nil || pi.ModTime().Before(qi.ModTime()) {
		return savedPosition{}, false
	}
	f, err := os.Open(filepath.Join(dir, positionFile))
	if err != nil {
		return savedPosition{}, false
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, positionSize+1))
	var p savedPosition
	if err != nil || len(b) > positionSize || json.Unmarshal(b, &p) != nil || p.PositionMS < 0 {
		return savedPosition{}, false
	}
	return p, true
}
