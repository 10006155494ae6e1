package player

/*
#cgo pkg-config: alsa
#include <stdlib.h>
#include "alsa_out.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/gopxl/beep/v2"
	"golang.org/x/sys/unix"

	"segue/catalog"
)

// DefaultALSABuffer is the device buffer when OutputOptions.Buffer is zero;
// the device takes a period, a third of it (defaultPeriodFrames), at a time
// (the PulseAudio plugin of ALSA wants at least 3 periods). Issue 14: while
// playing, the process may wake at most 10 times a second. Every wake-up is
// paid per period or per batch, not per sample: the writer thread wakes once
// a period, the PulseAudio client thread inside alsa-lib twice (the server's
// request for a period, then the write) besides its timing updates (a round
// trip every 1.5 s), the MP3 decoder thread and Go once a batch of a period
// (see waitSpace). BenchmarkTUIVsCmus, quiet machine, 3 runs each
// (2026-12-01): 500 ms in 250 ms periods woke the process 72 times a second;
// 3 s in 1 s periods 12.0-12.1; 6 s in 2 s periods 8.7 (PulseAudio's thread
// 5.1 -> 3.6, the writer 2.0 -> 1.0); 9 s in 3 s periods 6.9-7.2 with 2 MiB
// more memory. The 8.7 came with the position reported once a period (the
// interface's clock moved by 2 s, behind the sound); reported as each
// second is heard (Player.clock) 12.1-12.3 on a Go timer (sysmon 2.0 ->
// 4.3), 9.7-10.0 on a timerfd (tick). On a later machine (2026-12-02, AMD
// EPYC, kernel 6.18) 6 s in 2 s periods woke it 10.6-11.5 times a second
// and 9 s in 3 s periods 10.0-11.1 (PulseAudio's thread 3.2-3.5 -> 3.1-3.3,
// the writer 1.0 -> 0.7; load 3-6 from other work), with 1.1 MiB more
// resident: the default is 9 s. A long buffer delays nothing a listener does: the device starts at
// its first frame, pause, seek, skip and stop drop it (Flusher), a volume
// change rewrites it (Volumer), and the position reported is what is heard
// (Delayer).
const DefaultALSABuffer = 3 * defaultPeriodFrames * time.Second / catalog.SampleRate

// defaultPeriodFrames is the default device period in frames: 3 s. The MP3
// decoder thread decodes a period ahead (pcmAhead), so it too wakes once a
// render batch.
const defaultPeriodFrames = 3 * catalog.SampleRate

// aheadPeriods is how much the ring holds beyond the device buffer, in
// periods: Go renders into it a period at a time, when the writer thread
// took one, while the device plays the periods it holds.
const aheadPeriods = 1

// ALSA plays through the system's default ALSA device (alsa-lib, the
// standard ALSA library, through cgo).
//
// Samples go into a ring in C memory as signed 16-bit stereo, what the
// device gets (int16(v*32767), as the wav16 output writes them): the
// PulseAudio client library hands the server audio in shared-memory blocks
// of 64 KiB, and the server answers each block it played with a message
// that wakes the client thread, so 16-bit samples cost half the wake-ups
// of floats (2.7 a second). A writer thread of alsa_out.c empties the ring
// into the device in whole periods, sleeping in poll(2) in between. That
// thread is a plain pthread: its sleeps cost the Go scheduler nothing, and
// Write never calls C. Write fills the ring ahead of the device and then
// sleeps until the thread took a period and wakes it through an eventfd
// (Go's network poller), or its state changes (see waitSpace).
//
// Behind the ring's read position the ring keeps one device buffer of what
// was written: a pause drops the device at once and moves the read
// position back over what it had not played, so resume goes on where the
// listener heard it stop. While paused or idle the thread closes the
// device (a sound server drops the stream, and its client thread's timing
// updates, 1.2 wake-ups a second, stop) and opens it again for the next
// Write: measured a few milliseconds to the first sound.
//
// The ring holds samples without the volume: the writer thread multiplies
// them by it on their way to the device, and a new volume drops what the
// device holds and writes it again, so the change is heard at once, not
// a device buffer later (ALSA implements Volumer).
type ALSA struct {
	c      *C.segue_out
	ring   []int16    // the C ring: 2 values a frame
	space  *counterFD // readable when the thread ran low or changed state
	buffer time.Duration

	mu     sync.Mutex   // guards the fields below and the ring's write position
	gen    int          // counts flushes: a Write interrupted by one drops its rest
	paused bool         // the mode is SEGUE_PAUSE
	held   [][2]float64 // what a Write could not queue before a pause
	closed bool
	// underruns is the thread's count once Close freed it (c is nil).
	underruns int
	// refill is the free room, in frames, Write waits for once the ring
	// is full: the batch the render loop produces at a time.
	refill int
	// lastRd and lastMove are the thread's read position when Write last
	// saw it move, and when: Write reports the device stalled when it
	// stays put for stallTimeout. Only Write uses them.
	lastRd   uint64
	lastMove time.Time
	// deadline is the read deadline armed on space (zero: none). It is
	// armed again only once it passed, never moved: a timer moved later
	// each batch stays in the runtime's heap at its old time, and Go's
	// scheduler monitor woke for each of those, once a second (issue 14).
	deadline time.Time
	// monoBase is the thread's clock (CLOCK_MONOTONIC, ns) at monoAt: Go
	// reads it as monoBase + time.Since(monoAt), its own monotonic clock
	// (the same one, through the vDSO: no system call), never the wall
	// clock, which a step (NTP, a suspend's end) moves.
	monoAt   time.Time
	monoBase uint64
	// unshm ends withoutPulseSHM's configuration once the device is
	// closed for good.
	unshm func()
	// log receives alsa-lib's messages while the output is open (see
	// alsaLib).
	log *slog.Logger
}

// Underruns returns how many times the device ran dry in the middle of
// playback (not while the output is idle).
func (a *ALSA) Underruns() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.c == nil {
		return a.underruns
	}
	return int(atomic.LoadUint64(a.u64(&a.c.underruns)))
}

// Suspended reports whether the device is stopped and closed: paused, or
// idle with everything played out. A stopped output wakes nothing; the
// next Write opens the device again.
func (a *ALSA) Suspended() bool { return a.state() == C.SEGUE_STOPPED }

// OpenALSA opens the default ALSA device at 44.1 kHz stereo, signed
// 16-bit, with the given buffer (0: DefaultALSABuffer) in periods of a
// third of it (a PulseAudio server behind it gets the audio through its
// socket: withoutPulseSHM), and starts its writer thread. alsa-lib's
// messages, while it opens and while the writer thread opens the device
// again (after a pause), are records of log ("alsa-lib", with message and
// where), or dropped when log is nil, never lines of
// its own on fd 2 (which would garble a terminal interface and break the
// JSON log); so is anything else printed on fd 2 while it opens. Errors
// wrap ErrNoDevice and end with what to do; the first of alsa-lib's
// messages, which says why (a card it cannot find), is in them.
func OpenALSA(buffer time.Duration, log *slog.Logger) (*ALSA, error) {
	if buffer <= 0 {
		buffer = DefaultALSABuffer
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a, err := openALSA(buffer, log)
	if err != nil {
		dropALSAMessages(log)
		return nil, err
	}
	a.log = log
	return a, nil
}

// openALSA is OpenALSA with a logger.
func openALSA(buffer time.Duration, log *slog.Logger) (*ALSA, error) {
	sr := beep.SampleRate(catalog.SampleRate)
	var where *C.char
	said := alsaMessages(log)
	restore, err := captureStderr(log)
	if err != nil {
		said()
		return nil, fmt.Errorf("open alsa output: %w", err)
	}
	c := (*C.segue_out)(C.calloc(1, C.sizeof_segue_out))
	period := buffer / 3
	unshm := withoutPulseSHM()
	e := C.segue_out_open(c, C.uint(catalog.SampleRate), C.snd_pcm_uframes_t(sr.N(buffer)), C.snd_pcm_uframes_t(sr.N(period)),
		C.snd_pcm_uframes_t(aheadPeriods*sr.N(period)), &where)
	restore()
	messages := said()
	if e < 0 {
		unshm()
		C.free(unsafe.Pointer(c))
		why := ""
		if len(messages) > 0 {
			why = " (alsa-lib: " + messages[0] + ")"
		}
		return nil, fmt.Errorf("open alsa output: %w: %s: %s%s; to play without a sound device use --output wav:FILE (or --output null)",
			ErrNoDevice, C.GoString(where), C.GoString(C.snd_strerror(e)), why)
	}
	a := &ALSA{c: c, ring: unsafe.Slice((*int16)(unsafe.Pointer(c.ring)), 2*int(c.cap)), buffer: sr.D(int(c.buffer)),
		refill: int(c.period), unshm: unshm, monoAt: time.Now(), monoBase: uint64(C.segue_monotonic_ns())}
	if err := a.openSpace(); err != nil {
		unshm()
		C.segue_out_close(c)
		C.free(unsafe.Pointer(c))
		return nil, err
	}
	if e := C.segue_out_start(c); e < 0 {
		unshm()
		a.space.f.Close()
		C.segue_out_close(c)
		C.free(unsafe.Pointer(c))
		return nil, fmt.Errorf("start alsa writer: %w", syscall.Errno(-e))
	}
	return a, nil
}

// openSpace makes the thread's eventfd a pollable file of its own (a
// duplicate: the C side closes the original).
func (a *ALSA) openSpace() error {
	fd, err := unix.Dup(int(a.c.space))
	if err != nil {
		return fmt.Errorf("open alsa output: %w", err)
	}
	unix.CloseOnExec(fd)
	if a.space, err = newCounterFD(fd, "alsa-space"); err != nil {
		return fmt.Errorf("open alsa output: %w", err)
	}
	return nil
}

// setCEnv sets (value "": unsets) a variable of the C environment, which
// libraries read with getenv, leaving Go's copy (os.Environ, what child
// processes get) as it is.
func setCEnv(name, value string) {
	n := C.CString(name)
	defer C.free(unsafe.Pointer(n))
	if value == "" {
		C.unsetenv(n)
		return
	}
	v := C.CString(value)
	defer C.free(unsafe.Pointer(v))
	C.setenv(n, v, 1)
}

func (a *ALSA) u64(p *C.uint64_t) *uint64 { return (*uint64)(unsafe.Pointer(p)) }
func (a *ALSA) u32(p *C.uint32_t) *uint32 { return (*uint32)(unsafe.Pointer(p)) }

func (a *ALSA) state() uint32 { return atomic.LoadUint32(a.u32(&a.c.state)) }

// signal wakes the writer thread. It is a raw system call: an ordinary
// one would wake the Go scheduler's monitor.
func (a *ALSA) signal() {
	one := uint64(1)
	unix.RawSyscall(unix.SYS_WRITE, uintptr(a.c.ctl), uintptr(unsafe.Pointer(&one)), 8)
}

// setMode asks the thread for mode; mu must be held.
func (a *ALSA) setMode(mode uint32) {
	a.paused = mode == C.SEGUE_PAUSE
	if atomic.SwapUint32(a.u32(&a.c.mode), mode) != mode {
		a.signal()
	}
}

// Idle implements Idler. Without drain (a pause) the device stops at
// once and what it had not played waits in the ring for the next Write;
// with drain, what was written plays out, then the device stops. A drain
// after a pause drops what the pause held.
func (a *ALSA) Idle(drain bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return
	}
	// Write's stall deadline would otherwise fire once, seconds into the
	// idle time, and wake the process.
	a.space.f.SetReadDeadline(time.Time{})
	a.deadline = time.Time{}
	if !drain {
		a.setMode(C.SEGUE_PAUSE)
		return
	}
	if a.paused {
		a.flushLocked()
	}
	a.setMode(C.SEGUE_DRAIN)
}

// SetVolume implements Volumer: the writer thread takes back what the
// device holds (as a pause does) and writes it again multiplied by factor
// (1 is unity, the samples bit for bit), within a few milliseconds.
func (a *ALSA) SetVolume(factor float64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return
	}
	bits := math.Float32bits(float32(factor))
	if atomic.SwapUint32(a.u32(&a.c.volume), bits) == bits {
		return
	}
	atomic.AddUint32(a.u32(&a.c.volume_seq), 1)
	a.signal()
}

// Flush implements Flusher: what was written and not yet played is
// dropped, so what is written next is heard at once (a seek, a skip).
func (a *ALSA) Flush() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.closed {
		a.flushLocked()
	}
}

func (a *ALSA) flushLocked() {
	a.gen++
	a.held = nil
	atomic.StoreUint64(a.u64(&a.c.flush_to), atomic.LoadUint64(a.u64(&a.c.wr)))
	atomic.AddUint32(a.u32(&a.c.flush_seq), 1)
	a.signal()
}

// stallTimeout is how long Write waits for the device to take samples
// before it reports the device stalled (PulseAudio may take a second or two
// to start a stream).
const stallTimeout = 5 * time.Second

// errDeviceStalled is returned when the device stops taking samples.
var errDeviceStalled = errors.New("the audio device stopped taking samples")

// Write queues samples, blocking while the ring is full. Samples past a
// pause that happens meanwhile are held for the next Write; samples past a
// flush are dropped.
func (a *ALSA) Write(samples [][2]float64) error {
	a.mu.Lock()
	gen := a.gen
	a.lastMove = time.Time{}
	if len(a.held) > 0 {
		samples = append(a.held, samples...)
		a.held = nil
	}
	a.setMode(C.SEGUE_PLAY)
	a.mu.Unlock()
	for len(samples) > 0 {
		a.mu.Lock()
		if a.gen != gen {
			a.mu.Unlock()
			return nil
		}
		if a.paused {
			a.held = append([][2]float64(nil), samples...)
			a.mu.Unlock()
			return nil
		}
		if a.state() == C.SEGUE_FAILED {
			a.mu.Unlock()
			return fmt.Errorf("write to alsa: %s", C.GoString(C.snd_strerror(a.c.err)))
		}
		n := a.put(samples)
		a.mu.Unlock()
		samples = samples[n:]
		if n == 0 {
			if err := a.waitSpace(); err != nil {
				return err
			}
		}
	}
	return nil
}

// Unheard implements Delayer: how many of the frames written so far are
// not heard yet (held by a pause, in the ring, or in the device): the
// device's delay when the thread last asked for it, less what it played
// since at its rate (once it was seen playing at all).
func (a *ALSA) Unheard() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.c == nil {
		return 0
	}
	var delay, at uint64
	var live uint32
	for {
		seq := atomic.LoadUint32(a.u32(&a.c.delay_seq))
		delay = atomic.LoadUint64(a.u64(&a.c.delay_frames))
		at = atomic.LoadUint64(a.u64(&a.c.delay_ns))
		live = atomic.LoadUint32(a.u32(&a.c.delay_live))
		if seq&1 == 0 && atomic.LoadUint32(a.u32(&a.c.delay_seq)) == seq {
			break
		}
	}
	if now := a.monoBase + uint64(time.Since(a.monoAt)); live != 0 && now > at {
		delay -= min(delay, (now-at)*catalog.SampleRate/uint64(time.Second))
	}
	used := atomic.LoadUint64(a.u64(&a.c.wr)) - atomic.LoadUint64(a.u64(&a.c.rd))
	return len(a.held) + int(used) + int(delay)
}

// free is how many frames Go may write: the ring less what the thread has
// not taken and the device buffer kept behind it (none right after a pause
// moved the read position back into it).
func (a *ALSA) free() int {
	used := atomic.LoadUint64(a.u64(&a.c.wr)) - atomic.LoadUint64(a.u64(&a.c.rd))
	return max(0, int(a.c.cap)-int(a.c.hist)-int(used))
}

// put converts what fits of samples into the ring and returns how many
// frames it took; mu must be held.
func (a *ALSA) put(samples [][2]float64) int {
	n := min(a.free(), len(samples))
	wr := atomic.LoadUint64(a.u64(&a.c.wr))
	at := 2 * int(wr%uint64(a.c.cap))
	for _, s := range samples[:n] {
		if at == len(a.ring) {
			at = 0
		}
		a.ring[at] = int16(max(-1, min(1, s[0])) * 32767)
		a.ring[at+1] = int16(max(-1, min(1, s[1])) * 32767)
		at += 2
	}
	atomic.StoreUint64(a.u64(&a.c.wr), wr+uint64(n))
	if n > 0 && atomic.LoadUint32(a.u32(&a.c.want_data)) != 0 {
		a.signal()
	}
	return n
}

// waitSpace sleeps until the ring has room for a batch (refill frames, a
// period), or the thread changed state. The writer thread wakes it when it
// took a period and the ring has room for one, so the render loop wakes
// once a period. That wake comes through Go's network poller, and a batch
// makes no system call and no cgo call (the MP3 decoder runs in a thread
// of its own: pcm), so Go's scheduler monitor (sysmon) sleeps through it;
// it wakes for every timer that fires, and polls every 20 us while Go
// runs after a system call woke it (issue 14). The read deadline only
// catches a device that stopped taking samples (stallTimeout).
func (a *ALSA) waitSpace() error {
	atomic.StoreUint32(a.u32(&a.c.want_space), 1)
	a.mu.Lock()
	free := a.free()
	ready := free >= a.refill || a.paused || a.state() == C.SEGUE_FAILED
	a.mu.Unlock()
	if ready {
		return nil
	}
	now := time.Now()
	if rd := atomic.LoadUint64(a.u64(&a.c.rd)); rd != a.lastRd || a.lastMove.IsZero() {
		a.lastRd, a.lastMove = rd, now
	} else if now.Sub(a.lastMove) > stallTimeout {
		return fmt.Errorf("write to alsa: %w", errDeviceStalled)
	}
	if a.deadline.IsZero() || !now.Before(a.deadline) {
		// It may pass while the device still moves (it was armed from an
		// older lastMove): this returns, and the check above runs again.
		a.deadline = a.lastMove.Add(stallTimeout + time.Second)
		if err := a.space.f.SetReadDeadline(a.deadline); err != nil {
			return fmt.Errorf("write to alsa: %w", err)
		}
	}
	if err := a.space.wait(); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("write to alsa: %w", err)
	}
	return nil
}

// Close lets what was written play out (up to the buffer and a second;
// what a pause held is dropped), stops the writer and closes the device.
func (a *ALSA) Close() error {
	a.Idle(true)
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.closed = true
	a.mu.Unlock()
	for deadline := time.Now().Add(a.buffer + time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if s := a.state(); s == C.SEGUE_STOPPED || s == C.SEGUE_FAILED {
			break
		}
	}
	C.segue_out_close(a.c)
	a.unshm()
	dropALSAMessages(a.log)
	a.mu.Lock()
	a.underruns = int(a.c.underruns)
	C.free(unsafe.Pointer(a.c))
	a.c = nil
	a.mu.Unlock()
	return a.space.f.Close()
}
