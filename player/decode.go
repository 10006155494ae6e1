package player

/*
#cgo pkg-config: libmpg123
#include <stdlib.h>
#include <mpg123.h>

// segue_mpg123_new opens a feed-mode handle that decodes every frame to
// 32-bit float stereo at rate, with none of mpg123's own gapless trimming
// (the manifest's start_skip and total_samples drive ours) and no Xing/LAME
// frame handling (ingest writes none; a stray one decodes as audio).
static mpg123_handle *segue_mpg123_new(long rate, int *err) {
	mpg123_handle *h = mpg123_new(NULL, err);
	if (h == NULL) return NULL;
	if ((*err = mpg123_param(h, MPG123_REMOVE_FLAGS, MPG123_GAPLESS, 0)) != MPG123_OK ||
	    (*err = mpg123_param(h, MPG123_ADD_FLAGS, MPG123_QUIET | MPG123_FORCE_STEREO | MPG123_FORCE_FLOAT | MPG123_IGNORE_INFOFRAME, 0)) != MPG123_OK ||
	    (*err = mpg123_format_none(h)) != MPG123_OK ||
	    (*err = mpg123_format(h, rate, MPG123_STEREO, MPG123_ENC_FLOAT_32)) != MPG123_OK ||
	    (*err = mpg123_open_feed(h)) != MPG123_OK) {
		mpg123_delete(h);
		return NULL;
	}
	return h;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"unsafe"

	"segue/catalog"
)

// pcm decodes an MP3 frame stream to samples with libmpg123, the reference
// decoder (Debian's libmpg123-dev), through its feed API: the stream is
// pulled from a plain io.Reader in blocks and pushed with mpg123_feed, so
// one decoder runs across segment and rendition boundaries and never seeks.
// It decodes every frame in full (1152 samples, decoder delay included),
// exactly as the manifest's start_skip assumes. libmpg123 decodes about 30x
// faster than go-mp3 did (issue 14: go-mp3 made 32x mpg123's instructions).
//
// A pcm belongs to one goroutine; close releases the C handle (a finalizer
// does it too, for a pcm dropped without close).
type pcm struct {
	h    *C.mpg123_handle
	r    io.Reader
	in   []byte
	out  []float32 // interleaved left, right
	rest []float32 // decoded, not yet returned
	eof  bool      // r is exhausted and everything was fed
}

const (
	pcmInBytes  = 16 << 10
	pcmOutFloat = 1152 * 2 * 4 // four stereo frames of float samples
)

var mpg123Init = sync.OnceValue(func() C.int { return C.mpg123_init() })

func newPCM(r io.Reader) (*pcm, error) {
	if e := mpg123Init(); e != C.MPG123_OK {
		return nil, fmt.Errorf("start mp3 decoder: %s", C.GoString(C.mpg123_plain_strerror(e)))
	}
	var e C.int
	h := C.segue_mpg123_new(C.long(catalog.SampleRate), &e)
	if h == nil {
		return nil, fmt.Errorf("start mp3 decoder: %s", C.GoString(C.mpg123_plain_strerror(e)))
	}
	p := &pcm{h: h, r: r, in: make([]byte, pcmInBytes), out: make([]float32, pcmOutFloat)}
	runtime.SetFinalizer(p, (*pcm).close)
	return p, nil
}

// close releases the decoder; safe to call twice.
func (p *pcm) close() {
	if p.h != nil {
		C.mpg123_delete(p.h)
		p.h = nil
	}
	runtime.SetFinalizer(p, nil)
}

// errDecoderClosed is returned by a pcm used after close.
var errDecoderClosed = errors.New("mp3 decoder closed")

// fill makes sure rest holds at least one sample; io.EOF at the end.
func (p *pcm) fill() error {
	if p.h == nil {
		return errDecoderClosed
	}
	for len(p.rest) < 2 {
		var done C.size_t
		ret := C.mpg123_read(p.h, unsafe.Pointer(&p.out[0]), C.size_t(len(p.out)*4), &done)
		p.rest = p.out[:int(done)/4]
		switch ret {
		case C.MPG123_OK, C.MPG123_NEW_FORMAT:
		case C.MPG123_NEED_MORE:
			if len(p.rest) >= 2 {
				return nil
			}
			if p.eof {
				return io.EOF
			}
			if err := p.feed(); err != nil {
				return err
			}
		case C.MPG123_DONE:
			if len(p.rest) < 2 {
				return io.EOF
			}
		default:
			return fmt.Errorf("decode mp3: %s", C.GoString(C.mpg123_strerror(p.h)))
		}
	}
	return nil
}

// feed passes the next block of the stream to the decoder.
func (p *pcm) feed() error {
	n, err := p.r.Read(p.in)
	if n > 0 {
		if ret := C.mpg123_feed(p.h, (*C.uchar)(unsafe.Pointer(&p.in[0])), C.size_t(n)); ret != C.MPG123_OK {
			return fmt.Errorf("feed mp3 decoder: %s", C.GoString(C.mpg123_strerror(p.h)))
		}
	}
	if errors.Is(err, io.EOF) {
		p.eof = true
		return nil
	}
	return err
}

// read decodes up to len(samples) samples.
func (p *pcm) read(samples [][2]float64) (int, error) {
	n := 0
	for n < len(samples) {
		if err := p.fill(); err != nil {
			return n, err
		}
		k := min(len(samples)-n, len(p.rest)/2)
		for i := range k {
			samples[n+i] = [2]float64{float64(p.rest[2*i]), float64(p.rest[2*i+1])}
		}
		p.rest = p.rest[2*k:]
		n += k
	}
	return n, nil
}

// skip decodes and drops n samples.
func (p *pcm) skip(n int) (int, error) {
	done := 0
	for done < n {
		if err := p.fill(); err != nil {
			return done, err
		}
		k := min(n-done, len(p.rest)/2)
		p.rest = p.rest[2*k:]
		done += k
	}
	return done, nil
}
