package cli

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"segue/catalog"
	"segue/ctl"
	"segue/internal/testkit"
	"segue/net/originclient"
	"segue/player"
)

// ctlBase is the first frequency of each test track (Hz); the tone rises
// ctlStep Hz every second, so a window's frequency says where in which
// track it was taken.
var ctlBase = []float64{300, 1300, 2300}

const ctlStep = 20

// ctlOrigin serves three 60 s stepped tones (see ctlBase) and returns its URL
// and their tracks in album order.
func ctlOrigin(t *testing.T) (string, []catalog.Track) {
	t.Helper()
	o, tracks := ctlLibrary(t)
	return "http://" + o.addr, tracks
}

// ctlLibrary is ctlOrigin's origin itself, for a test that reads its
// catalog (the plays it stored).
func ctlLibrary(t *testing.T) (*testOrigin, []catalog.Track) {
	t.Helper()
	needTools(t, "ffmpeg", "ffprobe")
	lib := t.TempDir()
	for i, base := range ctlBase {
		cmd := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
			fmt.Sprintf("aevalsrc=0.5*sin(2*PI*(%g+%d*floor(t))*t):s=44100:d=60", base, ctlStep), "-ac", "2",
			"-metadata", fmt.Sprintf("title=Step %d", i+1), "-metadata", "artist=Ctl Band",
			"-metadata", "album=Ctl Album", "-metadata", fmt.Sprintf("track=%d", i+1),
			filepath.Join(lib, fmt.Sprintf("%02d.flac", i+1)))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("make track: %v\n%s", err, out)
		}
	}
	cover := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=orange:s=32x32",
		"-frames:v", "1", filepath.Join(lib, "cover.png"))
	if out, err := cover.CombinedOutput(); err != nil {
		t.Fatalf("make cover: %v\n%s", err, out)
	}
	o := serveLibrary(t, lib, t.TempDir())
	url := "http://" + o.addr
	var res catalog.SearchResult
	getJSON(t, url+"/api/v1/search?q=ctl&limit=5", &res)
	if len(res.Albums) != 1 {
		t.Fatalf("search found %d albums", len(res.Albums))
	}
	var album catalog.Album
	getJSON(t, url+"/api/v1/albums/"+res.Albums[0].ID, &album)
	if len(album.Tracks) != 3 {
		t.Fatalf("album has %d tracks", len(album.Tracks))
	}
	return o, album.Tracks
}

// ctlHost is a swarmHost whose control sockets live in a runtime dir of its
// own (short: a socket path has at most 108 bytes).
type ctlHost struct {
	*swarmHost
	runtime string
	env     []string // more NAME=value for every command
}

func newCtlHost(t *testing.T) *ctlHost {
	rt, err := os.MkdirTemp("", "sgrt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(rt) })
	return &ctlHost{swarmHost: newSwarmHost(t, segueBinary(t)), runtime: rt}
}

func (h *ctlHost) command(args ...string) *exec.Cmd {
	cmd := h.swarmHost.command(args...)
	cmd.Env = append(append(cmd.Env, "XDG_RUNTIME_DIR="+h.runtime), h.env...)
	return cmd
}

// start runs segue in the background; it is killed at the end of the test.
func (h *ctlHost) start(args ...string) (stdout, stderr *testkit.Buffer) {
	h.t.Helper()
	stdout, stderr = &testkit.Buffer{}, &testkit.Buffer{}
	cmd := h.command(args...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return stdout, stderr
}

// ctl runs `segue ctl ARGS` and returns its output and exit status.
func (h *ctlHost) ctl(args ...string) (stdout, stderr string, code int) {
	cmd := h.command(append([]string{"ctl"}, args...)...)
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return o.String(), e.String(), ee.ExitCode()
	} else if err != nil {
		h.t.Fatal(err)
	}
	return o.String(), e.String(), 0
}

// ok runs `segue ctl ARGS`, failing the test unless it exits 0.
func (h *ctlHost) ok(args ...string) string {
	h.t.Helper()
	out, errOut, code := h.ctl(args...)
	if code != 0 {
		h.t.Fatalf("segue ctl %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// waitSocket waits up to a minute for the control socket to answer
// segue ctl status; what names it.
func (h *ctlHost) waitSocket(what string) {
	h.t.Helper()
	testkit.Wait(h.t, time.Minute, what, func() bool { _, _, code := h.ctl("status"); return code == 0 })
}

// playingOn says whether a status's state is playing, or buffering on
// the way to it (a track just started whose first segment has not come,
// as on a loaded machine).
func playingOn(state string) bool { return state == "playing" || state == "buffering" }

// queue is `segue ctl queue list --json`.
func (h *ctlHost) queue() []ctl.QueueEntry {
	h.t.Helper()
	var q []ctl.QueueEntry
	if err := json.Unmarshal([]byte(h.ok("queue", "list", "--json")), &q); err != nil {
		h.t.Fatal(err)
	}
	return q
}

// refuses checks that `segue ctl ARGS` exits code saying says.
func (h *ctlHost) refuses(code int, says string, args ...string) {
	h.t.Helper()
	if _, errOut, got := h.ctl(args...); got != code || !strings.Contains(errOut, says) {
		h.t.Errorf("ctl %s: exit %d, %q; want exit %d saying %q", strings.Join(args, " "), got, errOut, code, says)
	}
}

// checkRadioMarks fails for each entry of q not marked radio.
func checkRadioMarks(t *testing.T, q []ctl.QueueEntry) {
	t.Helper()
	if len(q) == 0 {
		t.Fatal("the radio queued nothing")
	}
	for _, e := range q {
		if !e.Radio {
			t.Errorf("queue entry %d (%s) of a radio is not marked radio", e.Index, e.Track.Title)
		}
	}
}

func (h *ctlHost) status() ctl.Status {
	h.t.Helper()
	var s ctl.Status
	if err := json.Unmarshal([]byte(h.ok("status", "--json")), &s); err != nil {
		h.t.Fatal(err)
	}
	return s
}

// wavSoFar returns the left channel of the float32 wav segue is writing,
// as far as it reached the file.
func wavSoFar(t *testing.T, path string) []float64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 44 {
		return nil
	}
	b = b[44:]
	left := make([]float64, len(b)/8)
	for i := range left {
		left[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(b[i*8:])))
	}
	return left
}

// toneAt is the frequency (Hz) of samples [from, from+n) by counting
// zero crossings.
func toneAt(s []float64, from, n int) float64 {
	crossings := 0
	for i := from + 1; i < from+n && i < len(s); i++ {
		if (s[i-1] < 0) != (s[i] < 0) {
			crossings++
		}
	}
	return float64(crossings) / 2 / (float64(n) / catalog.SampleRate)
}

// Acceptance 1: `segue play` of a long queue to a real-time wav, driven
// with segue ctl; each effect is seen in status --json and in the audio.
// Acceptance 3: the documented exit statuses with and without an instance.
func TestCtlDrivesPlay(t *testing.T) {
	url, tracks := ctlOrigin(t)
	h := newCtlHost(t)

	// No instance: exit 1 and says so; malformed: 2 before looking.
	if _, errOut, code := h.ctl("status"); code != 1 || !strings.Contains(errOut, "no segue is running") {
		t.Errorf("status without an instance: exit %d, %q; want 1 and 'no segue is running'", code, errOut)
	}
	for _, args := range [][]string{{"seek", "abc"}, {"volume", "101"}, {"queue", "shuffle"}, {"quality", "ultra"},
		{"frobnicate"}, {"--instance", "a/b", "status"}, {"queue", "remove", "0"}, {"toggle", "now"},
		{"seek"}, {"volume"}, {"volume", "--json"}} { // seek and volume alone exited 0 saying nothing
		if _, errOut, code := h.ctl(args...); code != 2 {
			t.Errorf("ctl %s: exit %d (%s), want 2", strings.Join(args, " "), code, errOut)
		}
	}

	wav := filepath.Join(h.dir, "out.wav")
	playOut, playErr := h.start("--origin", url, "play", "--output", "wav:"+wav, tracks[0].ID, tracks[1].ID)
	var st ctl.Status
	var last string
	defer func() {
		if t.Failed() {
			t.Logf("last status: %s\nplay's output:\n%s%s", last, playOut, playErr)
		}
	}()
	testkit.Wait(t, time.Minute, "play to answer and pass 1 s", func() bool {
		out, errOut, code := h.ctl("status", "--json")
		last = out + errOut
		return code == 0 && json.Unmarshal([]byte(out), &st) == nil && st.PositionMS >= 1000
	})
	if st.State != "playing" || st.Track == nil || st.Track.ID != tracks[0].ID || st.QueueLength != 2 ||
		st.Quality != "auto" || st.Volume != 100 || st.Track.DurationMS < 59000 || st.Source == "" || st.Rendition == "" {
		t.Fatalf("status while playing: %+v", st)
	}

	watchOut, _ := h.start("ctl", "watch", "--json")
	testkit.Wait(t, time.Minute, "watch to start", func() bool { return strings.Contains(watchOut.String(), `"event":"state"`) })

	// Unknown targets and positions: 3, saying which (as segue play does;
	// ctl open said only "asking the origin failed: not found").
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"queue", "remove", "9"}, "segue: ctl queue remove: there is no track at position 9: the queue has 2 tracks (see segue ctl queue list)\n"},
		{[]string{"open", "t0000000000000000"}, `resolve "t0000000000000000": track t0000000000000000 not found`},
		{[]string{"queue", "add", "al0000000000000000"}, `resolve "al0000000000000000": album al0000000000000000 not found`},
	} {
		if _, errOut, code := h.ctl(c.args...); code != 3 || !strings.Contains(errOut, c.says) {
			t.Errorf("ctl %s: exit %d (%s), want 3 saying %q", strings.Join(c.args, " "), code, errOut, c.says)
		}
	}

	// A malformed share URL is the user's mistake, said as segue play says
	// it (it was "asking the origin failed: bad control command").
	if _, errOut, code := h.ctl("open", url+"/p/xyz"); code != 2 || !strings.Contains(errOut, "segue: ctl open: not a segue share URL: ") ||
		!strings.Contains(errOut, "token is malformed") {
		t.Errorf("ctl open %s/p/xyz: exit %d (%s), want 2 saying the token is malformed", url, code, errOut)
	}

	// Pause: the position holds and no audio is written.
	h.ok("pause")
	testkit.Wait(t, time.Minute, "paused", func() bool { st = h.status(); return st.State == "paused" })
	pausedAt := st.PositionMS
	before := len(wavSoFar(t, wav))
	time.Sleep(time.Second) // an interval in which nothing may be written
	// The render loop finishes the chunk (1024 samples, 23 ms) it holds.
	if st = h.status(); st.PositionMS-pausedAt > 24 || st.State != "paused" {
		t.Errorf("paused at %d ms, then %+v", pausedAt, st)
	}
	// 64 KiB of file buffer and one chunk may still land; a second of
	// playing would be 44100 samples.
	if grew := len(wavSoFar(t, wav)) - before; grew > 8192+1024 {
		t.Errorf("%d samples written while paused", grew)
	}

	// Seek while paused, then play: the audio resumes at 0:20.
	h.ok("seek", "0:20")
	if st = h.status(); st.PositionMS != 20000 {
		t.Errorf("after seek 0:20 position %d ms", st.PositionMS)
	}
	h.ok("seek", "-5")
	h.ok("seek", "+5")
	h.ok("play")
	testkit.Wait(t, time.Minute, "play past 0:23", func() bool { st = h.status(); return st.PositionMS >= 23000 })
	if st.State != "playing" {
		t.Errorf("after play: %+v", st)
	}
	// The wav holds ~pausedAt of track 1, then track 1 from 0:20.
	audio := wavSoFar(t, wav)
	pauseFrame := int(pausedAt * catalog.SampleRate / 1000)
	for _, w := range []struct {
		from int
		sec  float64 // where in track 1 the window was taken
	}{
		{pauseFrame - 30000, float64(pausedAt)/1000 - 0.5}, // before the pause
		{pauseFrame + 20000, 20.75},                        // after the seek
		{pauseFrame + 2*catalog.SampleRate, 22.25},
	} {
		want := ctlBase[0] + ctlStep*math.Floor(w.sec)
		if got := toneAt(audio, w.from, 8820); math.Abs(got-want) > 15 {
			t.Errorf("audio at frame %d: %.0f Hz, want %.0f Hz (track 1 at %.2f s)", w.from, got, want, w.sec)
		}
	}

	// Volume: absolute and relative, seen in status.
	for _, c := range []struct {
		arg  string
		want int
	}{{"50", 50}, {"-10", 40}, {"+5", 45}} {
		h.ok("volume", c.arg)
		if st = h.status(); st.Volume != c.want {
			t.Errorf("volume %s: status says %d, want %d", c.arg, st.Volume, c.want)
		}
	}
	// Every command takes --json and prints the status after it as status
	// --json does (they said "unknown flag: --json").
	for _, args := range [][]string{{"volume", "-5", "--json"}, {"pause", "--json"}, {"play", "--json"}} {
		var after ctl.Status
		if out := h.ok(args...); json.Unmarshal([]byte(out), &after) != nil || after.Volume != 40 || after.Track == nil {
			t.Errorf("ctl %s: %q; want the status as JSON, volume 40", strings.Join(args, " "), out)
		}
	}

	// Quality: the preference, then the renditions fetched.
	h.ok("quality", "low")
	testkit.Wait(t, time.Minute, "a low segment", func() bool { st = h.status(); return st.Rendition == "low" })
	if st.Quality != "low" {
		t.Errorf("quality low: %+v", st)
	}

	// Queue: add the third track, list it, next.
	h.ok("queue", "add", tracks[2].ID)
	var q []ctl.QueueEntry
	if err := json.Unmarshal([]byte(h.ok("queue", "list", "--json")), &q); err != nil {
		t.Fatal(err)
	}
	if len(q) != 3 || q[2].Track.ID != tracks[2].ID || q[2].Index != 3 || !q[0].Current || q[1].Current {
		t.Errorf("queue after add: %+v", q)
	}
	// A person's queue list is a listing as search's is: a heading and
	// columns (it was "*  1  1:00  Ctl Band — Step 1  ID", no heading).
	want := "   #  TRACK   ARTIST    ALBUM      LENGTH  ID\n"
	for i, tr := range tracks {
		mark := " "
		if i == 0 {
			mark = "*"
		}
		want += fmt.Sprintf("%s  %d  %s  Ctl Band  Ctl Album  1:00    %s\n", mark, i+1, tr.Title, tr.ID)
	}
	if got := h.ok("queue", "list"); got != want {
		t.Errorf("queue list:\n%s\nwant:\n%s", got, want)
	}
	h.ok("next")
	testkit.Wait(t, time.Minute, "track 2", func() bool {
		st = h.status()
		return st.Track != nil && st.Track.ID == tracks[1].ID && st.PositionMS >= 1000
	})
	if st.QueueIndex != 1 || st.QueuePosition != 2 || st.QueueLength != 3 {
		t.Errorf("after next: %+v", st)
	}
	audio = wavSoFar(t, wav)
	if got := toneAt(audio, len(audio)-8192-8820, 8820); math.Abs(got-ctlBase[1]) > 25 {
		t.Errorf("after next the audio is %.0f Hz, want track 2's %.0f Hz", got, ctlBase[1])
	}
	// watch sees each kind of event, one JSON object per line.
	seen := map[string]bool{}
	testkit.Wait(t, time.Minute, "watch to see state paused, position, track 2 and a rendition", func() bool {
		out := watchOut.String()
		out = out[:strings.LastIndex(out, "\n")+1] // whole lines only
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			if line == "" {
				continue
			}
			var e ctl.Event
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatalf("watch line %q: %v", line, err)
			}
			switch {
			case e.Event == "state" && e.State == "paused", e.Event == "position" && e.PositionMS != nil && *e.PositionMS > 20000,
				e.Event == "track" && e.Track != nil && e.Track.ID == tracks[1].ID, e.Event == "rendition" && e.Rendition != "":
				seen[e.Event] = true
			}
		}
		return len(seen) == 4
	})

	h.ok("queue", "remove", "3")
	h.ok("stop")
	if st = h.status(); st.State != "stopped" || st.PositionMS != 0 || st.QueueLength != 2 {
		t.Errorf("after remove 3 and stop: %+v", st)
	}

}

// Acceptance 5: a second interface on the same state (and runtime) dir
// does not start a second player: it says one runs and names segue ctl;
// `segue play --enqueue` adds to the running interface's queue.
func TestSecondInstance(t *testing.T) {
	url, tracks := ctlOrigin(t)
	h := newCtlHost(t)
	s := startTUIWith(t, url, 100, 30, h.dir, "XDG_RUNTIME_DIR="+h.runtime)
	s.waitText("Search")
	h.waitSocket("the interface's control socket")
	// An empty queue is listed as every empty listing is: nothing on
	// stdout, a sentence on stderr (it said nothing at all), [] with --json.
	// (segue play ends when its queue is cleared: the interface's queue
	// starts empty.)
	if out, errOut, code := h.ctl("queue", "list"); code != 0 || out != "" || errOut != "the queue is empty: add to it with segue ctl queue add TARGET\n" {
		t.Errorf("queue list of an empty queue: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if out, errOut, code := h.ctl("queue", "list", "--json"); code != 0 || out != "[]\n" || errOut != "" {
		t.Errorf("queue list --json of an empty queue: exit %d, stdout %q, stderr %q", code, out, errOut)
	}

	cmd := exec.Command(segueBinary(t), "--origin", url)
	cmd.Env = append(os.Environ(), append(tuiEnv(h.dir), "XDG_RUNTIME_DIR="+h.runtime)...)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 ||
		!strings.Contains(string(out), "already running") || !strings.Contains(string(out), "segue ctl") {
		t.Errorf("second interface: %v\n%s", err, out)
	}

	enq := h.command("--origin", url, "play", "--enqueue", "--output", "null", tracks[0].ID, tracks[2].ID)
	enq.Env = append(enq.Env, append(tuiEnv(h.dir), "XDG_RUNTIME_DIR="+h.runtime)...)
	if out, err := enq.CombinedOutput(); err != nil || !strings.Contains(string(out), "added 2 tracks") {
		t.Fatalf("play --enqueue: %v\n%s", err, out)
	}
	st := h.status()
	if st.QueueLength != 2 || st.Track == nil || st.Track.ID != tracks[0].ID {
		t.Errorf("the interface's queue after enqueue: %+v", st)
	}
	if p := s.pid(); syscall.Kill(p, 0) != nil {
		t.Errorf("the first interface (pid %d) is gone", p)
	}
}

// A second segue play ran without a control socket and said so only in
// the log, so segue ctl pause paused the first. It now says so on stderr,
// naming --instance and --enqueue, and plays on.
func TestSecondPlaySaysCtlCannotReachIt(t *testing.T) {
	url, tracks := ctlOrigin(t)
	h := newCtlHost(t)
	h.start("--origin", url, "play", "--output", "null", tracks[0].ID)
	h.waitSocket("the first play's control socket")
	out, errOut := h.start("--origin", url, "play", "--output", "null", tracks[1].ID)
	testkit.Wait(t, time.Minute, "the second play to start", func() bool { return strings.Contains(out.String(), "▶ 1/1") })
	want := "segue: segue ctl cannot reach this play: segue is already running (its control socket is " + filepath.Join(h.runtime, "segue", "ctl.sock") +
		"): drive it with segue ctl; give --instance NAME to reach this one as segue ctl --instance NAME, or --enqueue to add to the running queue\n"
	if errOut.String() != want {
		t.Errorf("the second play's stderr:\n%q\nwant\n%q", errOut.String(), want)
	}
	if st := h.status(); st.Track == nil || st.Track.ID != tracks[0].ID {
		t.Errorf("segue ctl status reached %+v, want the first play's track %s", st.Track, tracks[0].ID)
	}
}

// TestToldErrorEvent: an error event reaches segue ctl watch as the one
// sentence segue prints, not the chain of request URLs and Go network
// errors it carried ("get http://…/manifest: Get …: dial tcp …").
func TestToldErrorEvent(t *testing.T) {
	dial := &url.Error{Op: "Get", URL: "http://127.0.0.1:9/api/v1/tracks/t1/manifest", Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}}
	ev := told(player.ErrorEvent{TrackID: "t1", Err: fmt.Errorf("get manifest of t1: %w",
		fmt.Errorf("get http://127.0.0.1:9/api/v1/tracks/t1/manifest: %w (the origin is unreachable: %w)", originclient.ErrOffline, dial)), Fatal: true})
	e, ok := ev.(player.ErrorEvent)
	want := "get manifest of t1: not available offline: no copy is stored here, and the origin at 127.0.0.1:9 is unreachable (is it running? check --origin)"
	if !ok || e.Err.Error() != want || !errors.Is(e.Err, originclient.ErrOffline) || e.TrackID != "t1" || !e.Fatal {
		t.Errorf("told: %+v (%v)\nwant the error %q, still ErrOffline", ev, e.Err, want)
	}
}

// TestPlayEndsOnSignals: a closed terminal (SIGHUP) ends `segue play` as
// Ctrl-C and SIGTERM do: exit 130 and the control socket removed. On
// SIGHUP it died by the signal's default action (no exit status, the
// socket left behind for the next start to take over).
func TestPlayEndsOnSignals(t *testing.T) {
	url, tracks := ctlOrigin(t)
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			h := newCtlHost(t)
			cmd := h.command("--origin", url, "play", "--json", "--output", "null", tracks[0].ID)
			var out, errOut testkit.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errOut
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
			h.waitSocket("play's control socket to answer")
			testkit.Wait(t, time.Minute, "audio of the track to be heard", func() bool { return heardAudio(out.String()) })
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
				t.Errorf("segue play after %v: %v, want exit status 130\n%s", sig, err, errOut.String())
			}
			sock := filepath.Join(h.runtime, "segue", "ctl.sock")
			if _, err := os.Lstat(sock); !os.IsNotExist(err) {
				t.Errorf("after %v the control socket %s is still there (%v)", sig, sock, err)
			}
			// --json ends with the summary of what played, marked
			// interrupted, then the error; both are JSON.
			var finished struct {
				Event       string
				Played      *int
				Interrupted bool
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if len(lines) < 2 || json.Unmarshal([]byte(lines[len(lines)-2]), &finished) != nil ||
				finished.Event != "finished" || !finished.Interrupted || finished.Played == nil || *finished.Played != 1 {
				t.Errorf("segue play --json after %v: the line before the last is %+v, want a finished event with interrupted true and played 1; output:\n%s",
					sig, finished, out.String())
			}
			if last := lines[len(lines)-1]; !json.Valid([]byte(last)) || !strings.Contains(last, "interrupted") {
				t.Errorf("segue play --json after %v: the last line is %q, want the error as JSON", sig, last)
			}
		})
	}
}

// TestPlayStopsWhenItsReaderLeaves: `segue play --json | head -1` and
// `segue play | head -1` stop once head leaves, with exit status 141 (128 +
// SIGPIPE, what a shell reported before), the control socket removed and
// the reason on stderr. With --json it died of SIGPIPE at the next event,
// leaving the socket; without, it played on to the queue's end.
func TestPlayStopsWhenItsReaderLeaves(t *testing.T) {
	url, tracks := ctlOrigin(t)
	for _, c := range []struct {
		name  string
		flags []string
		first string // what the first line begins with
	}{
		{"json", []string{"--json"}, `{"event":"started"`},
		{"text", nil, "▶ 1/3"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newCtlHost(t)
			args := append([]string{"--origin", url, "play", "--output", "null"}, c.flags...)
			cmd := h.command(append(args, tracks[0].ID, tracks[1].ID, tracks[2].ID)...)
			r, errOut := startPiped(t, cmd)
			first := make([]byte, len(c.first))
			if _, err := io.ReadFull(r, first); err != nil || string(first) != c.first {
				t.Fatalf("the first bytes of segue play's output: %q (%v), want %q\n%s", first, err, c.first, errOut.String())
			}
			h.waitSocket("play's control socket to answer")
			r.Close() // as head -1 exits
			err := waitExit(t, cmd, errOut, "the reader of its stdout left")
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != ExitStdoutClosed {
				t.Errorf("segue play: %v, want exit status %d\n%s", err, ExitStdoutClosed, errOut.String())
			}
			if !strings.Contains(errOut.String(), "the reader of its standard output left") {
				t.Errorf("stderr does not say why it stopped:\n%s", errOut.String())
			}
			sock := filepath.Join(h.runtime, "segue", "ctl.sock")
			if _, err := os.Lstat(sock); !os.IsNotExist(err) {
				t.Errorf("the control socket %s is still there (%v)", sock, err)
			}
		})
	}
}

// TestCtlQueueListMarksRadio: segue ctl queue list marks the tracks a
// radio queued ("~", "radio": true in --json), as the interface does; the
// mark was the interface's alone.
func TestCtlQueueListMarksRadio(t *testing.T) {
	url, tracks := ctlOrigin(t)
	h := newCtlHost(t)
	h.start("--origin", url, "play", "--output", "null", "--radio", tracks[0].ID)
	h.waitSocket("play's control socket to answer")
	checkRadioMarks(t, h.queue())
	if out := h.ok("queue", "list"); !strings.Contains(out, "*~") {
		t.Errorf("queue list does not mark the radio's current track \"*~\":\n%s", out)
	}
}

// segue play --radio answered segue ctl before the radio's first batch
// came: a script's first segue ctl queue list found an empty queue. Its
// control socket now answers once the queue is in: here the origin holds
// the radio's answer 3 s.
func TestCtlAnswersPlayOnceTheRadioQueued(t *testing.T) {
	url, tracks := ctlOrigin(t)
	slow := testkit.SlowProxy(t, url, 3*time.Second, func(r *http.Request) bool { return r.URL.Path == "/api/v1/radio" })
	h := newCtlHost(t)
	h.start("--origin", slow.URL, "play", "--output", "null", "--radio", tracks[0].ID)
	h.waitSocket("play's control socket to answer")
	checkRadioMarks(t, h.queue())
}

// A script removed the track playing, the last of the queue (segue ctl
// queue remove N): status said "playing" with no track from then on, and
// segue play never exited, as it does when its queue runs out. Now the
// queue ends: stopped, and segue play finishes with exit status 0.
func TestCtlRemoveLastCurrentEndsPlay(t *testing.T) {
	url, tracks := ctlOrigin(t)
	h := newCtlHost(t)
	exited, _, playErr := h.startPlay("--origin", url, "play", "--output", "null", tracks[0].ID, tracks[1].ID)
	if _, errOut, code := h.ctl("next"); code != 0 {
		t.Fatalf("ctl next: exit %d, %s", code, errOut)
	}
	out, errOut, code := h.ctl("queue", "remove", "2", "--json")
	var st ctl.Status
	if code != 0 || json.Unmarshal([]byte(out), &st) != nil || st.State != "stopped" || st.Track != nil || st.QueueIndex != -1 || st.QueuePosition != 0 {
		t.Errorf("ctl queue remove of the current last track: exit %d, %s%s; want stopped, no track", code, out, errOut)
	}
	h.waitEnd(exited, playErr)
}

// segue ctl queue clear ends a headless segue play as its queue running
// out does: it ran on for ever, stopped with nothing to play. segue ctl
// stop keeps the queue, so play waits, and segue ctl play goes on.
func TestCtlQueueClearEndsPlay(t *testing.T) {
	url, tracks := ctlOrigin(t)
	h := newCtlHost(t)
	exited, playOut, playErr := h.startPlay("--origin", url, "play", "--json", "--output", "null", tracks[0].ID, tracks[1].ID)
	h.ok("stop")
	if st := h.status(); st.State != "stopped" || st.Track == nil || st.QueueLength != 2 {
		t.Errorf("after ctl stop: %+v; want stopped on track 1 of 2", st)
	}
	h.ok("play")
	if st := h.status(); !playingOn(st.State) || st.Track == nil || st.Track.ID != tracks[0].ID {
		t.Errorf("ctl play after ctl stop: %+v; want playing track 1 (play must still run)", st)
	}
	out, errOut, code := h.ctl("queue", "clear", "--json")
	var st ctl.Status
	if code != 0 || json.Unmarshal([]byte(out), &st) != nil || st.State != "stopped" || st.Track != nil || st.QueueLength != 0 {
		t.Errorf("ctl queue clear: exit %d, %s%s; want stopped, an empty queue", code, out, errOut)
	}
	h.waitEnd(exited, playErr)
	if lines := strings.Split(strings.TrimSpace(playOut.String()), "\n"); !strings.Contains(lines[len(lines)-1], `"event":"finished"`) {
		t.Errorf("segue play --json after clear ends with %q, want the finished event", lines[len(lines)-1])
	}
}

// startPlay runs `segue ARGS` (a segue play) in the background until it
// answers segue ctl; exited gets its end (Wait's error), which the test's
// cleanup, killing it, takes back.
func (h *ctlHost) startPlay(args ...string) (exited chan error, stdout, stderr *testkit.Buffer) {
	h.t.Helper()
	play := h.command(args...)
	stdout, stderr = &testkit.Buffer{}, &testkit.Buffer{}
	play.Stdout, play.Stderr = stdout, stderr
	if err := play.Start(); err != nil {
		h.t.Fatal(err)
	}
	exited = make(chan error, 1)
	go func() { exited <- play.Wait() }()
	h.t.Cleanup(func() { play.Process.Kill(); <-exited })
	testkit.Wait(h.t, time.Minute, "play to answer", func() bool {
		_, _, code := h.ctl("status")
		return code == 0
	})
	return exited, stdout, stderr
}

// waitEnd fails the test unless the play startPlay started exits 0 within
// 30 s, as at the end of its queue.
func (h *ctlHost) waitEnd(exited chan error, stderr *testkit.Buffer) {
	h.t.Helper()
	select {
	case err := <-exited:
		exited <- err // for the cleanup
		if err != nil {
			h.t.Errorf("segue play after its queue ended: %v\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		h.t.Errorf("segue play still runs 30 s after its queue ended:\n%s", stderr.String())
	}
}

// The interface's queue plays a row (enter) and moves one (J, K), but a
// script had no way to: segue ctl queue knew list, add, next, remove and
// clear only ("unknown queue command \"move\""). queue move N TO and
// queue play N do what the keys do, through the same player controls; a
// position past the end is exit 3, a malformed one exit 2.
func TestCtlQueuePlayAndMove(t *testing.T) {
	url, tracks := ctlOrigin(t)
	h := newCtlHost(t)
	h.start("--origin", url, "play", "--output", "null", tracks[0].ID, tracks[1].ID, tracks[2].ID)
	h.waitSocket("play's control socket to answer")
	order := func() (ids []string, current int) {
		for _, e := range h.queue() {
			ids = append(ids, e.Track.ID)
			if e.Current {
				current = e.Index
			}
		}
		return ids, current
	}
	h.ok("queue", "move", "3", "1")
	if ids, cur := order(); !slices.Equal(ids, []string{tracks[2].ID, tracks[0].ID, tracks[1].ID}) || cur != 2 {
		t.Errorf("after queue move 3 1: %v, current at %d; want [3 1 2] with track 1 current at 2", ids, cur)
	}
	out := h.ok("queue", "play", "3", "--json")
	var st ctl.Status
	if err := json.Unmarshal([]byte(out), &st); err != nil || st.Track == nil || st.Track.ID != tracks[1].ID || st.QueuePosition != 3 || !playingOn(st.State) {
		t.Errorf("queue play 3: %s (%v); want track 2 playing at position 3", out, err)
	}
	h.refuses(3, "no track at position 4", "queue", "play", "4")
	h.refuses(3, "no track at position 4", "queue", "move", "1", "4")
	h.refuses(2, "move N TO", "queue", "move", "1")
	h.refuses(2, "want a position", "queue", "play", "x")
	if ids, _ := order(); !slices.Equal(ids, []string{tracks[2].ID, tracks[0].ID, tracks[1].ID}) {
		t.Errorf("refused commands changed the queue: %v", ids)
	}
}

// The interface starts a radio from the selection (R), and segue play
// from --radio, but a script could not start one in a running segue
// ("unknown command \"radio\""). segue ctl radio SEED plays the radio
// now, marked as the interface marks it, and a segue play started without
// --radio then tops it up as --radio does; a seed that is not an ID is
// exit 2, an unknown one exit 3.
func TestCtlRadio(t *testing.T) {
	o, tracks := ctlLibrary(t)
	radios := func() int { return o.access.requests("/api/v1/radio", 200)["/api/v1/radio"] }
	h := newCtlHost(t)
	h.start("--origin", "http://"+o.addr, "play", "--output", "null", tracks[2].ID)
	h.waitSocket("play's control socket to answer")
	out := h.ok("radio", tracks[0].ID, "--json")
	var st ctl.Status
	if err := json.Unmarshal([]byte(out), &st); err != nil || st.Track == nil || st.Track.ID == tracks[2].ID || !playingOn(st.State) {
		t.Errorf("ctl radio: %s (%v); want the radio's first track playing in place of the one playing", out, err)
	}
	q := h.queue()
	// the track playing before was the listener's, marked only when the
	// radio queued it again (marks go by ID)
	var radio []ctl.QueueEntry
	for _, e := range q {
		if e.Track.ID != tracks[2].ID {
			radio = append(radio, e)
		}
	}
	checkRadioMarks(t, radio)
	// the queue's last track starting asks the origin for more: the
	// feeder runs (what comes may all be queued already: 3 tracks)
	if n := radios(); n != 1 {
		t.Errorf("%d radio requests after ctl radio, want 1", n)
	}
	h.ok("queue", "play", fmt.Sprint(len(q)))
	testkit.Wait(t, 30*time.Second, "the radio's last track to ask for more", func() bool { return radios() == 2 })
	h.refuses(2, `"zz" is not a track (t…), album (al…), artist (ar…) or playlist (pl…) ID; segue search WORDS`, "radio", "zz")
	h.refuses(2, "one track, album, artist or playlist ID", "radio")
	h.refuses(3, "t0000000000000000", "radio", "t0000000000000000")
}

// A track a radio had queued, then taken out and queued again by hand
// (segue ctl queue add or open, the interface's a, A or enter) kept the
// radio's mark: the player kept the marks of tracks no longer queued, by
// ID, and queue list said "~", "radio": true of a track the listener chose.
func TestCtlQueuedByHandIsNoRadio(t *testing.T) {
	url, tracks := ctlOrigin(t)
	h := newCtlHost(t)
	h.start("--origin", url, "play", "--output", "null", "--radio", tracks[0].ID)
	h.waitSocket("play's control socket to answer")
	q := h.queue()
	checkRadioMarks(t, q)
	// once: a track the radio queued twice keeps the mark of its other copy
	once := -1
	for i, e := range q {
		n := 0
		for _, f := range q {
			if f.Track.ID == e.Track.ID {
				n++
			}
		}
		if n == 1 && !e.Current {
			once = i
		}
	}
	if once < 0 {
		t.Fatalf("the radio queued no track once that is not playing: %+v", q)
	}
	h.ok("queue", "move", fmt.Sprint(q[once].Index), fmt.Sprint(len(q)))
	q = h.queue()
	for _, verb := range [][]string{{"queue", "add"}, {"queue", "next"}, {"open"}} {
		last := q[len(q)-1]
		h.ok("queue", "remove", fmt.Sprint(last.Index))
		h.ok(append(verb, last.Track.ID)...)
		q = h.queue()
		for _, e := range q {
			if e.Track.ID == last.Track.ID && e.Radio {
				t.Errorf("ctl %s of %s, a track the radio had queued and was taken out: queue list marks it radio at %d, want no mark", strings.Join(verb, " "), last.Track.ID, e.Index)
			}
		}
		// put it back at the end for the next verb
		for _, e := range q {
			if e.Track.ID == last.Track.ID && !e.Current {
				h.ok("queue", "move", fmt.Sprint(e.Index), fmt.Sprint(len(q)))
			}
		}
		q = h.queue()
		if q[len(q)-1].Current {
			break
		}
	}
}

// A script added a whole library by its IDs (segue ctl queue add $(jq ...)):
// past about 3,500 IDs the request was longer than the instance read, and
// ctl said only "read segue's answer: ... connection reset by peer" (exit
// 1). Now 5,000 are added; too many for one command is exit 2 before
// connecting, saying to send them in several.
func TestCtlQueueAddManyTargets(t *testing.T) {
	url, tracks := ctlOrigin(t)
	h := newCtlHost(t)
	h.startPlay("--origin", url, "play", "--output", "null", tracks[0].ID)
	h.waitSocket("segue play's control socket")
	args := []string{"queue", "add"}
	for len(args) < 5002 {
		args = append(args, tracks[1].ID)
	}
	if _, errOut, code := h.ctl(args...); code != 0 {
		t.Fatalf("ctl queue add of 5,000 IDs: exit %d, %s", code, errOut)
	}
	if st := h.status(); st.QueueLength != 5001 {
		t.Errorf("after queue add of 5,000 IDs the queue has %d tracks, want 5001", st.QueueLength)
	}
	for len(args) < 60002 {
		args = append(args, tracks[1].ID)
	}
	for _, flags := range [][]string{nil, {"--json"}} {
		out, errOut, code := h.ctl(append(args, flags...)...)
		if code != 2 || !strings.Contains(errOut, "several commands") {
			t.Errorf("ctl queue add of 60,000 IDs %s: exit %d, %s%s; want 2 saying to send them in several commands", flags, code, out, errOut)
		}
	}
}

// A running segue whose token the origin's host revoked said, to segue ctl
// open (and in the interface's line), "the origin refused the token (set
// one with --token ...)": advice for a segue with no token, where one is
// set and was revoked. Every way the refusal is said now names which:
// segue ctl (the running instance's sentence), a command run here, and one
// with no token at all.
func TestTokenRefusalSaysWhetherOneWasSent(t *testing.T) {
	url, token, data, ids, _, _ := tokenOriginData(t)
	h := newCtlHost(t)
	h.start("--origin", url, "--token", token, "play", "--output", "null", ids[0])
	h.waitSocket("play's control socket to answer")
	h.ok("pause")
	h.run("origin", "token", "revoke", "alice", "--data", data)
	revoked := "the origin refused the token: it is wrong or was revoked"
	for _, args := range [][]string{{"ctl", "open", ids[1]}, {"ctl", "open", ids[1], "--json"}, {"--origin", url, "--token", token, "library"}} {
		var out, errOut bytes.Buffer
		cmd := h.command(args...)
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		if err == nil || !strings.Contains(errOut.String(), revoked) || strings.Contains(errOut.String(), "set one with") {
			t.Errorf("segue %s with the token revoked: %v, %q; want it to say %q", strings.Join(args, " "), err, errOut.String(), revoked)
		}
	}
	var errOut bytes.Buffer
	cmd := h.command("--origin", url, "library")
	cmd.Stderr = &errOut
	if err := cmd.Run(); err == nil || !strings.Contains(errOut.String(), "the origin requires a token and none is set") {
		t.Errorf("segue library with no token: %v, %q; want it to say none is set", err, errOut.String())
	}
}
