package testkit

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// HeadlessALSA starts a PulseAudio server with a null sink for the test and
// returns the environment (NAME=value) under which a process's ALSA default
// device plays into it, every sample also written to capture unless
// capture is "" (docs/headless-audio.md). Without capture the default
// device is the pulse plugin itself, as on a desktop: writing the capture
// file costs the process CPU that cmus, beside it in the benchmarks, does
// not pay. The server accepts any client (auth-anonymous): a process whose
// XDG_CONFIG_HOME differs from the server's finds no cookie. What the sink
// played is recorded, 32-bit float stereo at 44.1 kHz, in dir/monitor.raw.
// dir/run must not exist yet.
func HeadlessALSA(t testing.TB, dir, capture string) []string {
	t.Helper()
	for _, bin := range []string{"pulseaudio", "parec", "pactl"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatal(bin + " is required: run make deps (it installs pulseaudio and pulseaudio-utils)")
		}
	}
	run := filepath.Join(dir, "run")
	check(t, os.Mkdir(run, 0o700))
	env := []string{"XDG_RUNTIME_DIR=" + run, "PULSE_SERVER=unix:" + filepath.Join(run, "pulse", "native"), "HOME=" + dir}
	pa := exec.Command("pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no", "--disallow-exit",
		"-L", "module-null-sink sink_name=nullsink rate=44100 format=float32le channels=2",
		"-L", "module-native-protocol-unix auth-anonymous=1", "-L", "module-always-sink")
	pa.Env = append(os.Environ(), env...)
	var paLog Buffer
	pa.Stdout, pa.Stderr = &paLog, &paLog
	check(t, pa.Start())
	t.Cleanup(func() { pa.Process.Kill(); pa.Wait() })
	WaitReport(t, 10*time.Second, func() bool {
		_, err := os.Stat(filepath.Join(run, "pulse", "native"))
		return err == nil
	}, func() string { return "pulseaudio did not start:\n" + paLog.String() })

	// A low-latency reader of the monitor: without one the first write stalls.
	// Its recording (monitor.raw in dir) is what the device played: the
	// latency figures read it.
	rec := exec.Command("parec", "-d", "nullsink.monitor", "--latency-msec=10", "--format=float32le", "--rate=44100", "--channels=2", "--raw")
	rec.Env = pa.Env
	mon, err := os.Create(filepath.Join(dir, "monitor.raw"))
	check(t, err)
	defer mon.Close()
	rec.Stdout = mon
	check(t, rec.Start())
	t.Cleanup(func() { rec.Process.Kill(); rec.Wait() })
	WaitReport(t, 10*time.Second, func() bool {
		cmd := exec.Command("pactl", "list", "short", "source-outputs")
		cmd.Env = pa.Env
		out, err := cmd.Output()
		return err == nil && len(bytes.TrimSpace(out)) > 0
	}, func() string { return "parec did not connect to the null sink's monitor" })
	// A new null sink renders its first block of 2 s before it takes the
	// monitor's latency: a stream started meanwhile stayed silent that
	// long (measured 2.0 s) while its device said it played, so the
	// recording, and the sink, run from its first bytes on.
	WaitReport(t, 10*time.Second, func() bool {
		st, err := os.Stat(filepath.Join(dir, "monitor.raw"))
		return err == nil && st.Size() > 0
	}, func() string { return "the null sink's monitor recorded nothing" })

	conf := filepath.Join(dir, "alsa.conf")
	own := filepath.Join(dir, "tee.conf")
	def := "pcm.!default { type pulse }\n"
	if capture != "" {
		def = fmt.Sprintf(`pcm.!default { type file; slave.pcm "pulse"; file %q; format "raw" }`+"\n", capture)
	}
	check(t, os.WriteFile(own, []byte(def), 0o600))
	base, err := os.ReadFile("/usr/share/alsa/alsa.conf")
	check(t, err)
	i, j := bytes.Index(base, []byte("files [")), bytes.Index(base, []byte("errors false"))
	if i < 0 || j < i {
		t.Fatal("unexpected /usr/share/alsa/alsa.conf layout")
	}
	hooks := fmt.Sprintf("files [\n\"/etc/alsa/conf.d/50-pulseaudio.conf\"\n%q\n]\n", own)
	check(t, os.WriteFile(conf, append(append(append([]byte{}, base[:i]...), hooks...), base[j:]...), 0o600))

	return append(env, "ALSA_CONFIG_PATH="+conf)
}

// PulseClient reports whether process pid has PulseAudio's client thread
// (threaded-ml, started by ALSA's pulse plugin when it opens the device):
// the process holds an open ALSA device on the sound server.
func PulseClient(t testing.TB, pid int) (thread string, ok bool) {
	t.Helper()
	for thread := range ThreadSwitches(t, pid) {
		if strings.HasPrefix(thread, "threaded-ml ") {
			return thread, true
		}
	}
	return "", false
}

// MonitorSound is how many frames with sound (any sample not 0) the
// sink's monitor recording (dir/monitor.raw of HeadlessALSA) holds from
// byte offset from on, and the offset where it ends.
func MonitorSound(t testing.TB, dir string, from int64) (frames int, end int64) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "monitor.raw"))
	check(t, err)
	b = b[:len(b)&^7]
	for k := int(from); k+8 <= len(b); k += 8 {
		if !bytes.Equal(b[k:k+8], make([]byte, 8)) {
			frames++
		}
	}
	return frames, int64(len(b))
}
