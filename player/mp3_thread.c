// The MP3 decoder thread: see mp3_thread.h and pcm in decode.go.
#define _GNU_SOURCE // pthread_setname_np
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "mp3_thread.h"

// Every shared field is read and written sequentially consistent: a side
// stores its want_* flag and then looks at the other side's position,
// while the other stores its position and then looks at the flag, so one
// of the two always sees the other (no lost wake-up).
#define LOAD(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)

static void notify(int fd) {
	uint64_t one = 1;
	(void)!write(fd, &one, sizeof one);
}

// wait_ctl sleeps until Go signals.
static void wait_ctl(segue_dec *d) {
	struct pollfd p = {.fd = d->ctl, .events = POLLIN};
	if (poll(&p, 1, -1) > 0) {
		uint64_t v;
		(void)!read(d->ctl, &v, sizeof v);
	}
}

// wake_go wakes Go if it sleeps waiting for samples or a state change.
static void wake_go(segue_dec *d) {
	if (__atomic_exchange_n(&d->want_out, 0, __ATOMIC_SEQ_CST)) notify(d->ready);
}

static void set_state(segue_dec *d, uint32_t s) {
	STORE(&d->state, s);
	wake_go(d);
}

static void fail(segue_dec *d, const char *why) {
	strncpy(d->err, why, sizeof d->err - 1);
	set_state(d, SEGUE_DEC_FAILED);
}

// put copies n floats of a decoded frame into the sample ring at wr.
static void put(segue_dec *d, uint64_t wr, const float *from, uint64_t n) {
	uint64_t at = wr % d->out_cap, first = d->out_cap - at;
	if (first > n) first = n;
	memcpy(d->out + at, from, first * sizeof(float));
	memcpy(d->out, from + first, (n - first) * sizeof(float));
}

static void *run(void *arg) {
	segue_dec *d = arg;
	uint64_t in_rd = 0, out_wr = 0;
	while (!LOAD(&d->quit)) {
		if (LOAD(&d->state) != SEGUE_DEC_RUNNING) {
			wait_ctl(d);
			continue;
		}
		if (d->out_cap - (out_wr - LOAD(&d->out_rd)) < segue_dec_frame) {
			// Full: sleep until Go took a batch (refill), not a frame,
			// so the thread wakes once a batch.
			wake_go(d);
			STORE(&d->want_room, 1);
			while (d->out_cap - (out_wr - LOAD(&d->out_rd)) < d->refill && !LOAD(&d->quit)) wait_ctl(d);
			STORE(&d->want_room, 0);
			continue;
		}
		off_t num;
		unsigned char *audio = NULL;
		size_t bytes = 0;
		int ret = mpg123_decode_frame(d->h, &num, &audio, &bytes);
		if (ret == MPG123_OK || ret == MPG123_NEW_FORMAT) {
			uint64_t n = bytes / sizeof(float);
			if (n > segue_dec_frame) {
				fail(d, "decoded frame larger than an MP3 frame");
				continue;
			}
			if (n > 0) {
				put(d, out_wr, (const float *)audio, n);
				out_wr += n;
				STORE(&d->out_wr, out_wr);
				// Go waiting for samples gets them in runs, not a frame
				// at a time (it may take them faster than they come),
				// except the stream's first (the time to first audio).
				if (out_wr - LOAD(&d->out_rd) >= segue_dec_run || out_wr <= segue_dec_run) wake_go(d);
			}
			continue;
		}
		if (ret == MPG123_DONE) {
			set_state(d, SEGUE_DEC_ENDED);
			continue;
		}
		if (ret != MPG123_NEED_MORE) {
			fail(d, mpg123_strerror(d->h));
			continue;
		}
		// Feed libmpg123 what Go wrote; the end of the stream is known
		// once Go said so and everything it wrote was fed.
		uint32_t end = LOAD(&d->in_end);
		uint64_t have = LOAD(&d->in_wr) - in_rd;
		if (have > 0) {
			// A few frames at a time: libmpg123 copies what it is fed
			// into buffers of its own, which then hold that much.
			uint64_t at = in_rd % d->in_cap, n = d->in_cap - at;
			if (n > have) n = have;
			if (n > segue_dec_feed) n = segue_dec_feed;
			if (mpg123_feed(d->h, d->in + at, n) != MPG123_OK) {
				fail(d, mpg123_strerror(d->h));
				continue;
			}
			in_rd += n;
			STORE(&d->in_rd, in_rd);
			continue;
		}
		if (end) {
			set_state(d, SEGUE_DEC_ENDED);
			continue;
		}
		STORE(&d->want_in, 1);
		wake_go(d); // Go may wait for samples that need more stream
		if (LOAD(&d->in_wr) == in_rd && !LOAD(&d->in_end) && !LOAD(&d->quit)) wait_ctl(d);
		STORE(&d->want_in, 0);
	}
	return NULL;
}

// new_handle opens a feed-mode handle that decodes every frame to 32-bit
// float stereo at rate, with none of mpg123's own gapless trimming (the
// manifest's start_skip and total_samples drive ours) and no Xing/LAME
// frame handling (ingest writes none; a stray one decodes as audio).
static mpg123_handle *new_handle(long rate, int *err) {
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

static int open_failed(segue_dec *d, const char *why) {
	segue_dec_close(d);
	strncpy(d->err, why, sizeof d->err - 1);
	return -1;
}

int segue_dec_open(segue_dec *d, long rate, uint64_t in_cap, uint64_t out_cap, uint64_t refill) {
	d->ctl = d->ready = -1;
	int err = MPG123_OK;
	if ((d->h = new_handle(rate, &err)) == NULL) return open_failed(d, mpg123_plain_strerror(err));
	d->in_cap = in_cap;
	d->out_cap = out_cap;
	d->refill = refill;
	d->in = malloc(in_cap);
	d->out = malloc(out_cap * sizeof(float));
	d->ctl = eventfd(0, EFD_CLOEXEC);
	d->ready = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->in == NULL || d->out == NULL || d->ctl < 0 || d->ready < 0) return open_failed(d, strerror(errno ? errno : ENOMEM));
	if ((err = pthread_create(&d->thread, NULL, run, d)) != 0) return open_failed(d, strerror(err));
	d->started = 1;
	pthread_setname_np(d->thread, "segue-mp3");
	return 0;
}

void segue_dec_close(segue_dec *d) {
	if (d->started) {
		STORE(&d->quit, 1);
		notify(d->ctl);
		pthread_join(d->thread, NULL);
		d->started = 0;
	}
	if (d->h) mpg123_delete(d->h);
	d->h = NULL;
	free(d->in);
	free(d->out);
	d->in = NULL;
	d->out = NULL;
	if (d->ctl >= 0) close(d->ctl);
	if (d->ready >= 0) close(d->ready);
	d->ctl = d->ready = -1;
}
