// The ALSA writer thread: see alsa_out.h and alsa.go.
#define _GNU_SOURCE // pthread_setname_np
#define _GNU_SOURCE // pthread_setname_np
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/eventfd.h>

#include "alsa_out.h"

#define LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

enum { max_fds = 16 };

// room_slack_ms is how long after a period was played the writer looks
// for room, so that the server's request for it has arrived.
enum { room_slack_ms = 30 };

static int reopen(segue_out *o);
static void release(segue_out *o);

static void notify(int fd) {
	uint64_t one = 1;
	(void)!write(fd, &one, sizeof one);
}

static void clear_fd(int fd) {
	uint64_t v;
	(void)!read(fd, &v, sizeof v);
}

// wake_go wakes Go if it sleeps waiting for space or a state change.
static void wake_go(segue_out *o) {
	if (__atomic_exchange_n(&o->want_space, 0, __ATOMIC_ACQ_REL)) notify(o->space);
}

static void set_state(segue_out *o, uint32_t s) {
	if (LOAD(&o->state) != s) {
		STORE(&o->state, s);
		wake_go(o);
	}
}

// wait_ctl sleeps until Go signals (or timeout_ms passes; -1: no limit).
// It returns 0 on a timeout.
static int wait_ctl(segue_out *o, int timeout_ms) {
	struct pollfd p = {.fd = o->ctl, .events = POLLIN};
	int n = poll(&p, 1, timeout_ms);
	if (n > 0) clear_fd(o->ctl);
	return n;
}

// wait_room sleeps until the device has room (avail_min frames), Go
// signals, or timeout_ms passes (-1: no limit).
static int wait_room(segue_out *o, int timeout_ms) {
	struct pollfd fds[max_fds + 1];
	fds[0] = (struct pollfd){.fd = o->ctl, .events = POLLIN};
	int n = snd_pcm_poll_descriptors(o->pcm, fds + 1, max_fds);
	if (n < 0) return n;
	if (poll(fds, 1 + n, timeout_ms) < 0) return errno == EINTR ? 0 : -errno;
	if (fds[0].revents) clear_fd(o->ctl);
	unsigned short rev = 0;
	int err = snd_pcm_poll_descriptors_revents(o->pcm, fds + 1, n, &rev);
	if (err < 0) return err;
	if (rev & (POLLERR | POLLNVAL)) {
		snd_pcm_state_t st = snd_pcm_state(o->pcm);
		if (st == SND_PCM_STATE_XRUN) return -EPIPE;
		if (st == SND_PCM_STATE_SUSPENDED) return -ESTRPIPE;
	}
	return 0;
}

// recover handles a device error while playing: an underrun or a
// suspend prepares the device again; anything else fails it.
static int recover(segue_out *o, int err, int playing) {
	if (err == -EPIPE && playing) __atomic_add_fetch(&o->underruns, 1, __ATOMIC_RELAXED);
	if (snd_pcm_recover(o->pcm, err, 1) < 0) {
		o->err = err;
		set_state(o, SEGUE_FAILED);
		return -1;
	}
	return 0;
}

// segue_monotonic_ns is CLOCK_MONOTONIC in nanoseconds: the clock
// delay_ns is read on (Go takes it once, ALSA.monoBase).
uint64_t segue_monotonic_ns(void) {
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000 + (uint64_t)now.tv_nsec;
}

// record_delay records that the device holds delay frames it has not
// played yet (0: stopped), and when, for Go's position (ALSA.Unheard) and
// the writer's sleep (wait_period); and whether the device has been seen
// playing since it started (delay_live): a sound server may take a while
// to start a stream, and until it does Go must not count time as played.
static void record_delay(segue_out *o, snd_pcm_sframes_t delay, int running) {
	if (delay < 0) delay = 0;
	uint32_t live = running && (uint64_t)delay < o->dev_in;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	__atomic_add_fetch(&o->delay_seq, 1, __ATOMIC_ACQ_REL); // odd: being written
	STORE(&o->delay_frames, (uint64_t)delay);
	STORE(&o->delay_ns, (uint64_t)now.tv_sec * 1000000000 + (uint64_t)now.tv_nsec);
	STORE(&o->delay_live, live);
	__atomic_add_fetch(&o->delay_seq, 1, __ATOMIC_ACQ_REL);
}

// note_delay records the device's delay as it says now (see record_delay).
static void note_delay(segue_out *o, int running) {
	snd_pcm_sframes_t delay = 0;
	if (running && snd_pcm_delay(o->pcm, &delay) < 0) delay = 0;
	record_delay(o, delay, running);
}

// stop drops what the device holds; with rewind, the frames it had not
// played go back to the ring (rd moves back over them), so a paused track
// goes on where the listener heard it stop.
static void stop(segue_out *o, uint64_t *rd, int rewind) {
	snd_pcm_sframes_t delay = 0;
	if (rewind && snd_pcm_delay(o->pcm, &delay) == 0 && delay > 0) {
		uint64_t back = (uint64_t)delay;
		if (back > o->hist) back = o->hist;
		if (back > *rd) back = *rd;
		*rd -= back;
		STORE(&o->rd, *rd);
	}
	snd_pcm_drop(o->pcm);
	note_delay(o, 0);
}

// volume loads the volume factor Go stored.
static float volume(segue_out *o) {
	uint32_t bits = LOAD(&o->volume);
	float f;
	memcpy(&f, &bits, sizeof f);
	return f;
}

// put writes n frames from the ring at rd, multiplied by vol, in runs of
// at most a period, each one contiguous write (one message to a sound
// server); it returns frames written or a negative ALSA error. At vol 1
// the device gets the ring's samples bit for bit, straight from the ring
// (a run that crosses its end is written in two); any other volume goes
// through the scratch buffer, the ring keeping the samples as they were
// for a rewind. Its pages are touched only then: at unity they are never
// resident (issue 14: 20 MiB of memory while playing; a period of 16-bit
// stereo is 172 KiB).
static snd_pcm_sframes_t put(segue_out *o, uint64_t rd, uint64_t n, float vol) {
	snd_pcm_sframes_t done = 0;
	while (n > 0) {
		uint64_t run = n < o->period ? n : o->period;
		const int16_t *from;
		if (vol == 1) {
			uint64_t at = rd % o->cap;
			if (run > o->cap - at) run = o->cap - at;
			from = o->ring + 2 * at;
		} else {
			for (uint64_t k = 0; k < run;) { // contiguous stretches of the ring
				uint64_t at = (rd + k) % o->cap, m = o->cap - at;
				if (m > run - k) m = run - k;
				const int16_t *in = o->ring + 2 * at;
				int16_t *to = o->scratch + 2 * k;
				for (uint64_t i = 0; i < 2 * m; i++) to[i] = (int16_t)(in[i] * vol);
				k += m;
			}
			from = o->scratch;
		}
		snd_pcm_sframes_t w = snd_pcm_writei(o->pcm, from, run);
		if (w < 0) return done > 0 ? done : w;
		done += w;
		rd += w;
		n -= w;
		if ((uint64_t)w < run) break;
	}
	return done;
}

// wait_period sleeps, while playing, until the device will have room for
// a period (room_slack_ms after its last recorded delay says a period was
// played) and returns 1; 0 when that time has passed. It sleeps by the
// clock, on the delay recorded with the last write, not on the device's
// poll descriptors and with no call into the device: PulseAudio's plugin
// signals those descriptors when the server asks for more, from its
// client thread, which then still holds the plugin's lock, and every call
// into the plugin takes that lock; this thread woke to wait for the lock,
// and the client thread woke again to hand it over (issue 14).
static int wait_period(segue_out *o) {
	if (!LOAD(&o->delay_live)) return 0;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	uint64_t ns = (uint64_t)now.tv_sec * 1000000000 + (uint64_t)now.tv_nsec, at = LOAD(&o->delay_ns);
	int64_t played = ns > at ? (int64_t)((ns - at) / 1000 * o->rate / 1000000) : 0;
	int64_t left = (int64_t)LOAD(&o->delay_frames) - played - (int64_t)(o->buffer - o->period);
	if (left <= 0) return 0;
	wait_ctl(o, (int)(left * 1000 / o->rate) + room_slack_ms);
	return 1;
}

static void *run(void *arg) {
	segue_out *o = arg;
	uint64_t rd = LOAD(&o->rd);
	uint32_t seq = LOAD(&o->flush_seq);
	uint32_t vseq = LOAD(&o->volume_seq);
	float vol = volume(o);
	int running = 0; // the device was prepared and written since it last stopped
	for (;;) {
		uint32_t mode = LOAD(&o->mode);
		uint32_t s = LOAD(&o->flush_seq);
		uint32_t vs = LOAD(&o->volume_seq);
		if (vs != vseq) {
			// What the device holds was written at the old volume: take
			// it back, as a pause does, and write it again at once.
			vseq = vs;
			vol = volume(o);
			if (running) stop(o, &rd, 1);
			running = 0;
		}
		if (s != seq) {
			seq = s;
			if (running) snd_pcm_drop(o->pcm);
			running = 0;
			note_delay(o, 0);
			rd = LOAD(&o->flush_to);
			STORE(&o->rd, rd);
			wake_go(o);
		}
		if (mode == SEGUE_QUIT) {
			if (running) snd_pcm_drop(o->pcm);
			break;
		}
		if (LOAD(&o->state) == SEGUE_FAILED) {
			wait_ctl(o, -1);
			continue;
		}
		if (mode == SEGUE_PAUSE) {
			if (running) stop(o, &rd, 1);
			running = 0;
			release(o);
			set_state(o, SEGUE_STOPPED);
			wake_go(o); // a Write waiting for space returns
			wait_ctl(o, -1);
			continue;
		}
		uint64_t have = LOAD(&o->wr) - rd;
		if (!running && have > 0) {
			int err = o->pcm == NULL ? reopen(o) : 0;
			if (err < 0) {
				o->err = err;
				set_state(o, SEGUE_FAILED);
				continue;
			}
			snd_pcm_state_t st = snd_pcm_state(o->pcm);
			if (st != SND_PCM_STATE_PREPARED && st != SND_PCM_STATE_RUNNING) {
				err = snd_pcm_prepare(o->pcm);
				if (err < 0 && recover(o, err, 0) < 0) continue;
			}
			running = 1;
			o->dev_in = 0;
			set_state(o, SEGUE_RUNNING);
		}
		if (have == 0) {
			if (running && mode == SEGUE_DRAIN) {
				snd_pcm_sframes_t delay = 0;
				if (snd_pcm_delay(o->pcm, &delay) == 0 && delay > 0 &&
				    wait_ctl(o, (int)(delay * 1000 / o->rate) + 20) != 0)
					continue; // Go signalled: look again
				snd_pcm_drop(o->pcm);
				running = 0;
				note_delay(o, 0);
			}
			if (!running) {
				release(o);
				set_state(o, SEGUE_STOPPED);
			}
			// The device has a buffer to play and Go refills the ring
			// meanwhile (it was woken when this thread took a period):
			// wait for the device's room, not for Go's samples, which
			// would wake the thread once more a period.
			if (running && mode == SEGUE_PLAY && wait_period(o)) continue;
			// Until the device is seen playing, look every 50 ms (see
			// note_delay), also with nothing left to write: after a resume
			// that wrote a track's whole rest at once, the delay stayed
			// not live, Go's position stood still and the track never
			// ended (Player.waitHeard).
			int unseen = running && mode == SEGUE_PLAY && !LOAD(&o->delay_live);
			STORE(&o->want_data, 1);
			if (LOAD(&o->wr) == rd && LOAD(&o->mode) == mode && LOAD(&o->flush_seq) == seq && LOAD(&o->volume_seq) == vseq)
				wait_ctl(o, unseen ? 50 : -1);
			STORE(&o->want_data, 0);
			if (unseen) note_delay(o, 1);
			continue;
		}
		snd_pcm_sframes_t avail = snd_pcm_avail_update(o->pcm);
		if (avail < 0) {
			recover(o, (int)avail, mode == SEGUE_PLAY);
			continue;
		}
		// Go fell behind: the device has room for a period that the
		// ring cannot fill.
		if (mode == SEGUE_PLAY && have < o->period && (snd_pcm_uframes_t)avail >= o->period) wake_go(o);
		// While playing, wait until a whole period fits: the thread then
		// wakes once a period, not once a chunk.
		snd_pcm_uframes_t least = mode == SEGUE_PLAY && have >= o->period ? o->period : 1;
		if ((snd_pcm_uframes_t)avail < least) {
			// Until the device is seen playing, look every 50 ms (see
			// note_delay); then once a period.
			int live = LOAD(&o->delay_live);
			if (least == o->period && wait_period(o)) continue;
			int err = wait_room(o, live ? -1 : 50);
			if (!live) note_delay(o, 1);
			if (err < 0) recover(o, err, mode == SEGUE_PLAY);
			continue;
		}
		uint64_t n = have < (uint64_t)avail ? have : (uint64_t)avail;
		if (least == o->period && n >= o->period) n -= n % o->period; // whole periods: one message each
		// The delay is asked before the write, not after: the write wakes
		// PulseAudio's client thread to send it, and a call into the
		// plugin now would wait for the lock that thread holds.
		snd_pcm_sframes_t before = 0;
		if (snd_pcm_delay(o->pcm, &before) < 0) before = 0;
		snd_pcm_sframes_t w = put(o, rd, n, vol);
		if (w == -EAGAIN) continue;
		if (w < 0) {
			recover(o, (int)w, mode == SEGUE_PLAY);
			continue;
		}
		rd += w;
		o->dev_in += w;
		STORE(&o->rd, rd);
		record_delay(o, (before > 0 ? before : 0) + w, 1);
		// Go renders a period at a time, when the ring has room for one:
		// this wake is its clock while playing (see ALSA.waitSpace).
		if (mode == SEGUE_PLAY && o->cap - o->hist - (LOAD(&o->wr) - rd) >= o->period) wake_go(o);
	}
	return NULL;
}

// open_pcm opens the default device non-blocking with buffer and period
// frames asked (S16 stereo at o->rate) into o->pcm, o->buffer and
// o->period; it returns 0 or a negative ALSA error, where naming the step
// that failed.
static int open_pcm(segue_out *o, snd_pcm_uframes_t buffer, snd_pcm_uframes_t period, const char **where) {
	int err;
	snd_pcm_hw_params_t *hw = NULL;
	snd_pcm_sw_params_t *sw = NULL;
	*where = "snd_pcm_open \"default\"";
	if ((err = snd_pcm_open(&o->pcm, "default", SND_PCM_STREAM_PLAYBACK, SND_PCM_NONBLOCK)) < 0) {
		o->pcm = NULL;
		return err;
	}
	snd_pcm_hw_params_alloca(&hw);
	snd_pcm_sw_params_alloca(&sw);
	*where = "snd_pcm_hw_params";
	if ((err = snd_pcm_hw_params_any(o->pcm, hw)) < 0 ||
	    (err = snd_pcm_hw_params_set_access(o->pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED)) < 0 ||
	    (err = snd_pcm_hw_params_set_format(o->pcm, hw, SND_PCM_FORMAT_S16_LE)) < 0 ||
	    (err = snd_pcm_hw_params_set_channels(o->pcm, hw, 2)) < 0 ||
	    (err = snd_pcm_hw_params_set_rate_resample(o->pcm, hw, 1)) < 0 ||
	    (err = snd_pcm_hw_params_set_rate(o->pcm, hw, o->rate, 0)) < 0 ||
	    (err = snd_pcm_hw_params_set_buffer_size_near(o->pcm, hw, &buffer)) < 0 ||
	    (err = snd_pcm_hw_params_set_period_size_near(o->pcm, hw, &period, NULL)) < 0 ||
	    (err = snd_pcm_hw_params(o->pcm, hw)) < 0)
		goto fail;
	snd_pcm_hw_params_get_buffer_size(hw, &o->buffer);
	snd_pcm_hw_params_get_period_size(hw, &o->period, NULL);
	*where = "snd_pcm_sw_params";
	if ((err = snd_pcm_sw_params_current(o->pcm, sw)) < 0 ||
	    (err = snd_pcm_sw_params_set_avail_min(o->pcm, sw, o->period)) < 0 ||
	    (err = snd_pcm_sw_params_set_start_threshold(o->pcm, sw, 1)) < 0 ||
	    (err = snd_pcm_sw_params(o->pcm, sw)) < 0)
		goto fail;
	return 0;
fail:
	snd_pcm_close(o->pcm);
	o->pcm = NULL;
	return err;
}

static void quiet(const char *file, int line, const char *function, int err, const char *fmt, ...) {}

// reopen opens the device again after release, with the buffer and period
// the ring was made for (-EINVAL if the device now gives others). alsa-lib
// says nothing on fd 2 meanwhile (it may be a terminal interface's): a
// failure reaches Go as the thread's err.
static int reopen(segue_out *o) {
	snd_lib_error_set_handler(quiet);
	snd_pcm_uframes_t buffer = o->buffer, period = o->period;
	const char *where;
	int err = open_pcm(o, buffer, period, &where);
	if (err == 0 && (o->buffer != buffer || o->period != period)) {
		snd_pcm_close(o->pcm);
		o->pcm = NULL;
		o->buffer = buffer;
		o->period = period;
		err = -EINVAL;
	}
	return err;
}

// release closes the device while the output is stopped: a sound server
// then drops the stream, and nothing of it (PulseAudio's client thread,
// its timing updates) wakes the process (issue 14). The next write opens
// it again (reopen).
static void release(segue_out *o) {
	if (o->pcm == NULL) return;
	snd_pcm_close(o->pcm);
	o->pcm = NULL;
}

int segue_out_open(segue_out *o, unsigned rate, snd_pcm_uframes_t buffer, snd_pcm_uframes_t period, snd_pcm_uframes_t ahead, const char **where) {
	o->rate = rate;
	int err = open_pcm(o, buffer, period, where);
	if (err < 0) return err;
	*where = "allocate the ring";
	o->hist = o->buffer;
	o->cap = o->buffer + (ahead > o->period ? ahead : o->period);
	o->ring = calloc(2 * o->cap, sizeof(int16_t));
	o->scratch = calloc(2 * o->period, sizeof(int16_t));
	float unity = 1;
	memcpy(&o->volume, &unity, sizeof unity);
	o->ctl = eventfd(0, EFD_CLOEXEC);
	o->space = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (o->ring == NULL || o->scratch == NULL || o->ctl < 0 || o->space < 0) {
		err = -ENOMEM;
		segue_out_close(o);
	}
	return err;
}

int segue_out_start(segue_out *o) {
	int err = pthread_create(&o->thread, NULL, run, o);
	if (err == 0) pthread_setname_np(o->thread, "segue-alsa");
	return -err;
}

// segue_out_close ends the thread (if started) and frees everything;
// the Go side set mode SEGUE_QUIT first.
void segue_out_close(segue_out *o) {
	if (o->thread) {
		STORE(&o->mode, SEGUE_QUIT);
		notify(o->ctl);
		pthread_join(o->thread, NULL);
		o->thread = 0;
	}
	if (o->pcm) snd_pcm_close(o->pcm);
	o->pcm = NULL;
	free(o->ring);
	free(o->scratch);
	o->ring = o->scratch = NULL;
	if (o->ctl > 0) close(o->ctl);
	if (o->space > 0) close(o->space);
	o->ctl = o->space = -1;
}

