package player

import (
	"bufio"
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
)

// childIdle plays the track stored in dir through the real ALSA output
// (default buffer), pauses, and says "paused" once the speaker is
// suspended; a "resume" line on stdin resumes; at the end of the queue it
// says "ended" once suspended again, and exits when stdin closes.
func childIdle(dir string) error {
	src, m, err := loadTrackDir(dir)
	if err != nil {
		return err
	}
	out, err := OpenALSA(0, filepath.Join(dir, "alsa.log"))
	if err != nil {
		return err
	}
	p := New(Options{Segments: src, Manifests: src, Output: out, Loudness: LoudnessOff})
	if err := p.Open(); err != nil {
		return err
	}
	ended := make(chan struct{})
	playing := make(chan struct{}, 1)
	go func() {
		for e := range p.Events() {
			switch e := e.(type) {
			case PositionEvent:
				select {
				case playing <- struct{}{}:
				default:
				}
			case EndEvent:
				close(ended)
			case ErrorEvent:
				fmt.Println("error", e.Err)
			}
		}
	}()
	p.Play(catalog.Track{ID: m.TrackID})
	<-playing
	p.Pause()
	if err := waitSuspended(); err != nil {
		return err
	}
	fmt.Println("paused")
	in := bufio.NewScanner(os.Stdin)
	if !in.Scan() || in.Text() != "resume" {
		return fmt.Errorf("want resume on stdin, got %q", in.Text())
	}
	p.Resume()
	<-ended
	if err := waitSuspended(); err != nil {
		return err
	}
	fmt.Println("ended")
	io.Copy(io.Discard, os.Stdin)
	p.Close()
	return out.Close()
}

// waitSuspended polls until the speaker is suspended (10 s at most).
func waitSuspended() error {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		device.Lock()
		s := device.suspended
		device.Unlock()
		if s {
			return nil
		}
	}
	return fmt.Errorf("the speaker was not suspended within 10 s of going idle")
}

// procTicks is a process's CPU time in clock ticks (utime+stime, all
// threads) from /proc/PID/stat.
func procTicks(t testing.TB, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	must(t, err)
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:])) // fields from 3 (state) on
	u, err1 := strconv.Atoi(f[11])
	s, err2 := strconv.Atoi(f[12])
	if err1 != nil || err2 != nil {
		t.Fatalf("parse /proc/%d/stat: %q", pid, b)
	}
	return u + s
}

// settle waits (10 s at most) until a process used no CPU tick for a
// second: what going idle set off (a last GC, the sound server's reply to
// the stream running dry) is over.
func settle(t testing.TB, pid int) {
	t.Helper()
	last := procTicks(t, pid)
	for deadline := time.Now().Add(10 * time.Second); ; {
		time.Sleep(time.Second) // the quiet second is the condition itself
		now := procTicks(t, pid)
		if now == last {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d kept using CPU after going idle (%d ticks in the last second)", pid, now-last)
		}
		last = now
	}
}

// procSwitches is the context switches a process's threads made that they
// asked for (they slept: a wake-up each), from /proc/PID/task/*/status.
func procSwitches(t testing.TB, pid int) int {
	t.Helper()
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	must(t, err)
	n := 0
	for _, f := range tasks {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // the thread ended
		}
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "voluntary_ctxt_switches:"); ok {
				k, _ := strconv.Atoi(strings.TrimSpace(v))
				n += k
			}
		}
	}
	return n
}

// idleRun runs childIdle on a track of 3/4 window under a headless PulseAudio and
// returns the child's CPU ticks over window while paused and while the
// queue has ended, its wake-ups per second while playing (over half the
// window), and the time from Resume until the track's audio
// reaches the device (the first write after resume, plus the silence
// written ahead of the track's next sample).
func idleRun(t testing.TB, window time.Duration) (paused, ended int, resume time.Duration, wakeups float64) {
	src, tr := oneTrack(t, longPiece(int(window.Seconds())), window.Seconds()*3/4, catalog.RenditionHigh)
	dir := t.TempDir()
	writeTrackDir(t, src, tr, dir)
	capture := filepath.Join(dir, "capture.raw")
	env := headlessALSA(t, dir, capture)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append(env, childEnv+"=idle", "SEGUE_CHILD_DIR="+dir)...)
	stdin, err := cmd.StdinPipe()
	must(t, err)
	stdout, err := cmd.StdoutPipe()
	must(t, err)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	must(t, cmd.Start())
	defer func() { stdin.Close(); cmd.Wait() }()
	lines := bufio.NewScanner(stdout)
	expect := func(want string) {
		if !lines.Scan() || lines.Text() != want {
			t.Fatalf("child said %q, want %q\n%s", lines.Text(), want, stderr.String())
		}
	}
	// measure counts the child's ticks over the window; sleeping is the
	// measurement, not a wait for a condition.
	measure := func() int {
		settle(t, cmd.Process.Pid)
		t0 := procTicks(t, cmd.Process.Pid)
		time.Sleep(window)
		return procTicks(t, cmd.Process.Pid) - t0
	}
	expect("paused")
	paused = measure()
	st, err := os.Stat(capture)
	must(t, err)
	t0 := time.Now()
	fmt.Fprintln(stdin, "resume")
	var grew time.Duration
	for grew == 0 {
		if s, err := os.Stat(capture); err == nil && s.Size() > st.Size() {
			grew = time.Since(t0)
		} else if time.Since(t0) > 10*time.Second {
			t.Fatal("nothing reached the device within 10 s of resume")
		}
		time.Sleep(time.Millisecond) // polling a condition with a deadline
	}
	w0 := procSwitches(t, cmd.Process.Pid)
	time.Sleep(window / 2) // a measurement window of playing
	wakeups = float64(procSwitches(t, cmd.Process.Pid)-w0) / (window / 2).Seconds()
	expect("ended")
	ended = measure()
	raw, err := os.ReadFile(capture)
	must(t, err)
	silent := 0
	for k := st.Size(); k+8 <= int64(len(raw)) && bytes.Equal(raw[k:k+8], make([]byte, 8)); k += 8 {
		silent++
	}
	t.Logf("resume: first write after %v, then %d silent samples", grew, silent)
	return paused, ended, grew + samplesToDuration(int64(silent)), wakeups
}

// TestIdleALSAUsesNoCPU checks that a player paused, and one whose queue
// ended, takes no CPU time through the real ALSA output: the speaker is
// suspended and nothing in the process wakes up.
func TestIdleALSAUsesNoCPU(t *testing.T) {
	paused, ended, resume, wakeups := idleRun(t, 5*time.Second)
	t.Logf("ticks over 5 s: paused %d, queue ended %d; resume %v; %.1f wake-ups/s playing", paused, ended, resume, wakeups)
	if paused > 1 || ended > 1 {
		t.Errorf("idle child used %d ticks paused and %d with the queue ended over 5 s, want at most 1", paused, ended)
	}
}

// BenchmarkIdleALSA reports the idle CPU ticks over 30 s (issue 14: 0),
// the resume latency (at most 50 ms) and the wake-ups per second while
// playing (at most 10) through the real ALSA output.
func BenchmarkIdleALSA(b *testing.B) {
	for range b.N {
		paused, ended, resume, wakeups := idleRun(b, 30*time.Second)
		b.ReportMetric(float64(paused), "ticks-paused/30s")
		b.ReportMetric(float64(ended), "ticks-ended/30s")
		b.ReportMetric(float64(resume.Microseconds())/1e3, "resume-ms")
		b.ReportMetric(wakeups, "wakeups/s-playing")
	}
}
