package player

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gopxl/beep/v2"
	"github.com/gopxl/beep/v2/speaker"
	"golang.org/x/sys/unix"

	"segue/catalog"
)

// The beep speaker is a process-wide singleton: it is initialized once, and
// every ALSA output after the first reuses it.
// While no output has anything to play, the speaker is suspended: oto's
// writer goroutine and beep's mixer then sleep and the process uses no CPU
// (issue 14: pulling silence cost 2.8% of a core). Lock order: device
// before ALSA.mu.
var device struct {
	sync.Mutex       // guards the fields below and the speaker's Suspend and Resume
	done       bool  // Init was attempted
	err        error // what the attempt returned
	suspended  bool  // an idle output suspended the speaker
}

// DefaultALSABuffer is the device buffer when OutputOptions.Buffer is zero.
const DefaultALSABuffer = 80 * time.Millisecond

// minRingSamples is the least hand-off between the render loop and the
// speaker (46 ms). The ring holds twice the device buffer, so a pull of half
// the buffer (what the speaker asks for at once) still leaves a margin for a
// render loop the scheduler is slow to wake; Write blocks while it is full,
// so the device clock paces playback.
const minRingSamples = 2048

// ALSA plays through the system's default ALSA device via beep's speaker.
type ALSA struct {
	mu     sync.Mutex // guards ring, closed
	ring   [][2]float64
	closed bool
	space  chan struct{} // signalled when the speaker took samples
	filled chan struct{} // signalled when Write added samples
	size   int           // ring capacity in samples
	buffer time.Duration // the device buffer
	// underruns counts pulls padded with silence while samples had been
	// written and the output was not closed; guarded by mu.
	underruns int
	started   bool // a Write happened; guarded by mu
	// idle is set by Idle and cleared by Write; keep says the ring is held
	// for the next Write (a pause) rather than played out; quiet counts the
	// silence the speaker pulled since. All guarded by mu.
	idle  bool
	keep  bool
	quiet int
	hold  int           // samples the speaker buffers past the ring
	drain chan struct{} // signalled when an idle output's audio left the speaker
	stop  chan struct{} // closed by Close: ends suspendLoop
	wg    sync.WaitGroup
}

// Underruns returns how many times the device had to be fed silence in the
// middle of playback (not while the output is idle).
func (a *ALSA) Underruns() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.underruns
}

// OpenALSA initializes the speaker (once per process) at 44.1 kHz with the
// given device buffer. alsa-lib's messages on fd 2 go to logPath (or are
// dropped) while it opens, so they cannot garble a terminal interface.
func OpenALSA(buffer time.Duration, logPath string) (*ALSA, error) {
	if buffer <= 0 {
		buffer = DefaultALSABuffer
	}
	if err := initDevice(buffer, logPath); err != nil {
		return nil, fmt.Errorf("open alsa output: %w: %s; to play without a sound device use --output wav:FILE (or --output null)", ErrNoDevice, firstCause(err))
	}
	size := max(minRingSamples, 2*beep.SampleRate(catalog.SampleRate).N(buffer))
	a := &ALSA{ring: make([][2]float64, 0, size), size: size, space: make(chan struct{}, 1), filled: make(chan struct{}, 1), buffer: buffer,
		hold: beep.SampleRate(catalog.SampleRate).N(buffer), drain: make(chan struct{}, 1), stop: make(chan struct{})}
	speaker.Play(beep.StreamerFunc(a.stream))
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		a.suspendLoop()
	}()
	return a, nil
}

// Idle implements Idler. With drain, the speaker is suspended once what
// was written has played out of its buffers; without, at once, and what
// was written waits in the ring and the mixer's buffer for the next Write
// (a resumed pause goes on where it stopped, within a few ms). A drain
// after a pause drops the samples held in the ring.
func (a *ALSA) Idle(drain bool) {
	device.Lock()
	a.mu.Lock()
	if !a.idle {
		a.idle, a.quiet = true, 0
	}
	a.keep = !drain
	if drain && device.suspended {
		a.ring = a.ring[:0] // held by a pause that became a stop
	}
	a.mu.Unlock()
	device.Unlock()
	for _, c := range []chan struct{}{a.filled, a.drain} { // a waiting stream call stops waiting; suspendLoop looks
		select {
		case c <- struct{}{}:
		default:
		}
	}
}

// suspendLoop suspends the speaker when an idle output has drained.
func (a *ALSA) suspendLoop() {
	for {
		select {
		case <-a.stop:
			return
		case <-a.drain:
		}
		device.Lock()
		a.mu.Lock()
		drained := a.idle && (a.keep || len(a.ring) == 0 && a.quiet >= a.hold)
		a.mu.Unlock()
		if drained && !device.suspended && speaker.Suspend() == nil {
			device.suspended = true
		}
		device.Unlock()
	}
}

// wake leaves the idle state, resuming the speaker if it was suspended.
func (a *ALSA) wake() error {
	device.Lock()
	defer device.Unlock()
	a.mu.Lock()
	a.idle, a.keep = false, false
	a.mu.Unlock()
	if !device.suspended {
		return nil
	}
	if err := speaker.Resume(); err != nil {
		return fmt.Errorf("resume alsa output: %w", err)
	}
	device.suspended = false
	return nil
}

func initDevice(buffer time.Duration, logPath string) error {
	device.Lock()
	defer device.Unlock()
	if device.done {
		return device.err
	}
	device.done = true
	restore, err := redirectStderr(logPath)
	if err != nil {
		device.err = err
		return err
	}
	defer restore()
	sr := beep.SampleRate(catalog.SampleRate)
	if err := speaker.Init(sr, sr.N(buffer)); err != nil {
		device.err = err
		return err
	}
	// Init returns nil even with no device: oto opens ALSA in the
	// background and keeps the error, which Suspend returns.
	if err := speaker.Suspend(); err != nil {
		device.err = err
		return err
	}
	device.err = speaker.Resume()
	return device.err
}

// redirectStderr points fd 2 at logPath (or /dev/null) and returns how to
// put it back.
func redirectStderr(logPath string) (func(), error) {
	if logPath == "" {
		logPath = os.DevNull
	}
	f, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open log for alsa messages: %w", err)
	}
	saved, err := unix.Dup(2)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("save stderr: %w", err)
	}
	if err := unix.Dup2(int(f.Fd()), 2); err != nil {
		f.Close()
		unix.Close(saved)
		return nil, fmt.Errorf("redirect stderr: %w", err)
	}
	return func() {
		unix.Dup2(saved, 2)
		unix.Close(saved)
		f.Close()
	}, nil
}

// stream is the speaker's side: it takes what the ring holds, waiting half
// the device buffer at most for the render loop to fill it, then
// pads with silence (an underrun, or a pause) rather than stall the device.
func (a *ALSA) stream(samples [][2]float64) (int, bool) {
	var timeout <-chan time.Time
	for {
		a.mu.Lock()
		if len(a.ring) >= len(samples) || a.closed || a.idle {
			break
		}
		a.mu.Unlock()
		if timeout == nil {
			timeout = time.After(a.buffer / 2)
		}
		select {
		case <-a.filled:
			continue
		case <-timeout:
		}
		a.mu.Lock()
		break
	}
	n := copy(samples, a.ring)
	a.ring = a.ring[:copy(a.ring, a.ring[n:])]
	closed := a.closed
	if n < len(samples) && a.started && !closed && !a.idle {
		a.underruns++
	}
	if a.idle {
		if a.quiet < a.hold {
			a.quiet += len(samples) - n
		}
		if a.quiet >= a.hold && len(a.ring) == 0 {
			select {
			case a.drain <- struct{}{}:
			default:
			}
		}
	}
	a.mu.Unlock()
	if n > 0 {
		select {
		case a.space <- struct{}{}:
		default:
		}
	}
	if closed && n == 0 {
		return 0, false // the mixer drops us
	}
	clear(samples[n:])
	return len(samples), true
}

// stallTimeout is how long Write waits for the device to take samples
// before it reports the device stalled (PulseAudio may take a second or two
// to start a stream).
const stallTimeout = 5 * time.Second

// errDeviceStalled is returned when the device stops taking samples.
var errDeviceStalled = errors.New("the audio device stopped taking samples")

// Write queues samples, blocking while the ring is full.
func (a *ALSA) Write(samples [][2]float64) error {
	if err := a.wake(); err != nil {
		return err
	}
	for len(samples) > 0 {
		a.mu.Lock()
		n := min(len(samples), a.size-len(a.ring))
		a.ring = append(a.ring, samples[:n]...)
		a.started = true
		a.mu.Unlock()
		if n > 0 {
			select {
			case a.filled <- struct{}{}:
			default:
			}
		}
		samples = samples[n:]
		if len(samples) == 0 {
			break
		}
		select {
		case <-a.space:
		case <-time.After(stallTimeout):
			return fmt.Errorf("write to alsa: %w", errDeviceStalled)
		}
	}
	return nil
}

// Close lets the queued samples play out (up to a second), then detaches
// from the speaker.
func (a *ALSA) Close() error {
	deadline := time.Now().Add(time.Second)
	for {
		a.mu.Lock()
		left := len(a.ring)
		if left == 0 || time.Now().After(deadline) {
			a.closed = true
			a.mu.Unlock()
			break
		}
		a.mu.Unlock()
		select {
		case <-a.space:
		case <-time.After(100 * time.Millisecond):
		}
	}
	// The speaker's own buffer and the device's still hold up to the buffer
	// length; alsa-lib may take a little longer to accept it.
	time.Sleep(2*a.buffer + 100*time.Millisecond)
	close(a.stop)
	a.wg.Wait()
	return nil
}

// firstCause shortens oto's error, which lists every ALSA plugin it tried,
// to the first (the default device); the rest adds length, not meaning.
func firstCause(err error) string {
	s := err.Error()
	if i := strings.Index(s, `, "`); i > 0 {
		return s[:i] + ", …"
	}
	return s
}
