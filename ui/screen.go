package ui

import (
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/lipgloss"
)

// Terminal modes the interface sets on start and clears on exit: the
// alternate screen, a hidden cursor, mouse cell motion with SGR coordinates
// and bracketed paste.
const (
	enterModes = "\x1b[?1049h\x1b[?25l\x1b[?1002h\x1b[?1006h\x1b[?2004h\x1b[H\x1b[2J"
	leaveModes = "\x1b[?2004l\x1b[?1006l\x1b[?1002l\x1b[?25h\x1b[?1049l"
)

// screen draws frames on the terminal only when they change. Bubble Tea
// v1's renderer flushes from a 60 Hz ticker even when nothing changed, which
// measured about 1% of a core on an idle interface; screen's goroutine
// sleeps on a channel until a different frame arrives, then rewrites only
// the lines that differ.
type screen struct {
	out io.Writer

	mu      sync.Mutex // guards pending, raw, full, width and stopped
	pending string     // the latest frame not yet drawn
	raw     string     // sequences to write before the next frame (OSC 52)
	full    bool       // repaint everything next (after a resize)
	width   int        // the terminal's columns
	stopped bool

	wake chan struct{} // capacity 1: a frame is pending
	done chan struct{} // closed by stop
	wg   sync.WaitGroup

	last []string // the lines on the terminal; owned by loop

	firstFrame func() // called once after the first non-empty frame is written
}

func newScreen(out io.Writer) *screen {
	return &screen{out: out, wake: make(chan struct{}, 1), done: make(chan struct{}), full: true}
}

// leaveTimeout is how long stop waits for the terminal to take the frame
// being written and the modes restored.
const leaveTimeout = 2 * time.Second

// start starts drawing; its goroutine sets the terminal modes first, so a
// terminal that takes nothing does not hold start up.
func (s *screen) start() {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_, _ = io.WriteString(s.out, enterModes)
		s.loop()
	}()
}

// stop stops drawing, restores the terminal modes and then calls release
// (may be nil), waiting at most leaveTimeout for them. A terminal that
// takes nothing (a stalled ssh link, a pty nobody reads) held the way out
// for as long as it did: SIGTERM or q left segue playing on. Past the wait,
// a goroutine finishes the writes and releases if the terminal ever takes
// them. It is safe to call more than once.
func (s *screen) stop(release func()) {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	s.stopped = true
	s.mu.Unlock()
	close(s.done)
	left := make(chan struct{})
	go func() {
		defer close(left)
		s.wg.Wait()
		_, _ = io.WriteString(s.out, leaveModes)
		if release != nil {
			release() // after the last write: the writer's descriptor may be reused once closed
		}
	}()
	select {
	case <-left:
	case <-time.After(leaveTimeout):
	}
}

// set hands the screen a frame; it is drawn soon unless it equals what is
// already there. It never blocks on the terminal.
func (s *screen) set(frame string) {
	s.mu.Lock()
	if frame == s.pending && !s.full {
		s.mu.Unlock()
		return
	}
	s.pending = frame
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default: // already woken; it will take the latest frame
	}
}

// write hands the screen sequences that are not part of a frame (the
// clipboard's OSC 52); they are written whole, between two frames.
func (s *screen) write(seq string) {
	s.mu.Lock()
	s.raw += seq
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// resized makes the next frame repaint the whole screen, w columns wide.
func (s *screen) resized(w int) {
	s.mu.Lock()
	s.full, s.width = true, w
	s.mu.Unlock()
}

func (s *screen) loop() {
	for {
		select {
		case <-s.done:
			return
		case <-s.wake:
		}
		// Let the goroutines this frame's message made ready run first: a
		// segment's events come in twos and threes, and the frame after the
		// last one is the only one worth a write (one write a segment, not
		// three, while playing: issue 14's wake-ups).
		runtime.Gosched()
		s.mu.Lock()
		frame, full, w, raw := s.pending, s.full, s.width, s.raw
		s.full, s.raw = false, ""
		s.mu.Unlock()
		if raw != "" {
			_, _ = io.WriteString(s.out, raw)
		}
		s.draw(frame, full, w)
	}
}

// draw writes the lines of frame that differ from the last one drawn, each
// at its row; a full draw clears first. A line shorter than the w columns
// is followed by erase-to-end; a full one is not, since erasing from the
// last column would take its last character.
func (s *screen) draw(frame string, full bool, w int) {
	lines := strings.Split(frame, "\n")
	var b strings.Builder
	if full || len(lines) != len(s.last) {
		b.WriteString("\x1b[H\x1b[2J")
		s.last = nil
	}
	for i, l := range lines {
		if i < len(s.last) && s.last[i] == l {
			continue
		}
		b.WriteString("\x1b[" + strconv.Itoa(i+1) + ";1H\x1b[0m" + l + "\x1b[0m")
		if lipgloss.Width(l) < w {
			b.WriteString("\x1b[K")
		}
	}
	s.last = lines
	if b.Len() > 0 {
		_, _ = io.WriteString(s.out, b.String())
	}
	if s.firstFrame != nil && frame != "" {
		s.firstFrame()
		s.firstFrame = nil
	}
}
