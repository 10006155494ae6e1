package player

import (
	"os"
	"runtime"
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
