package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
	"segue/net/originclient"
)

// longTrack is two tones a channel (the player tests' piece) for 120 s:
// longer than any window the benchmark measures, so no track change falls
// into one.
var longTrack = tuiTrack{"01.flac", "Long Test",
	"aevalsrc='0.4*sin(2*PI*440*t)+0.2*sin(2*PI*1234.5*t)|0.3*sin(2*PI*660*t)+0.1*sin(2*PI*97*t)':s=44100:c=stereo:d=120"}

// startALSATUI runs the interface in tmux, in a fresh dir, playing through
// ALSA into the PulseAudio of env (testkit.HeadlessALSA) with the 320k
// rendition (quality high), plays the first track search finds for query
// (title its title) and returns once the bar shows the 320k rendition and
// the segue process holds the device on the sound server (PulseAudio's
// client thread runs in it), with that process's pid.
func startALSATUI(t testing.TB, url string, env []string, query, title string) (*tmuxSession, int) {
	t.Helper()
	dir := t.TempDir()
	conf := filepath.Join(dir, "config", "segue")
	if err := os.MkdirAll(conf, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(conf, "config.toml"), []byte("[player]\nquality = \"high\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var own []string // the control socket stays in dir's runtime dir: PULSE_SERVER names the sound server
	for _, kv := range env {
		if !strings.HasPrefix(kv, "XDG_RUNTIME_DIR=") {
			own = append(own, kv)
		}
	}
	s := startTUIWith(t, url, 120, 40, dir, append(own, "SEGUE_OUTPUT=alsa")...)
	s.waitText("nothing playing")
	s.search(query, title)
	s.keys("Enter", "Enter")
	s.waitText("▶ " + title)
	s.waitText("320k") // the bar's rendition
	pid := s.pid()
	testkit.WaitReport(t, 20*time.Second, func() bool {
		_, ok := testkit.PulseClient(t, pid)
		return ok
	}, func() string {
		return fmt.Sprintf("segue (pid %d) did not open the ALSA device on PulseAudio; the pane shows:\n%s", pid, s.capture())
	})
	return s, pid
}

// quit presses q and waits for segue to exit.
func (s *tmuxSession) quit() {
	s.t.Helper()
	s.keys("q")
	s.waitScreen("segue to exit", func(string) bool { return fileSize(filepath.Join(s.dir, "exit")) > 0 })
}

// joined320k writes the 320k rendition of the track search finds first
// for query, its segments joined, to path: one MP3 of the audio the
// interface plays, for cmus.
func joined320k(t testing.TB, url, query, path string) {
	t.Helper()
	ctx := context.Background()
	c, err := originclient.New(url, originclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Search(ctx, query, 1)
	if err != nil || len(res.Tracks) == 0 {
		t.Fatalf("search %q: %v (%d tracks)", query, err, len(res.Tracks))
	}
	m, err := c.Manifest(ctx, res.Tracks[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	r := m.Rendition(catalog.RenditionHigh)
	if r == nil {
		t.Fatalf("track %s has no %s rendition", res.Tracks[0].ID, catalog.RenditionHigh)
	}
	var mp3 []byte
	for _, seg := range r.Segments {
		b, err := c.Chunk(ctx, seg.Hash)
		if err != nil {
			t.Fatal(err)
		}
		mp3 = append(mp3, b...)
	}
	if err := os.WriteFile(path, mp3, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestTUIPlaysThroughALSA plays a track in the real interface through
// ALSA into a PulseAudio null sink, as BenchmarkTUIVsCmus does, and checks
// what that benchmark relies on: the pid it measures is the segue process,
// that process holds the device on the sound server (its PulseAudio client
// thread wakes while it plays), and the sink plays sound.
func TestTUIPlaysThroughALSA(t *testing.T) {
	url := tuiOrigin(t)
	pulse := t.TempDir()
	env := testkit.HeadlessALSA(t, pulse, "")
	_, before := testkit.MonitorSound(t, pulse, 0)
	s, pid := startALSATUI(t, url, env, "aurora", "Aurora Test")
	if comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); err != nil || strings.TrimSpace(string(comm)) != "segue" {
		t.Fatalf("the measured process %d is %q (%v), want segue", pid, comm, err)
	}
	// A second of sound at the sink; the tone is 12 s long.
	testkit.Wait(t, 20*time.Second, "a second of sound at the null sink", func() bool {
		n, _ := testkit.MonitorSound(t, pulse, before)
		return n >= 44100
	})
	w := testkit.Watch(t, pid)
	_, at := testkit.MonitorSound(t, pulse, 0)
	// Five seconds: the device takes a period (3 s) at a time, and a
	// shorter window could hold no wake-up of PulseAudio's thread.
	testkit.Wait(t, 20*time.Second, "another 5 s of sound", func() bool {
		n, _ := testkit.MonitorSound(t, pulse, at)
		return n >= 44100*5
	})
	u := w.End()
	t.Logf("over %v: %d ticks, %.1f wake-ups/s, %.1f involuntary/s, RSS %d KiB (anon %d, file %d); by thread: %s",
		u.Window, u.Ticks, u.Wakeups, u.Involuntary, u.RSSKiB, u.AnonKiB, u.FileKiB, u.ByThread())
	var pulseWoke bool
	for _, th := range u.Threads {
		pulseWoke = pulseWoke || strings.HasPrefix(th.Thread, "threaded-ml ") && th.Voluntary > 0
	}
	if !pulseWoke {
		t.Errorf("PulseAudio's client thread in segue never woke while the sink played: threads %s", u.ByThread())
	}

	// Quitting stops the sound at once: the seconds the device holds are
	// dropped, not played out (segue played on for 3-3.7 s after q). The
	// monitor lags the sink by 170-300 ms (docs/headless-audio.md).
	const second = 44100 * 8 // bytes of the monitor's float32 stereo
	_, at = testkit.MonitorSound(t, pulse, 0)
	s.quit()
	testkit.Wait(t, 20*time.Second, "1.5 s of the sink's monitor after the quit key", func() bool {
		_, end := testkit.MonitorSound(t, pulse, at)
		return end-at >= second*3/2
	})
	if n, _ := testkit.MonitorSound(t, pulse, at); n > 44100*3/4 {
		t.Errorf("the sink played %.2f s of sound after the quit key, want at most 0.75 s (the monitor's lag)", float64(n)/44100)
	}
}

// BenchmarkTUIVsCmus measures the real interface playing a 320k track (120
// s, from an origin on loopback) through ALSA into a PulseAudio null sink,
// and cmus playing the same audio (that rendition's segments joined into
// one MP3) through its pulse output into the same sink, both at once over
// the same 30 s window that opens 5 s after each started: CPU in percent
// of a core, wake-ups (voluntary switches, all threads) and involuntary
// switches per second, and resident memory at the window's end (also its
// anonymous and file-backed parts). Each iteration starts both
// afresh; the figures reported are the medians over iterations
// (-benchtime Nx), and each window is logged with the machine's load and
// segue's switches by thread. After the pair, the headless `segue play
// --output alsa` of the client build plays the same track alone over a
// window of its own (play-* figures): the product a script runs, where
// BenchmarkALSAVsCmus measures the player package in its test binary.
// Issue 14's targets: CPU at most cmus's, at most 10 wake-ups/s, RSS at
// most 20 MiB.
func BenchmarkTUIVsCmus(b *testing.B) {
	const settle, window = 5 * time.Second, 30 * time.Second
	url, _ := serveTracks(b, []tuiTrack{longTrack})
	pulse := b.TempDir()
	env := testkit.HeadlessALSA(b, pulse, "")
	mp3 := filepath.Join(pulse, "long-320k.mp3")
	joined320k(b, url, "long", mp3)
	figures := map[string][]float64{}
	add := func(unit string, v float64) { figures[unit] = append(figures[unit], v) }
	for b.Loop() {
		s, pid := startALSATUI(b, url, env, "long", "Long Test")
		c := testkit.StartCmus(b, pulse, env, mp3)
		time.Sleep(settle) // both play on: the window opens after their start
		load := testkit.LoadAvg()
		tw, cw := testkit.Watch(b, pid), testkit.Watch(b, c.Pid)
		time.Sleep(window) // the measurement
		tu, cu := tw.End(), cw.End()
		b.Logf("segue %d resident by mapping (MiB): %s", pid, testkit.ResidentByMapping(b, pid))
		b.Logf("load %s at the start, %s at the end of %v", load, testkit.LoadAvg(), window)
		b.Logf("segue %d: %.1f%% CPU, %.1f wake-ups/s, %.1f involuntary/s, RSS %d KiB (anon %d, file %d); by thread: %s",
			pid, tu.CPUPercent(), tu.Wakeups, tu.Involuntary, tu.RSSKiB, tu.AnonKiB, tu.FileKiB, tu.ByThread())
		b.Logf("cmus %d: %.1f%% CPU, %.1f wake-ups/s, %.1f involuntary/s, RSS %d KiB (anon %d, file %d); by thread: %s",
			c.Pid, cu.CPUPercent(), cu.Wakeups, cu.Involuntary, cu.RSSKiB, cu.AnonKiB, cu.FileKiB, cu.ByThread())
		add("tui-cpu-%", tu.CPUPercent())
		add("cmus-cpu-%", cu.CPUPercent())
		add("tui-wakeups/s", tu.Wakeups)
		add("cmus-wakeups/s", cu.Wakeups)
		add("tui-invol/s", tu.Involuntary)
		add("cmus-invol/s", cu.Involuntary)
		add("tui-rss-MiB", float64(tu.RSSKiB)/1024)
		add("cmus-rss-MiB", float64(cu.RSSKiB)/1024)
		add("tui-rss-anon-MiB", float64(tu.AnonKiB)/1024)
		add("tui-rss-file-MiB", float64(tu.FileKiB)/1024)
		add("cmus-rss-anon-MiB", float64(cu.AnonKiB)/1024)
		add("cmus-rss-file-MiB", float64(cu.FileKiB)/1024)
		c.Stop()
		s.quit()
		pu := headlessPlayFigures(b, url, env, settle, window)
		add("play-cpu-%", pu.CPUPercent())
		add("play-wakeups/s", pu.Wakeups)
		add("play-rss-MiB", float64(pu.RSSKiB)/1024)
		add("play-rss-anon-MiB", float64(pu.AnonKiB)/1024)
		add("play-rss-file-MiB", float64(pu.FileKiB)/1024)
	}
	for unit, l := range figures {
		b.ReportMetric(testkit.Median(l), unit)
	}
}

// headlessPlayFigures runs `segue play --output alsa --quality high` of the
// long track from url under the headless PulseAudio of env, lets it play
// for settle and measures it over window.
func headlessPlayFigures(t testing.TB, url string, env []string, settle, window time.Duration) testkit.Usage {
	t.Helper()
	pid, stop := startHeadlessPlay(t, url, env)
	defer stop()
	time.Sleep(settle)
	u := testkit.Watch(t, pid).End
	time.Sleep(window)
	pu := u()
	t.Logf("segue play %d: %.1f%% CPU, %.1f wake-ups/s, RSS %d KiB (anon %d, file %d); by thread: %s",
		pid, pu.CPUPercent(), pu.Wakeups, pu.RSSKiB, pu.AnonKiB, pu.FileKiB, pu.ByThread())
	t.Logf("segue play %d resident by mapping (MiB): %s", pid, testkit.ResidentByMapping(t, pid))
	return pu
}

// startHeadlessPlay starts `segue play --output alsa --quality high` of
// the long track from url under the headless PulseAudio of env and returns
// once it holds the device, with its pid and what stops it.
func startHeadlessPlay(t testing.TB, url string, env []string) (pid int, stop func()) {
	t.Helper()
	var res catalog.SearchResult
	getJSON(t, url+"/api/v1/search?q=long&limit=1", &res)
	if len(res.Tracks) != 1 {
		t.Fatalf("search for the long track found %d tracks", len(res.Tracks))
	}
	dir := t.TempDir()
	cmd := exec.Command(segueBinary(t), "--origin", url, "play", "--output", "alsa", "--quality", "high", res.Tracks[0].ID)
	cmd.Env = append(append(os.Environ(), tuiEnv(dir)...), env...)
	var out testkit.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop = func() { cmd.Process.Kill(); cmd.Wait() }
	pid = cmd.Process.Pid
	testkit.WaitReport(t, 20*time.Second, func() bool {
		_, ok := testkit.PulseClient(t, pid)
		return ok
	}, func() string {
		stop()
		return "segue play did not open the ALSA device on PulseAudio:\n" + out.String()
	})
	return pid, stop
}
