package player

import (
	"math/rand/v2"
	"time"

	"segue/catalog"
)

// Status is a snapshot of what the player is doing.
type Status struct {
	State    State
	Track    catalog.Track // zero when nothing is current
	Index    int           // -1 when nothing is current
	Position time.Duration
	Duration time.Duration
	Volume   int
	Repeat   Repeat
	Shuffle  bool
	Queue    []catalog.Track
	// Radio holds the IDs of the queue's tracks a radio queued
	// (PlayRadio, AddRadio), marked "~" in the interface and "radio" by segue ctl.
	Radio map[string]bool
	// Gone holds the IDs of the queue's tracks found removed from the
	// catalog (GoneError), marked "gone" in the interface and by segue
	// ctl; they are skipped without asking while they stay queued.
	Gone    map[string]bool
	Quality Quality // the rendition preference
	// LinkKbps is the throughput estimate in kbit/s (abr.Controller.Kbps),
	// 0 while unknown: a higher fixed Quality that the link does not
	// carry is heard once what is buffered lower has played.
	LinkKbps float64
}

// Status returns the current status.
func (p *Player) Status() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := Status{State: p.state, Index: p.queue.Index(), Volume: p.volume, Repeat: p.queue.Repeat(), Shuffle: p.queue.Shuffled(), Queue: p.queue.Tracks()}
	s.Track, _ = p.queue.Current()
	s.Radio = p.radioLocked()
	s.Gone = p.goneLocked()
	s.Quality = p.Quality()
	s.LinkKbps = p.opts.ABR.Kbps()
	s.Position = samplesToDuration(p.positionLocked())
	if p.cur != nil {
		s.Duration = p.cur.duration()
	}
	return s
}

// PlayRadio is Play of tracks a radio chose, AddRadio Add of them: they
// are marked as a radio's (Status.Radio, the saved state, "~" in the
// interface, "radio" by segue ctl), so the mark survives a restart and
// reaches segue ctl. Marks go by track ID: a track the listener queued
// (Play, PlayNext, Add), before or after, is not the radio's, and its mark
// goes; a radio's pick of a track the listener has queued is left unmarked.
// Marks of tracks no longer queued are dropped.
func (p *Player) PlayRadio(tracks ...catalog.Track) { p.playTracks(tracks, true) }

// AddRadio is Add of tracks a radio chose, marked as PlayRadio marks them.
func (p *Player) AddRadio(tracks ...catalog.Track) { p.insert(tracks, (*Queue).Add, true) }

// markLocked sets the radio marks of tracks about to be queued: a radio's
// (radio) are marked, the listener's lose theirs. Marks go by track ID, so
// a radio's pick of a track the listener queued too marks both entries
// (marking neither hid every mark of a radio over a small library: its
// picks were all queued already). It drops the marks of tracks no longer
// queued, so a track taken out and queued again by hand carries none.
func (p *Player) markLocked(tracks []catalog.Track, radio bool) {
	p.radio = p.radioLocked()
	for _, t := range tracks {
		if !radio {
			delete(p.radio, t.ID)
			continue
		}
		if p.radio == nil {
			p.radio = map[string]bool{}
		}
		p.radio[t.ID] = true
	}
}

// radioLocked returns the radio marks of the tracks queued now (a new
// map, nil when none).
func (p *Player) radioLocked() map[string]bool {
	var m map[string]bool
	for _, t := range p.queue.Tracks() {
		if p.radio[t.ID] {
			if m == nil {
				m = map[string]bool{}
			}
			m[t.ID] = true
		}
	}
	return m
}

// positionLocked is the play head of the current track in samples: what
// is heard (see heardLocked).
func (p *Player) positionLocked() int64 {
	if p.cur != nil {
		return p.heardLocked(p.cur)
	}
	return p.startAt
}

// Play replaces nothing: it inserts tracks after the current one, starts the
// first of them and unpauses.
func (p *Player) Play(tracks ...catalog.Track) { p.playTracks(tracks, false) }

// playTracks is Play, of tracks a radio chose when radio is set.
func (p *Player) playTracks(tracks []catalog.Track, radio bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(tracks) == 0 {
		return
	}
	defer p.emit(ChangedEvent{})
	p.unmarkGoneLocked(tracks)
	p.markLocked(tracks, radio)
	p.queue.PlayNow(tracks...)
	p.stats.play()
	p.startLocked()
}

// startLocked plays the current track from its start. The state says
// playing at once, as Resume's does: until the render loop had opened the
// track it said stopped (or paused), and segue ctl open printed that.
func (p *Player) startLocked() {
	p.missed = queuePlace{idx: -1}
	p.paused = false
	p.restartLocked(0)
	p.setState(Playing)
}

// PlayNext inserts tracks right after the current one; if nothing was
// playing the first starts.
func (p *Player) PlayNext(tracks ...catalog.Track) { p.insert(tracks, (*Queue).PlayNext, false) }

// Add appends tracks to the queue; if nothing was playing (the queue was
// empty or had run out) the first added starts.
func (p *Player) Add(tracks ...catalog.Track) { p.insert(tracks, (*Queue).Add, false) }

// insert adds tracks with add and starts the first of them when nothing
// was current; otherwise it is an edit that leaves the stream alone. radio
// says a radio chose them (markLocked).
func (p *Player) insert(tracks []catalog.Track, add func(*Queue, ...catalog.Track), radio bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	defer p.emit(ChangedEvent{})
	p.unmarkGoneLocked(tracks)
	p.markLocked(tracks, radio)
	if p.queue.Index() >= 0 {
		p.editLocked(func(q *Queue) { add(q, tracks...) })
		return
	}
	add(p.queue, tracks...)
	if p.queue.Index() >= 0 {
		// No flush: the output may still hold the end of the queue's last
		// track (up to its buffer, 6 s), which plays before this one.
		p.paused = false
		p.openLocked(0)
		p.setState(Playing)
	}
}

// Remove deletes the track at i; removing the current track plays the
// next, and ends the queue, as Next does, when there is none: the state
// said playing, with no track, until another command (segue play never
// exited, segue ctl status said playing nothing). It reports false, and
// does nothing, when i is not in the queue as it is when Remove runs.
func (p *Player) Remove(i int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	defer p.emit(ChangedEvent{})
	cur := p.queue.Index()
	if !p.queue.Remove(i) {
		return false
	}
	if i == cur {
		p.restartLocked(0)
		if p.queue.Index() < 0 {
			p.endLocked()
		}
	}
	return true
}

// Move moves the track at from to index to; false, and nothing moved,
// when either is not in the queue.
func (p *Player) Move(from, to int) bool {
	var ok bool
	p.edit(func(q *Queue) { ok = q.Move(from, to) })
	return ok
}

// Clear empties the queue and stops; with a track current (playing,
// paused or stopped) that ends the queue: EndEvent, Cleared. segue play
// ran on for ever with nothing to play (segue ctl queue clear), where it
// finishes when its queue runs out.
func (p *Player) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	defer p.emit(ChangedEvent{})
	current := p.queue.Index() >= 0
	p.queue.Clear()
	p.restartLocked(0)
	p.setState(Stopped)
	if current {
		p.emit(EndEvent{Cleared: true})
	}
}

// SetShuffle turns shuffle on (the tracks after the current one in an
// order seed picks) or off (their order from before); see Queue.SetShuffle.
func (p *Player) SetShuffle(on bool, seed uint64) {
	p.edit(func(q *Queue) { q.SetShuffle(on, rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))) })
}

// SetRepeat sets the repeat mode.
func (p *Player) SetRepeat(r Repeat) { p.edit(func(q *Queue) { q.SetRepeat(r) }) }

// edit changes the queue without touching the playing stream; a prefetched
// next track that is no longer next is dropped when it would have started.
func (p *Player) edit(f func(*Queue)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.editLocked(f)
	p.emit(ChangedEvent{})
}

func (p *Player) editLocked(f func(*Queue)) {
	f(p.queue)
	if p.next != nil && p.queue.PeekAdvance() != p.nextIdx {
		p.retireLocked(p.next)
		p.next = nil
	}
}

// Next skips to the next track; with an empty queue it does nothing.
func (p *Player) Next() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.queue.Len() == 0 {
		return // no queue ended: EndEvent would start the interface's radio
	}
	defer p.emit(ChangedEvent{}) // while paused no TrackEvent says the current track changed
	if !p.queue.Next() {
		p.endLocked()
	}
	p.restartLocked(0)
}

// Previous restarts the track when past RestartThreshold, else goes back one.
func (p *Player) Previous() {
	p.mu.Lock()
	defer p.mu.Unlock()
	restart := p.queue.Previous(samplesToDuration(p.positionLocked()))
	p.restartLocked(0)
	if tr, ok := p.queue.Current(); restart && ok {
		// the play head jumped back to 0:00, as a seek does: while paused
		// nothing else said so (segue ctl watch and MPRIS kept the
		// position it left)
		p.emit(PositionEvent{TrackID: tr.ID, Duration: time.Duration(tr.DurationMS) * time.Millisecond, Seek: true})
	}
	p.emit(ChangedEvent{})
}

// Jump plays the track at queue index i; false, and nothing changed, when
// i is not in the queue.
func (p *Player) Jump(i int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.queue.Jump(i) {
		return false
	}
	p.startLocked()
	return true
}

// Pause pauses playback; the output is simply not fed.
func (p *Player) Pause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.queue.Index() < 0 {
		return
	}
	p.paused = true
	p.setState(Paused)
	p.poke()
	// The render loop may be waiting on the output for up to a device
	// period: stop the device now, not when it comes round.
	if o, ok := p.opts.Output.(Idler); ok {
		o.Idle(false)
	}
}

// Resume resumes after Pause; after the queue ran out it plays the queue
// again from its first track (segue ctl play, space and MPRIS Play did
// nothing then, saying stopped), or from the first track that failed for
// want of the origin since playback was started (see missedLocked).
func (p *Player) Resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	from := 0
	if tr, ok := p.queue.At(p.missed.idx); ok && tr.ID == p.missed.id {
		from = p.missed.idx
	}
	if p.queue.Index() < 0 && p.queue.Jump(from) {
		p.startLocked()
		return
	}
	p.paused = false
	switch {
	case p.cur != nil && p.waiting == p.cur:
		p.setState(Buffering) // a stall the pause came in
	case p.queue.Index() >= 0:
		p.setState(Playing)
	}
	p.poke()
}

// TogglePause pauses when playing and resumes when paused.
func (p *Player) TogglePause() {
	p.mu.Lock()
	paused := p.paused || p.queue.Index() < 0 // nothing current: Resume plays the queue again
	p.mu.Unlock()
	if paused {
		p.Resume()
	} else {
		p.Pause()
	}
}

// Seek moves the play head of the current track to d (clamped to the track).
func (p *Player) Seek(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seekLocked(d)
}

// Stop stops playback and rewinds the current track, keeping the queue;
// Resume plays it from the start.
func (p *Player) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.queue.Index() < 0 {
		return
	}
	p.paused = true
	p.seekLocked(0) // its position event: the interface's bar kept the second it stopped at
	p.setState(Stopped)
}

// SeekBy moves the play head by d (negative goes back).
func (p *Player) SeekBy(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seekLocked(samplesToDuration(p.positionLocked()) + d)
}

func (p *Player) seekLocked(d time.Duration) {
	tr, ok := p.queue.Current()
	if !ok {
		return
	}
	s := int64(max(d, 0)) * catalog.SampleRate / int64(time.Second)
	// Past the end is the end, also before the track's stream is open (a
	// seek right after another): then the catalog's length tells it.
	length := time.Duration(tr.DurationMS) * time.Millisecond
	end := tr.DurationMS * catalog.SampleRate / 1000
	if p.cur != nil {
		end, length = p.cur.man.TotalSamples, p.cur.duration()
	}
	if end > 0 {
		s = min(s, end)
	}
	p.restartLocked(s)
	p.reopen = true
	p.emit(PositionEvent{TrackID: tr.ID, Position: samplesToDuration(s), Duration: length, Seek: true})
}

// SetVolume sets the volume, 0-100 (clamped).
func (p *Player) SetVolume(v int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.volume = min(max(v, 0), 100)
	p.outputVolumeLocked()
	p.emit(ChangedEvent{})
}

// ChangeVolume changes the volume by delta (clamped to 0-100) in one step:
// a change read as Volume()+delta and then set was lost when another came
// between (segue ctl volume +1 from two scripts at once, or beside a key).
func (p *Player) ChangeVolume(delta int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.volume = min(max(p.volume+delta, 0), 100)
	p.outputVolumeLocked()
	p.emit(ChangedEvent{})
}

// Volume returns the volume, 0-100.
func (p *Player) Volume() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.volume
}

// DroppedEvents returns how many events a slow consumer missed.
func (p *Player) DroppedEvents() int64 { return p.dropped.Load() }
