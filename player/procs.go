package player

import (
	"os"
	"runtime"
	"time"
)

// LimitProcs makes Go's scheduler run goroutines on one thread at a time
// (GOMAXPROCS 1), unless the GOMAXPROCS variable says otherwise. A process
// that plays through the sound device (the interface, segue play with the
// alsa output) calls it once, before it plays.
//
// Why (issue 14: at most 10 wake-ups a second while playing): with two
// processors, each goroutine a render batch makes ready (an event for the
// interface) woke a second thread, and the scheduler's monitor (sysmon)
// left its deep sleep for it; the ALSA benchmark's child measured 7.6
// wake-ups a second for sysmon and 2.6 for other Go threads, against 1.3
// and none with one processor. Nothing of the player needs a second one:
// decoding (libmpg123: pcm) and the device writes (ALSA) run in C threads,
// which GOMAXPROCS does not count, and what is left in Go (the interface,
// segment fetches, the cache) waits on I/O far more than it computes.
func LimitProcs() {
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
}

// TimerSlack is how late the kernel may fire a timer of a segue process
// that plays, so that it can fire several together (prctl(2)
// PR_SET_TIMERSLACK; the kernel's default is 50 µs). A constructor in
// timer_slack.c sets it before Go's runtime starts, so every thread has it;
// a server (the subcommand origin, or demo --no-tui) sets the default back.
//
// Why (issue 14: at most 10 wake-ups a second while playing): while any
// goroutine runs, Go's scheduler monitor (sysmon) wakes every 20 µs for its
// first 50 looks; each segment the interface fetches and stores, and each
// frame it writes, is such a run. With 50 µs of slack each look was a
// wake-up of its own; with 1 ms most of a run's looks are one. The
// interface in tmux playing through ALSA into PulseAudio (docs/headless-audio.md)
// measured sysmon at 16.7 wake-ups a second with the default and 4.5 with
// 1 ms, 4.1 with 5 ms and 3.8 with 20 ms; the whole process 28.2 against
// 13.9. Nothing of the player waits on a timer for less than tens of
// milliseconds: the device holds seconds of audio.
const TimerSlack = time.Millisecond

// serverTimerSlack is the kernel's default timer slack (prctl(2)), which a
// server keeps.
const serverTimerSlack = 50 * time.Microsecond
