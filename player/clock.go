package player

import (
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"segue/catalog"
)

// clockSlack is how long after a second of the track is heard the clock
// reports it, so that the position it reads is past that second.
const clockSlack = 5 * time.Millisecond

// clockOpening is how often the clock looks while the render loop opens
// the current track's stream (a start, a seek, a skip).
const clockOpening = 250 * time.Millisecond

// clock reports the position heard (PositionEvent) as each second of the
// current track is heard, for an output that holds seconds of audio
// (Delayer). The render loop writes to such an output a batch at a time
// (ALSA: a device period, 2 s) and reported the position only then: the
// interface's clock and play --json's progress moved by two seconds,
// behind what was heard by up to a period. The clock sleeps until the
// next second is heard, and while paused or idle until a command pokes
// the player (issue 14: no wake-up while nothing plays). It sleeps on a
// kernel timer (tick), not a Go timer.
func (p *Player) clock() {
	t := newTick()
	defer t.stop()
	for before := int64(-1); ; {
		p.mu.Lock()
		w := p.wake
		var tick <-chan struct{}
		if _, current := p.queue.Current(); current && !p.paused {
			next := clockOpening
			if ts := p.cur; ts != nil {
				heard := p.heardLocked(ts)
				if p.lastPos >= 0 && heard/catalog.SampleRate != p.lastPos/catalog.SampleRate {
					p.lastPos = heard
					p.emit(PositionEvent{TrackID: ts.track.ID, Position: samplesToDuration(heard), Duration: ts.duration()})
				}
				next = samplesToDuration(catalog.SampleRate-heard%catalog.SampleRate) + clockSlack
				if heard == before { // nothing is heard (a start, a stall): no spinning at a second's edge
					next = time.Second
				}
				before = heard
			}
			t.arm(next)
			tick = t.c
		}
		p.mu.Unlock()
		select {
		case <-tick:
		case <-w:
		case <-p.ctx.Done():
			return
		}
	}
}

// tick fires once on c after the time given to arm. It is a timerfd read
// through Go's network poller with raw system calls: a Go timer also woke
// the scheduler's monitor (sysmon sleeps until the next timer), and the
// interface playing woke 11.8-12.7 times a second with the clock on Go
// timers against 8.3-8.6 before the clock (BenchmarkTUIVsCmus -benchtime
// 3x, 2026-12-01; issue 14: at most 10). Where no timerfd can be made it
// falls back to a Go timer.
type tick struct {
	c    chan struct{}
	fd   *counterFD    // the timerfd; nil: Go timers
	t    *time.Timer   // the fallback
	read chan struct{} // closed when the timerfd's reader ended
}

func newTick() *tick {
	t := &tick{c: make(chan struct{}, 1), read: make(chan struct{})}
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err == nil {
		if t.fd, err = newCounterFD(fd, "clock timerfd"); err == nil {
			go t.readFD()
			return t
		}
	}
	t.t = time.AfterFunc(time.Hour, t.fire)
	t.t.Stop()
	return t
}

func (t *tick) fire() {
	select {
	case t.c <- struct{}{}:
	default:
	}
}

// readFD passes each expiry of the timerfd to c until stop closes it.
func (t *tick) readFD() {
	defer close(t.read)
	for t.fd.wait() == nil {
		t.fire()
	}
}

// arm makes the tick fire once after d (at least 1 ns), in place of any
// earlier arming; a tick already waiting on c is dropped.
func (t *tick) arm(d time.Duration) {
	select {
	case <-t.c:
	default:
	}
	if t.fd == nil {
		t.t.Reset(d)
		return
	}
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(max(int64(d), 1))}
	t.fd.rc.Control(func(fd uintptr) {
		unix.RawSyscall6(unix.SYS_TIMERFD_SETTIME, fd, 0, uintptr(unsafe.Pointer(&spec)), 0, 0, 0)
	})
}

func (t *tick) stop() {
	if t.fd == nil {
		t.t.Stop()
		return
	}
	t.fd.f.Close()
	<-t.read
}
