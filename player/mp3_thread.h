// The MP3 decoder thread: libmpg123 decoding in a thread of its own, so
// that the render goroutine makes no cgo call while it plays (see pcm in
// decode.go for why).
//
// Two single-producer rings connect it with Go. Go writes the MP3 stream
// into `in` and the thread takes it; the thread writes decoded samples
// (32-bit float, stereo interleaved) into `out` and Go takes them. Each
// position counts bytes or floats since the start, never wraps back, and
// has one writer; the other side reads it with acquire loads. Wake-ups go
// through eventfds, and only to a side that said it sleeps (want_*).
#ifndef SEGUE_MP3_THREAD_H
#define SEGUE_MP3_THREAD_H

#include <pthread.h>
#include <stdint.h>
#include <mpg123.h>

enum { SEGUE_DEC_RUNNING, SEGUE_DEC_ENDED, SEGUE_DEC_FAILED };

// segue_dec_frame is the most floats one MP3 frame decodes to (1152
// samples, two channels).
enum { segue_dec_frame = 1152 * 2 };

// segue_dec_feed is the most bytes of stream the thread feeds libmpg123
// at a time (about 4 frames at 320 kbit/s).
enum { segue_dec_feed = 4096 };

// segue_dec_run is how many floats the thread decodes before it wakes Go
// waiting for samples (16 frames, 0.4 s); it wakes it sooner when it
// stops (the stream ran out or ended, the ring is full).
enum { segue_dec_run = 16 * segue_dec_frame };

typedef struct {
	mpg123_handle *h;
	unsigned char *in;  // the stream ring
	uint64_t in_cap;    // bytes
	uint64_t in_wr;     // bytes Go wrote (atomic; Go's)
	uint64_t in_rd;     // bytes the thread fed libmpg123 (atomic; the thread's)
	uint32_t in_end;    // Go wrote the whole stream (atomic; Go's)
	float *out;         // the sample ring
	uint64_t out_cap;   // floats, a multiple of 2
	uint64_t out_wr;    // floats decoded (atomic; the thread's)
	uint64_t out_rd;    // floats Go took (atomic; Go's)
	uint64_t refill;    // floats of room the thread waits for once the ring is full
	uint32_t state;     // SEGUE_DEC_* (atomic; the thread's, stored after out_wr)
	char err[128];      // why it failed (written before state turns FAILED)
	uint32_t want_in;   // the thread sleeps until Go writes stream (atomic)
	uint32_t want_room; // the thread sleeps until Go takes samples (atomic)
	uint32_t want_out;  // Go sleeps until the thread decodes or stops (atomic)
	uint32_t quit;      // Go asks the thread to end (atomic)
	int ctl;            // eventfd: Go -> thread
	int ready;          // eventfd: thread -> Go (non-blocking)
	pthread_t thread;
	int started;
} segue_dec;

// segue_dec_open makes the handle, rings and eventfds and starts the
// thread; it returns 0, or -1 with err saying why (d is then closed).
int segue_dec_open(segue_dec *d, long rate, uint64_t in_cap, uint64_t out_cap, uint64_t refill);
// segue_dec_close ends the thread and frees everything; safe on a
// half-opened d.
void segue_dec_close(segue_dec *d);

#endif
