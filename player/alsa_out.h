// The ALSA writer thread of player's ALSA output (alsa.go owns it).
//
// Go fills a ring of signed 16-bit stereo frames in C memory and moves wr;
// the writer thread, a plain pthread the Go scheduler never sees, moves rd
// and writes whole periods to the PCM, sleeping in poll(2) between them,
// multiplying them by the volume on the way: the ring holds samples
// without it, so a new volume is heard at once (the thread drops what the
// device holds and writes it again at the new volume). Go fills the ring
// on its own timer; the thread wakes it through an eventfd only when the
// ring cannot fill the device or the thread's state changes (want_space),
// and Go wakes the thread when it waits for data (want_data): so while
// playing, each side wakes about once per period (issue 14).
#ifndef SEGUE_ALSA_OUT_H
#define SEGUE_ALSA_OUT_H

#include <stdint.h>
#include <pthread.h>
#include <alsa/asoundlib.h>

// Modes Go asks the thread for.
enum {
	SEGUE_PLAY = 0,  // write what the ring holds
	SEGUE_PAUSE = 1, // stop the device at once; what it had not played goes back to the ring
	SEGUE_DRAIN = 2, // write what is left, let it play out, then stop the device
	SEGUE_QUIT = 3,  // stop the device and end the thread
};

// States the thread reports.
enum {
	SEGUE_RUNNING = 0, // the device runs or is about to
	SEGUE_STOPPED = 1, // the device is stopped (dropped): nothing wakes the thread
	SEGUE_FAILED = 2,  // the device failed; err says how
};

typedef struct segue_out {
	snd_pcm_t *pcm;
	int16_t *ring;      // cap frames of interleaved left, right (signed 16-bit)
	uint64_t cap;       // ring size in frames
	uint64_t hist;      // frames behind rd Go keeps (the device buffer): a pause rewinds into them
	uint64_t wr;        // frames Go wrote (atomic; Go's)
	uint64_t rd;        // frames the thread took (atomic; the thread's)
	uint64_t flush_to;  // where a flush moves rd (atomic; written before flush_seq)
	uint32_t flush_seq; // a flush is asked each time Go adds 1 (atomic)
	uint32_t volume;     // the volume factor's float bits (atomic; written before volume_seq)
	uint32_t volume_seq; // the volume changed each time Go adds 1 (atomic)
	int16_t *scratch;   // a period of what put sends the device, the volume applied
	uint32_t mode;      // SEGUE_PLAY, PAUSE, DRAIN, QUIT (atomic; Go's)
	uint32_t state;     // SEGUE_RUNNING, STOPPED, FAILED (atomic; the thread's)
	uint32_t want_data;  // the thread sleeps until Go writes (atomic)
	uint32_t want_space; // Go sleeps until the thread takes frames (atomic)
	uint64_t underruns; // times the device ran dry while playing (atomic)
	// What the device held and had not played (frames) at delay_ns
	// (CLOCK_MONOTONIC: a step of the wall clock between the stamp and
	// Go's reading counted as audio played), written by the thread after each write and when it
	// stops the device; delay_seq is odd while they change (a seqlock;
	// Go's ALSA.Unheard reads them).
	uint64_t delay_frames, delay_ns;
	uint32_t delay_live; // the device played since it started: Go counts time as played
	uint32_t delay_seq;
	uint64_t dev_in;     // frames written to the device since it started (the thread's)
	int err;            // the ALSA error that failed the device
	int ctl;            // eventfd: Go -> thread
	int space;          // eventfd: thread -> Go
	snd_pcm_uframes_t period, buffer;
	unsigned rate;      // frames per second
	pthread_t thread;
} segue_out;

int segue_out_open(segue_out *o, unsigned rate, snd_pcm_uframes_t buffer, snd_pcm_uframes_t period, snd_pcm_uframes_t ahead, const char **where);
int segue_out_start(segue_out *o);
void segue_out_close(segue_out *o);
uint64_t segue_monotonic_ns(void);

#endif
