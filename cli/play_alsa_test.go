package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
)

// TestPlayThroughALSA runs segue play --json --output alsa as a new user
// would, with no state dir yet, into the headless PulseAudio: it plays
// the 3 s track to its end, whose last second the device buffer (6 s)
// holds when the queue ends, so the sink must play it all (at least 2.9 s
// of sound) before the process exits 0 after its finished summary. It
// failed at once: "open alsa output: open log for alsa messages: ...
// no such file or directory" (the log's folder, the state dir, did not
// exist yet).
func TestPlayThroughALSA(t *testing.T) {
	url, id := shortTone(t)
	pulse, dir := t.TempDir(), t.TempDir()
	env := tuiEnv(dir)
	for _, kv := range testkit.HeadlessALSA(t, pulse, "") {
		if !strings.HasPrefix(kv, "XDG_RUNTIME_DIR=") { // the control socket stays in dir
			env = append(env, kv)
		}
	}
	_, at := testkit.MonitorSound(t, pulse, 0)
	cmd := exec.Command(segueBinary(t), "--origin", url, "play", "--json", "--quality", "high", "--output", "alsa", id)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("segue play --output alsa: %v\n%s%s", err, out, errText(err))
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var finished struct {
		Event  string
		Played *int
	}
	if json.Unmarshal([]byte(lines[len(lines)-1]), &finished) != nil || finished.Event != "finished" || finished.Played == nil || *finished.Played != 1 {
		t.Errorf("the last line is %q, want a finished event with played 1", lines[len(lines)-1])
	}
	const second = catalog.SampleRate * 8 // bytes of the monitor's float32 stereo
	_, exited := testkit.MonitorSound(t, pulse, 0)
	testkit.Wait(t, 20*time.Second, "a second of the sink's monitor after the exit", func() bool {
		_, end := testkit.MonitorSound(t, pulse, exited)
		return end-exited >= second
	})
	n, _ := testkit.MonitorSound(t, pulse, at)
	after, _ := testkit.MonitorSound(t, pulse, exited)
	t.Logf("the sink played %.2f s of sound, %.2f s of it after segue exited", float64(n)/catalog.SampleRate, float64(after)/catalog.SampleRate)
	if n < catalog.SampleRate*29/10 {
		t.Errorf("the sink played %.2f s of the 3 s track, want at least 2.9 s: its end was cut", float64(n)/catalog.SampleRate)
	}
}

// errText is the stderr an exec.ExitError kept, if any.
func errText(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

// shortTone serves one 3 s 441 Hz track and returns the origin's URL and
// the track's ID.
func shortTone(t *testing.T) (url, id string) {
	t.Helper()
	url, _ = serveTracks(t, []tuiTrack{{"01.flac", "Short Tone", "sine=frequency=441:duration=3:sample_rate=44100"}})
	var res catalog.SearchResult
	getJSON(t, url+"/api/v1/search?q=short&limit=1", &res)
	if len(res.Tracks) != 1 {
		t.Fatalf("search short: %d tracks", len(res.Tracks))
	}
	return url, res.Tracks[0].ID
}
