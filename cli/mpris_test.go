package cli

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
)

// sessionBus starts a private D-Bus session daemon for the test
// (testkit.SessionBus) and returns its address; playerctl is needed too.
func sessionBus(t *testing.T, dir string) string {
	t.Helper()
	needTools(t, "playerctl")
	return testkit.SessionBus(t, dir)
}

// mprisHost puts h on a private session bus and returns a function that
// runs playerctl on it for segue, returning its output trimmed (or the
// error and what it said).
func mprisHost(t *testing.T, h *ctlHost) func(args ...string) string {
	h.env = append(h.env, "DBUS_SESSION_BUS_ADDRESS="+sessionBus(t, h.runtime))
	return func(args ...string) string {
		t.Helper()
		cmd := exec.Command("playerctl", append([]string{"-p", "segue"}, args...)...)
		cmd.Env = append(os.Environ(), h.env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return "error: " + err.Error() + ": " + string(out)
		}
		return strings.TrimSpace(string(out))
	}
}

// playingUnderMPRIS starts segue play of the first n of ctlOrigin's tracks
// on a private session bus (mprisHost) and waits until playerctl sees it
// playing.
func playingUnderMPRIS(t *testing.T, n int) (h *ctlHost, url string, tracks []catalog.Track, pc func(args ...string) string) {
	url, tracks = ctlOrigin(t)
	h = newCtlHost(t)
	pc = mprisHost(t, h)
	args := []string{"--origin", url, "play", "--output", "null"}
	for _, tr := range tracks[:n] {
		args = append(args, tr.ID)
	}
	h.start(args...)
	testkit.Wait(t, time.Minute, "playerctl to see segue playing", func() bool { return pc("status") == "Playing" })
	return h, url, tracks, pc
}

// follow runs playerctl --follow ARGS on h's bus until the test ends and
// returns what it prints.
func (h *ctlHost) follow(args ...string) *testkit.Buffer {
	h.t.Helper()
	cmd := exec.Command("playerctl", append([]string{"-p", "segue", "--follow"}, args...)...)
	cmd.Env = append(os.Environ(), h.env...)
	out := &testkit.Buffer{}
	cmd.Stdout = out
	if err := cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return out
}

// Acceptance 2: the real playerctl on a private session bus reads segue
// play's metadata and position and drives play-pause, next, position and
// volume; each effect shows in segue ctl status too.
func TestMPRISWithPlayerctl(t *testing.T) {
	h, url, tracks, pc := playingUnderMPRIS(t, 3)

	if got := pc("metadata", "--format", "{{title}}|{{artist}}|{{album}}|{{mpris:length}}"); got != "Step 1|Ctl Band|Ctl Album|60000000" {
		t.Errorf("metadata: %q", got)
	}
	// mpris:artUrl is a file the desktop can open, holding the origin's cover.
	var art string
	testkit.Wait(t, time.Minute, "mpris:artUrl", func() bool {
		art = pc("metadata", "mpris:artUrl")
		return strings.HasPrefix(art, "file:///")
	})
	got, err := os.ReadFile(strings.TrimPrefix(art, "file://"))
	if err != nil {
		t.Fatalf("mpris:artUrl %s: %v", art, err)
	}
	req, _ := http.NewRequest("GET", url+"/api/v1/albums/"+tracks[0].AlbumID+"/cover", nil)
	if _, want := testkit.Do(t, nil, req); !bytes.Equal(got, want) {
		t.Errorf("mpris:artUrl %s holds %d bytes, not the origin's %d-byte cover", art, len(got), len(want))
	}

	titles := h.follow("metadata", "title")
	testkit.Wait(t, time.Minute, "playerctl --follow to start", func() bool { return strings.Contains(titles.String(), "Step 1") })

	pc("play-pause")
	testkit.Wait(t, time.Minute, "Paused", func() bool { return pc("status") == "Paused" })
	if st := h.status(); st.State != "paused" {
		t.Errorf("after play-pause ctl says %s", st.State)
	}
	pc("play-pause")
	testkit.Wait(t, time.Minute, "Playing again", func() bool { return pc("status") == "Playing" })

	pc("position", "30") // SetPosition with the current track's ID
	if st := h.status(); st.PositionMS < 30000 || st.PositionMS > 40000 {
		t.Errorf("after position 30: %d ms", st.PositionMS)
	}
	pc("position", "10+") // Seek
	if st := h.status(); st.PositionMS < 40000 || st.PositionMS > 50000 {
		t.Errorf("after position 10+: %d ms", st.PositionMS)
	}
	if pos, err := strconv.ParseFloat(pc("position"), 64); err != nil || pos < 40 {
		t.Errorf("playerctl position: %v, %v", pos, err)
	}

	pc("volume", "0.4")
	if st := h.status(); st.Volume != 40 {
		t.Errorf("after volume 0.4 ctl says %d", st.Volume)
	}
	if got := pc("volume"); !strings.HasPrefix(got, "0.4") {
		t.Errorf("playerctl volume: %q", got)
	}

	// What changes outside D-Bus is announced on it: a volume set by segue
	// ctl (PropertiesChanged) and a seek (the Seeked signal).
	volumes := h.follow("volume")
	testkit.Wait(t, time.Minute, "playerctl --follow volume to print 0.4", func() bool { return strings.Contains(volumes.String(), "0.4") })
	if _, errOut, code := h.ctl("volume", "55"); code != 0 {
		t.Fatalf("ctl volume 55: exit %d: %s", code, errOut)
	}
	testkit.Wait(t, time.Minute, "the follower to see volume 0.55 set by segue ctl", func() bool { return strings.Contains(volumes.String(), "0.55") })

	monitor := exec.Command("dbus-monitor", "--session", "type='signal',interface='org.mpris.MediaPlayer2.Player',member='Seeked'")
	monitor.Env = append(os.Environ(), h.env...)
	signals := &testkit.Buffer{}
	monitor.Stdout = signals
	if err := monitor.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { monitor.Process.Kill(); monitor.Wait() })
	testkit.Wait(t, time.Minute, "dbus-monitor to start", func() bool { return strings.Contains(signals.String(), "NameAcquired") })
	if _, errOut, code := h.ctl("seek", "0:20"); code != 0 {
		t.Fatalf("ctl seek 0:20: exit %d: %s", code, errOut)
	}
	testkit.Wait(t, time.Minute, "a Seeked signal at 20 s after segue ctl seek 0:20", func() bool {
		return regexp.MustCompile(`member=Seeked[^\n]*\n\s*int64 20000000\b`).MatchString(signals.String())
	})

	pc("next")
	testkit.Wait(t, time.Minute, "track 2", func() bool { return pc("metadata", "title") == "Step 2" })
	if st := h.status(); st.Track == nil || st.Track.ID != tracks[1].ID {
		t.Errorf("after next ctl says %+v", st.Track)
	}
	// PropertiesChanged reached the follower without it asking.
	testkit.Wait(t, time.Minute, "PropertiesChanged with track 2", func() bool { return strings.Contains(titles.String(), "Step 2") })
}

// MPRIS said LoopStatus "None" whatever the repeat mode, and refused to set
// LoopStatus or Shuffle (PropertyReadOnly), so playerctl loop and shuffle
// neither showed nor changed what r and z change in the interface; segue
// ctl had no verbs for them and its status did not say them. Now the modes
// are one: set from D-Bus, segue ctl or the interface, seen by all three.
func TestMPRISLoopAndShuffle(t *testing.T) {
	h, _, _, pc := playingUnderMPRIS(t, 3)
	if st := h.status(); st.Shuffle || st.Repeat != "off" || pc("loop") != "None" || pc("shuffle") != "Off" {
		t.Fatalf("at the start: ctl says shuffle %v, repeat %q; playerctl loop %q, shuffle %q", st.Shuffle, st.Repeat, pc("loop"), pc("shuffle"))
	}

	loops := h.follow("loop")
	testkit.Wait(t, time.Minute, "playerctl --follow loop to start", func() bool { return strings.Contains(loops.String(), "None") })

	if out := h.ok("repeat", "all"); !strings.Contains(out, "repeat all") {
		t.Errorf("ctl repeat all printed %q, want a status line saying repeat all", out)
	}
	if got := pc("loop"); got != "Playlist" {
		t.Errorf("after ctl repeat all playerctl loop says %q, want Playlist", got)
	}
	testkit.Wait(t, time.Minute, "PropertiesChanged with LoopStatus Playlist", func() bool { return strings.Contains(loops.String(), "Playlist") })

	if got := pc("loop", "Track"); got != "" {
		t.Errorf("playerctl loop Track: %s", got)
	}
	if st := h.status(); st.Repeat != "one" {
		t.Errorf("after playerctl loop Track ctl says repeat %q, want one", st.Repeat)
	}
	if got := pc("shuffle", "On"); got != "" {
		t.Errorf("playerctl shuffle On: %s", got)
	}
	if st := h.status(); !st.Shuffle || pc("shuffle") != "On" {
		t.Errorf("after playerctl shuffle On: ctl says shuffle %v, playerctl %q", st.Shuffle, pc("shuffle"))
	}
	h.ok("shuffle", "off")
	if got := pc("shuffle"); got != "Off" {
		t.Errorf("after ctl shuffle off playerctl shuffle says %q", got)
	}
	for _, args := range [][]string{{"repeat", "twice"}, {"shuffle", "yes"}, {"repeat"}} {
		if _, errOut, code := h.ctl(args...); code != 2 {
			t.Errorf("ctl %s: exit %d (%s), want 2", strings.Join(args, " "), code, errOut)
		}
	}
}

// After the queue was cleared (or ran out) MPRIS kept the last track's
// Metadata, so a desktop widget showed a track segue ctl status said was
// gone ("track": null); and ctl seek then said "ctl seek: seek: nothing is
// playing". Now Metadata is NoTrack, and seek says it once. The interface
// runs on with an empty queue (a segue play ends on a clear: see
// TestCtlQueueClearEndsPlay).
func TestMPRISForgetsAClearedQueue(t *testing.T) {
	url, tracks := ctlOrigin(t)
	h := newCtlHost(t)
	pc := mprisHost(t, h)
	s := startTUIWith(t, url, 100, 30, h.dir, append([]string{"XDG_RUNTIME_DIR=" + h.runtime}, h.env...)...)
	s.waitText("Search")
	h.waitSocket("the interface's control socket")
	h.ok("open", tracks[0].ID)
	testkit.Wait(t, time.Minute, "playerctl to see segue playing Step 1", func() bool {
		return pc("status") == "Playing" && pc("metadata", "title") == "Step 1"
	})
	h.ok("queue", "clear")
	testkit.Wait(t, time.Minute, "playerctl to see segue stopped", func() bool { return pc("status") == "Stopped" })
	if got := pc("metadata", "mpris:trackid"); got != "'/org/mpris/MediaPlayer2/TrackList/NoTrack'" {
		t.Errorf("after ctl queue clear playerctl metadata mpris:trackid says %q, want NoTrack", got)
	}
	if _, errOut, code := h.ctl("seek", "10"); code != 1 || errOut != "segue: ctl seek: nothing is playing to seek in: play something first (segue ctl open ID, or queue add ID)\n" {
		t.Errorf("ctl seek with an empty queue: exit %d, %q", code, errOut)
	}
}

// TestMPRISFollowsASkipWhilePaused: next while paused changes Metadata at
// once, as it changes segue ctl status (see TestCtlWatchWhilePaused); it
// named the track before the skip until playback resumed.
func TestMPRISFollowsASkipWhilePaused(t *testing.T) {
	h, _, _, pc := playingUnderMPRIS(t, 2)
	h.ok("pause")
	h.ok("next")
	testkit.Wait(t, 10*time.Second, "playerctl to see Step 2 while paused", func() bool { return pc("metadata", "title") == "Step 2" })
	if got := pc("status"); got != "Paused" {
		t.Errorf("playerctl status after next while paused: %q", got)
	}
}

// TestMPRISRepeatOneStartsAtZero: a track that starts again (repeat one,
// or the same track queued twice in a row) keeps its mpris:trackid, so a
// client that counts the position on from the last Seeked — playerctl,
// and the status bars built on it — was never told it went back to 0:00:
// playerctl --follow went on to 1:03 of a 1:00 track. Now a Seeked says
// where it starts. (playerctl takes the first track it sees change as a
// new one, so the track starts again twice.)
func TestMPRISRepeatOneStartsAtZero(t *testing.T) {
	h, _, tracks, pc := playingUnderMPRIS(t, 1)
	positions := h.follow("metadata", "--format", "{{position}}")
	h.ok("repeat", "one")
	for round := 1; round <= 2; round++ {
		h.ok("seek", "0:57")
		testkit.Wait(t, time.Minute, "the track to start again", func() bool {
			st := h.status()
			return st.Track != nil && st.Track.ID == tracks[0].ID && st.PositionMS > 500 && st.PositionMS < 20000
		})
	}
	mark := len(positions.String())
	testkit.Wait(t, time.Minute, "playerctl --follow to print two positions after the restart", func() bool {
		return strings.Count(positions.String()[mark:], "\n") >= 2
	})
	lines := strings.Fields(positions.String()[mark:])
	us, err := strconv.ParseInt(lines[len(lines)-1], 10, 64)
	if err != nil {
		t.Fatalf("playerctl printed %q", lines)
	}
	if st := h.status(); us > st.PositionMS*1000+3e6 {
		t.Errorf("playerctl --follow says %.1f s into the track started again, segue ctl status %.1f s (playerctl position: %s)",
			float64(us)/1e6, float64(st.PositionMS)/1e3, pc("position"))
	}
}

// TestMPRISNamesTheInstance: segue --instance NAME is
// org.mpris.MediaPlayer2.segue.NAME on the bus, so playerctl -p segue.NAME
// drives the segue segue ctl --instance NAME does. A named instance
// started first took org.mpris.MediaPlayer2.segue, and the default one
// then segue.instance<pid>: playerctl -p segue and the media keys drove
// the named one while segue ctl drove the default.
func TestMPRISNamesTheInstance(t *testing.T) {
	url, tracks := ctlOrigin(t)
	h := newCtlHost(t)
	pc := mprisHost(t, h)
	h.start("--origin", url, "play", "--output", "null", "--instance", "b.2", tracks[1].ID)
	testkit.Wait(t, time.Minute, "segue --instance b.2 on the bus", func() bool { return strings.Contains(pc("-l"), "segue") })
	h.start("--origin", url, "play", "--output", "null", tracks[0].ID)
	h.waitSocket("the default instance's control socket")
	var names string
	testkit.Wait(t, time.Minute, "both on the bus", func() bool {
		names = pc("-l")
		return strings.Count(names, "segue") == 2
	})
	if !slices.Contains(strings.Fields(names), "segue") || !slices.Contains(strings.Fields(names), "segue.b_2") {
		t.Errorf("playerctl -l lists %q, want segue and segue.b_2", names)
	}
	run := func(player string, args ...string) string {
		cmd := exec.Command("playerctl", append([]string{"-p", player}, args...)...)
		cmd.Env = append(os.Environ(), h.env...)
		out, _ := cmd.CombinedOutput()
		return strings.TrimSpace(string(out))
	}
	if got := run("segue.b_2", "metadata", "title"); got != "Step 2" {
		t.Errorf("playerctl -p segue.b_2 metadata title: %q, want Step 2 (what --instance b.2 plays)", got)
	}
	run("segue.b_2", "pause")
	if st, _, _ := h.ctl("--instance", "b.2", "status"); !strings.HasPrefix(st, "paused") {
		t.Errorf("after playerctl -p segue.b_2 pause, ctl --instance b.2 status says %q", st)
	}
	if st := h.status(); st.State != "playing" || st.Track == nil || st.Track.ID != tracks[0].ID {
		t.Errorf("after playerctl -p segue.b_2 pause the default instance is %s %+v, want playing Step 1", st.State, st.Track)
	}
}
