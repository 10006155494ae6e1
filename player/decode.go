package player

/*
#cgo pkg-config: libmpg123
#include <stdlib.h>
#include "mp3_thread.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"

	"segue/catalog"
)

// pcm decodes an MP3 frame stream to samples with libmpg123, the reference
// decoder (Debian's libmpg123-dev), through its feed API: the stream is
// pulled from a plain io.Reader and pushed with mpg123_feed, so one decoder
// runs across segment and rendition boundaries and never seeks. It decodes
// every frame in full (1152 samples, decoder delay included), exactly as
// the manifest's start_skip assumes. libmpg123 decodes about 30x faster
// than go-mp3 did (issue 14: go-mp3 made 32x mpg123's instructions).
//
// libmpg123 runs in a C thread of its own (mp3_thread.c), which decodes
// up to pcmAhead samples ahead into a ring in C memory; read takes them
// from there and the stream goes to the thread through another ring, so
// the render goroutine makes no cgo call while it plays. Issue 14 (at most
// 10 wake-ups a second while playing): to Go's scheduler a cgo call is a
// system call, and the first one after the process slept wakes its monitor
// thread (sysmon) from its deep sleep into polling every 20 us for as long
// as Go stays busy (runtime/proc.go: sysmon); a render batch that decoded
// through cgo cost 6-14 wake-ups a second there alone. The thread and Go
// wake each other through eventfds, and only when the other side sleeps
// waiting (once a render batch while playing).
//
// A pcm belongs to one goroutine; close ends the thread and frees the C
// memory (a finalizer does it too, for a pcm dropped without close).
type pcm struct {
	d     *C.segue_dec
	r     io.Reader
	in    []byte     // the stream ring (C memory)
	out   []float32  // the sample ring (C memory): left, right interleaved
	ready *counterFD // readable when the thread decoded or stopped (a duplicate of d.ready)
	eof   bool       // r is exhausted: in_end is set
}

const (
	// pcmInBytes is the stream ring: 3.2 s at 320 kbit/s, more than a
	// render batch takes.
	pcmInBytes = 128 << 10
	// pcmAhead is how many samples the thread decodes ahead: the render
	// batch of the ALSA output (a period, defaultPeriodFrames), and the
	// chunks the render loop may read past it, so a batch finds them all
	// decoded.
	pcmAhead     = defaultPeriodFrames + 4*chunk
	pcmOutFloats = 2*pcmAhead + C.segue_dec_frame
	// pcmRefill is the room, in floats, the thread waits for once the
	// ring is full: a period, so it wakes once a render batch.
	pcmRefill = 2 * defaultPeriodFrames
)

// bufferedReader is a stream that tells how many bytes Read returns
// without waiting (trackStream: the rest of the segment in hand). pcm
// writes those ahead into the stream ring; it reads further only when the
// decoder has nothing left to decode, as it did when it decoded in the
// render goroutine, so a segment is taken (and waited for) when it is due.
type bufferedReader interface {
	buffered() int
}

var mpg123Init = sync.OnceValue(func() C.int { return C.mpg123_init() })

func newPCM(r io.Reader) (*pcm, error) {
	if e := mpg123Init(); e != C.MPG123_OK {
		return nil, fmt.Errorf("start mp3 decoder: %s", C.GoString(C.mpg123_plain_strerror(e)))
	}
	d := (*C.segue_dec)(C.calloc(1, C.sizeof_segue_dec))
	if C.segue_dec_open(d, C.long(catalog.SampleRate), pcmInBytes, pcmOutFloats, pcmRefill) != 0 {
		err := fmt.Errorf("start mp3 decoder: %s", C.GoString(&d.err[0]))
		C.free(unsafe.Pointer(d))
		return nil, err
	}
	p := &pcm{d: d, r: r, in: unsafe.Slice((*byte)(unsafe.Pointer(d.in)), pcmInBytes),
		out: unsafe.Slice((*float32)(unsafe.Pointer(d.out)), pcmOutFloats)}
	fd, err := unix.Dup(int(d.ready))
	if err == nil {
		unix.CloseOnExec(fd)
		p.ready, err = newCounterFD(fd, "mp3-ready")
	}
	runtime.SetFinalizer(p, (*pcm).close)
	if err != nil {
		p.close()
		return nil, fmt.Errorf("start mp3 decoder: %w", err)
	}
	return p, nil
}

// close ends the thread and releases the decoder; safe to call twice.
func (p *pcm) close() {
	if p.d != nil {
		C.segue_dec_close(p.d)
		C.free(unsafe.Pointer(p.d))
		p.d = nil
		if p.ready != nil {
			p.ready.f.Close()
		}
	}
	runtime.SetFinalizer(p, nil)
}

// errDecoderClosed is returned by a pcm used after close.
var errDecoderClosed = errors.New("mp3 decoder closed")

func (p *pcm) u64(v *C.uint64_t) *uint64 { return (*uint64)(unsafe.Pointer(v)) }
func (p *pcm) u32(v *C.uint32_t) *uint32 { return (*uint32)(unsafe.Pointer(v)) }

// decoded is how many floats wait in the sample ring.
func (p *pcm) decoded() int {
	return int(atomic.LoadUint64(p.u64(&p.d.out_wr)) - atomic.LoadUint64(p.u64(&p.d.out_rd)))
}

// signal wakes the thread. It is a raw system call: an ordinary one
// would wake the Go scheduler's monitor (see pcm).
func (p *pcm) signal() {
	one := uint64(1)
	unix.RawSyscall(unix.SYS_WRITE, uintptr(p.d.ctl), uintptr(unsafe.Pointer(&one)), 8)
}

// avail returns how many floats wait in the sample ring (at least 2),
// feeding the thread and waiting for it as needed; io.EOF once the stream
// was decoded to its end and taken.
func (p *pcm) avail() (int, error) {
	if p.d == nil {
		return 0, errDecoderClosed
	}
	for {
		st := atomic.LoadUint32(p.u32(&p.d.state)) // before the position: the thread stores it after
		if n := p.decoded(); n >= 2 {
			return n, p.topUp()
		}
		switch st {
		case C.SEGUE_DEC_ENDED:
			return 0, io.EOF
		case C.SEGUE_DEC_FAILED:
			return 0, fmt.Errorf("decode mp3: %s", C.GoString(&p.d.err[0]))
		}
		atomic.StoreUint32(p.u32(&p.d.want_out), 1)
		if p.decoded() >= 2 || atomic.LoadUint32(p.u32(&p.d.state)) != C.SEGUE_DEC_RUNNING {
			continue
		}
		if atomic.LoadUint64(p.u64(&p.d.in_wr)) == 0 || p.inUsed() == 0 && atomic.LoadUint32(p.u32(&p.d.want_in)) != 0 {
			// The decoder has nothing yet, or nothing left (it fed
			// everything, and says so since; in that order, as it clears
			// want_in before it feeds): the next bytes of the stream,
			// waiting for them if need be.
			atomic.StoreUint32(p.u32(&p.d.want_out), 0)
			if _, err := p.readIn(len(p.in) - p.inUsed()); err != nil {
				return 0, err
			}
			continue
		}
		if err := p.wait(); err != nil {
			return 0, err
		}
	}
}

// inUsed is how many bytes of the stream ring the thread has not fed.
func (p *pcm) inUsed() int {
	return int(atomic.LoadUint64(p.u64(&p.d.in_wr)) - atomic.LoadUint64(p.u64(&p.d.in_rd)))
}

// topUp writes into the stream ring what the reader has in hand (a
// bufferedReader's buffered bytes; as much as fits of any other reader),
// so the thread decodes ahead without Go waiting for it.
func (p *pcm) topUp() error {
	for !p.eof {
		want := len(p.in) - p.inUsed()
		if b, ok := p.r.(bufferedReader); ok {
			want = min(want, b.buffered())
		}
		if want == 0 {
			return nil
		}
		if n, err := p.readIn(want); err != nil || n == 0 {
			return err
		}
	}
	return nil
}

// readIn makes one Read of at most max bytes into the stream ring and
// wakes the thread if it waits for them.
func (p *pcm) readIn(max int) (int, error) {
	wr := atomic.LoadUint64(p.u64(&p.d.in_wr))
	at := int(wr % pcmInBytes)
	n, err := p.r.Read(p.in[at:min(at+max, len(p.in))])
	if n > 0 {
		atomic.StoreUint64(p.u64(&p.d.in_wr), wr+uint64(n))
	}
	if errors.Is(err, io.EOF) {
		p.eof, err = true, nil
		atomic.StoreUint32(p.u32(&p.d.in_end), 1)
	}
	if (n > 0 || p.eof) && atomic.LoadUint32(p.u32(&p.d.want_in)) != 0 {
		p.signal()
	}
	return n, err
}

// wait sleeps until the thread decoded more or stopped.
func (p *pcm) wait() error {
	if err := p.ready.wait(); err != nil {
		return fmt.Errorf("wait for the mp3 decoder: %w", err)
	}
	return nil
}

// take returns the decoded floats at the ring's read position, at most
// max pairs and not across the ring's end; done gives them back to the
// thread.
func (p *pcm) take(max int) ([]float32, error) {
	n, err := p.avail()
	if err != nil {
		return nil, err
	}
	at := int(atomic.LoadUint64(p.u64(&p.d.out_rd)) % pcmOutFloats)
	return p.out[at : at+min(n, 2*max, len(p.out)-at)], nil
}

// done frees n floats of the sample ring and wakes the thread if it waits
// for the room of a batch (pcmRefill).
func (p *pcm) done(n int) {
	atomic.AddUint64(p.u64(&p.d.out_rd), uint64(n))
	if atomic.LoadUint32(p.u32(&p.d.want_room)) != 0 && pcmOutFloats-p.decoded() >= pcmRefill {
		p.signal()
	}
}

// read decodes up to len(samples) samples.
func (p *pcm) read(samples [][2]float64) (int, error) {
	n := 0
	for n < len(samples) {
		f, err := p.take(len(samples) - n)
		if err != nil {
			return n, err
		}
		for i := range len(f) / 2 {
			samples[n+i] = [2]float64{float64(f[2*i]), float64(f[2*i+1])}
		}
		p.done(len(f))
		n += len(f) / 2
	}
	return n, nil
}

// skip decodes and drops n samples.
func (p *pcm) skip(n int) (int, error) {
	done := 0
	for done < n {
		f, err := p.take(n - done)
		if err != nil {
			return done, err
		}
		p.done(len(f))
		done += len(f) / 2
	}
	return done, nil
}
