package player

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
)

// childPosition plays the track stored in dir twice in a row through the
// real ALSA output (default buffer) and prints, as they come, "at MS" for
// the first four position events from 1 s on and "track MS" when the second
// play becomes current (MS: the position reported, and the length of the
// track); it exits when stdin closes.
func childPosition(dir string) error {
	p, out, m, err := alsaChildPlayer(dir, 0)
	if err != nil {
		return err
	}
	tr := catalog.Track{ID: m.TrackID}
	p.Play(tr, tr)
	length := samplesToDuration(m.TotalSamples)
	for printed := 0; ; {
		switch e := (<-p.Events()).(type) {
		case PositionEvent:
			if e.Position >= time.Second && printed < 4 {
				fmt.Println("at", e.Position.Milliseconds())
				printed++
			}
		case TrackEvent:
			if e.Index == 1 {
				fmt.Println("track", length.Milliseconds())
				io.Copy(io.Discard, os.Stdin)
				p.Close()
				return out.Close()
			}
		case ErrorEvent:
			return e.Err
		}
	}
}

// TestALSAPositionIsHeard checks, through the real ALSA path, that the
// position the player reports is what the listener hears, not what it
// rendered: the ALSA output holds seconds of audio (its ring and the
// device buffer), and until issue 14 the position counted what went in.
// When the child reports a position, the sink must have played at least
// that much of the tone (its monitor's recording, from the first sound),
// less 1 s for the monitor's own latency (measured: 170-560 ms;
// PulseAudio raises it under load); a position counted at the render loop
// runs up to 5 s ahead. Reports start 1 s in (the sound server starts
// its stream meanwhile). Likewise the second track becomes current no earlier than
// trackChangeLead (and that margin) before the first one's end is heard;
// it used to come a whole ring and device buffer early. And the child
// sends PulseAudio its audio through the socket: it maps none of
// PulseAudio's shared memory (withoutPulseSHM). The position is reported
// as each second is heard, two reports at most 1.25 s of audio apart
// (the 11 s track is longer than the output holds): the render loop
// reported it only when it rendered a batch, a device period (3 s) at a
// time, and the interface's clock skipped every other second.
func TestALSAPositionIsHeard(t *testing.T) { checkPositionHeard(t, nil) }

// wallClockBehind is a library for LD_PRELOAD that sets the C library's
// CLOCK_REALTIME 8 s behind the kernel's (CLOCK_MONOTONIC untouched); Go's
// clocks, read through the vDSO, are not affected.
const wallClockBehind = `
#define _GNU_SOURCE
#include <dlfcn.h>
#include <time.h>
int clock_gettime(clockid_t id, struct timespec *ts) {
	static int (*real)(clockid_t, struct timespec *);
	if (!real) real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
	int r = real(id, ts);
	if (r == 0 && id == CLOCK_REALTIME) ts->tv_sec -= 8;
	return r;
}
`

// The wall clock stepping (NTP, a suspend's end, an administrator's date)
// while playing: the ALSA writer stamped the device's delay with the wall
// clock and Go measured the time since with its own reading of it, so a
// step between the two counted as audio played. Played with the writer's
// wall clock 8 s behind Go's (a step of 8 s between every stamp and every
// read), the position ran ahead of the sound by all the output held, and
// the next track became current that much early. The output now measures
// with the monotonic clock.
func TestALSAPositionIgnoresTheWallClock(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "behind.so")
	c := filepath.Join(dir, "behind.c")
	if err := os.WriteFile(c, []byte(wallClockBehind), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cc", "-shared", "-fPIC", "-o", lib, c, "-ldl").CombinedOutput(); err != nil {
		t.Fatalf("build the clock shim: %v\n%s", err, out)
	}
	checkPositionHeard(t, []string{"LD_PRELOAD=" + lib})
}

// checkPositionHeard is TestALSAPositionIsHeard with env added to the
// child's environment.
func checkPositionHeard(t *testing.T, env []string) {
	src, tr := oneTrack(t, fmt.Sprintf("aevalsrc='0.5*sin(2*PI*%d*t)':s=44100:c=stereo:d=12", toneHz), 11, catalog.RenditionHigh)
	dir := t.TempDir()
	writeTrackDir(t, src, tr, dir)
	c := startChild(t, "position", dir, append(testkit.HeadlessALSA(t, dir, ""), env...))
	defer c.stop()
	mon := filepath.Join(dir, "monitor.raw")
	const margin = time.Second
	last := time.Duration(-1)
	for c.lines.Scan() {
		kind, ms, _ := strings.Cut(c.lines.Text(), " ")
		n, err := strconv.Atoi(ms)
		if err != nil || kind != "at" && kind != "track" {
			t.Fatalf("child said %q\n%s", c.lines.Text(), c.stderr.String())
		}
		heard := soundSoFar(t, mon)
		reported := time.Duration(n) * time.Millisecond
		if kind == "track" {
			t.Logf("the second track became current when %v of the first (%v long) had been heard", heard, reported)
			if heard < reported-trackChangeLead-margin {
				t.Errorf("the second track became current when %v of the first (%v long) had been heard, want at least %v", heard, reported, reported-trackChangeLead-margin)
			}
			return
		}
		if maps, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", c.cmd.Process.Pid)); err == nil && (bytes.Contains(maps, []byte("memfd:pulseaudio")) || bytes.Contains(maps, []byte("pulse-shm"))) {
			t.Errorf("the child maps PulseAudio's shared memory while playing (withoutPulseSHM did not take):\n%s", maps)
		}
		t.Logf("position %v reported when %v had been heard", reported, heard)
		if last >= 0 && reported-last > 5*time.Second/4 {
			t.Errorf("position %v reported after %v: %v of audio without a report, want at most 1.25 s", reported, last, reported-last)
		}
		last = reported
		if heard < reported-margin {
			t.Errorf("position %v reported when only %v had been heard", reported, heard)
		}
	}
	t.Fatalf("the child ended before the second track became current\n%s", c.stderr.String())
}

// soundSoFar is how much the sink's monitor recorded from its first frame
// with sound to its end.
func soundSoFar(t testing.TB, mon string) time.Duration {
	frames := readMonitor(t, mon)
	for k, f := range frames {
		if f[0] != 0 || f[1] != 0 {
			return samplesToDuration(int64(len(frames) - k))
		}
	}
	return 0
}
