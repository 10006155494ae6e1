package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"segue/ctl"
	"segue/internal/testkit"
)

// TestCtlWatchWhilePaused: a skip or a seek while paused reaches segue ctl
// watch at once, as the status line's does. Watch named the track before
// the skip, and the position before the seek, until playback resumed (a
// status bar fed by watch showed the wrong track).
func TestCtlWatchWhilePaused(t *testing.T) {
	url, tracks := ctlOrigin(t)
	h := newCtlHost(t)
	h.start("--origin", url, "play", "--output", "null", tracks[0].ID, tracks[1].ID, tracks[2].ID)
	testkit.Wait(t, time.Minute, "play to answer", func() bool {
		_, _, code := h.ctl("status")
		return code == 0
	})
	h.ok("pause")
	watchOut, _ := h.start("ctl", "watch", "--json")
	// events returns watch's whole lines after the first n.
	events := func(n int) []ctl.Event {
		out := watchOut.String()
		var evs []ctl.Event
		for i, line := range strings.Split(out[:strings.LastIndex(out, "\n")+1], "\n") {
			var e ctl.Event
			if i < n || line == "" {
				continue
			}
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatalf("watch line %q: %v", line, err)
			}
			evs = append(evs, e)
		}
		return evs
	}
	testkit.Wait(t, time.Minute, "watch to start", func() bool { return len(events(0)) >= 2 })
	started := len(events(0))

	h.ok("next")
	testkit.Wait(t, 10*time.Second, "watch to name track 2 while paused", func() bool {
		for _, e := range events(started) {
			if e.Event == "track" && e.Track != nil && e.Track.ID == tracks[1].ID {
				return true
			}
		}
		return false
	})
	h.ok("seek", "0:30")
	testkit.Wait(t, 10*time.Second, "watch to say position 30 s while paused", func() bool {
		for _, e := range events(started) {
			if e.Event == "position" && e.PositionMS != nil && *e.PositionMS == 30000 {
				return true
			}
		}
		return false
	})
	// resuming starts the track watch named already: it is not named twice
	h.ok("play")
	testkit.Wait(t, time.Minute, "a position after resuming", func() bool {
		for _, e := range events(started) {
			if e.Event == "position" && e.PositionMS != nil && *e.PositionMS > 30000 {
				return true
			}
		}
		return false
	})
	named := 0
	for _, e := range events(started) {
		if e.Event == "track" {
			named++
		}
	}
	if named != 1 {
		t.Errorf("watch named a track %d times after one skip: %s", named, watchOut)
	}
}

// TestCtlWatchStopped: segue ctl watch ends as segue play does (README
// "Exit statuses"): Ctrl-C is exit 130 and its reader leaving
// (segue ctl watch | head -1) is 141, with and without --json, saying so on
// stderr, and --json prints only whole lines. Ctrl-C was exit 0, and a
// reader that left while the watched segue was paused (no events to write)
// left watch running for ever.
func TestCtlWatchStopped(t *testing.T) {
	url, tracks := ctlOrigin(t)
	h := newCtlHost(t)
	h.start("--origin", url, "play", "--output", "null", tracks[0].ID)
	h.waitSocket("play to answer")
	h.ok("pause")
	for _, c := range stopCases("ctl watch") {
		t.Run(c.name, func(t *testing.T) {
			args := []string{"ctl", "watch"}
			if c.json {
				args = append(args, "--json")
			}
			cmd := h.command(args...)
			r, errOut := startPiped(t, cmd)
			out := bufio.NewReader(r)
			var first string // it starts with the state (paused) and the track, then has nothing to say
			for range 2 {
				line, err := out.ReadString('\n')
				if err != nil {
					t.Fatalf("segue ctl watch did not print its first lines: %v\n%s%s", err, first, errOut.String())
				}
				first += line
			}
			c.stop(t, cmd, r, errOut, "segue "+strings.Join(args, " ")+" stopped")
			if !c.signal {
				return
			}
			rest, _ := io.ReadAll(out)
			lines := strings.Split(first+string(rest), "\n")
			if lines[len(lines)-1] != "" {
				t.Errorf("segue %s ended on a line cut short: %q", strings.Join(args, " "), lines[len(lines)-1])
			}
			if !c.json {
				return
			}
			for _, l := range lines[:len(lines)-1] {
				if !json.Valid([]byte(l)) {
					t.Errorf("segue ctl watch --json printed %q, not a JSON object", l)
				}
			}
			if last := lines[len(lines)-2]; last != `{"error":"ctl watch: interrupted"}` {
				t.Errorf("segue ctl watch --json ended on %q; want its error", last)
			}
		})
	}
	// under nohup the hangup stays ignored (watch asked to be told of it,
	// which undid nohup's ignoring), and Ctrl-C still ends it
	needTools(t, "nohup")
	watch := h.command("ctl", "watch")
	cmd := exec.Command("nohup", watch.Args...)
	cmd.Env = watch.Env
	r, errOut := startPiped(t, cmd)
	if _, err := bufio.NewReader(r).ReadString('\n'); err != nil {
		t.Fatalf("nohup segue ctl watch printed no line: %v\n%s", err, errOut.String())
	}
	if !ignores(t, cmd.Process.Pid, syscall.SIGHUP) {
		t.Errorf("segue ctl watch under nohup no longer ignores SIGHUP")
	}
	stopCases("ctl watch")[0].stop(t, cmd, r, errOut, "nohup segue ctl watch interrupted")
}

// TestCtlWatchEndsWithItsSegue: segue ctl watch exits 0, with and without
// --json and saying nothing on stderr, when the segue it follows ends as it
// should (a segue play whose queue is cleared or that Ctrl-C stopped, the
// interface quit with q);
// only a segue that went away without saying so (killed) is exit 1. Both
// normal ends were exit 1 "the segue it watched quit", so a script could not
// tell them from a crash.
func TestCtlWatchEndsWithItsSegue(t *testing.T) {
	url, tracks := ctlOrigin(t)
	// watches starts segue ctl watch and segue ctl watch --json, made by
	// cmd, and returns them once each printed its first line.
	type watcher struct {
		cmd    *exec.Cmd
		r      *os.File
		errOut *testkit.Buffer
		name   string
	}
	watches := func(t *testing.T, cmd func(args ...string) *exec.Cmd) []watcher {
		var ws []watcher
		for _, args := range [][]string{{"ctl", "watch"}, {"ctl", "watch", "--json"}} {
			c := cmd(args...)
			r, errOut := startPiped(t, c)
			if _, err := bufio.NewReader(r).ReadString('\n'); err != nil {
				t.Fatalf("segue %s printed no line: %v\n%s", strings.Join(args, " "), err, errOut.String())
			}
			ws = append(ws, watcher{c, r, errOut, "segue " + strings.Join(args, " ")})
		}
		return ws
	}
	// ends checks that each watcher exits code, its stderr containing says.
	ends := func(t *testing.T, ws []watcher, after string, code int, says string) {
		t.Helper()
		for _, w := range ws {
			go io.Copy(io.Discard, w.r)
			err := waitExit(t, w.cmd, w.errOut, after)
			got := 0
			if ee, ok := err.(*exec.ExitError); ok {
				got = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if errOut := w.errOut.String(); got != code || (says == "" && errOut != "") || !strings.Contains(errOut, says) {
				t.Errorf("%s after %s: exit %d, stderr %q; want exit %d saying %q", w.name, after, got, errOut, code, says)
			}
		}
	}

	t.Run("play-finished", func(t *testing.T) {
		h := newCtlHost(t)
		exited, _, playErr := h.startPlay("--origin", url, "play", "--output", "null", tracks[0].ID)
		ws := watches(t, h.command)
		h.ok("queue", "clear") // segue play ends, as when its queue runs out
		h.waitEnd(exited, playErr)
		ends(t, ws, "segue play finished", 0, "")
	})
	t.Run("play-interrupted", func(t *testing.T) { // segue play's own exit is 130; it ended as it should
		h := newCtlHost(t)
		play := h.command("--origin", url, "play", "--output", "null", tracks[0].ID)
		if err := play.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { play.Process.Kill(); play.Wait() })
		h.waitSocket("play to answer")
		ws := watches(t, h.command)
		play.Process.Signal(syscall.SIGINT)
		ends(t, ws, "segue play was interrupted", 0, "")
	})
	t.Run("tui-quit", func(t *testing.T) {
		s := startTUI(t, url, 100, 30)
		s.waitText("nothing playing")
		ws := watches(t, func(args ...string) *exec.Cmd {
			cmd := exec.Command(segueBinary(t), args...)
			cmd.Env = append(os.Environ(), tuiEnv(s.dir)...)
			return cmd
		})
		s.keys("q")
		ends(t, ws, "q in the interface", 0, "")
	})
	t.Run("play-killed", func(t *testing.T) {
		h := newCtlHost(t)
		play := h.command("--origin", url, "play", "--output", "null", tracks[0].ID)
		if err := play.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { play.Process.Kill(); play.Wait() })
		h.waitSocket("play to answer")
		ws := watches(t, h.command)
		play.Process.Kill()
		ends(t, ws, "segue play was killed", 1, "segue: ctl watch: lost the segue it watched")
	})
}

// TestCtlWatchEvents: what segue ctl watch prints for each command a
// script sends, as JSON lines and as text, one row each. While paused
// nothing else is said (no position each second), so those rows are the
// whole of what it printed, up to the seek each is followed by (a mark
// the row waits for); a rendition line may come at any time and is not
// the table's. ctl volume changed nothing watch said (a status bar fed by
// watch showed the volume it started with), nor did prev restarting the
// track while paused (it showed the position before).
func TestCtlWatchEvents(t *testing.T) {
	h, tracks := pausedPlay(t)
	jsonOut, _ := h.start("ctl", "watch", "--json")
	textOut, _ := h.start("ctl", "watch")
	// lines returns out's whole lines from the from-th on, rendition ones left out.
	lines := func(out *testkit.Buffer, from int) []string {
		s := out.String()
		all := strings.Split(s[:strings.LastIndex(s, "\n")+1], "\n")
		var got []string
		for _, l := range all[:len(all)-1][min(from, len(all)-1):] {
			if !strings.Contains(l, `"event":"rendition"`) && !strings.HasPrefix(l, "rendition ") {
				got = append(got, l)
			}
		}
		return got
	}
	count := func(out *testkit.Buffer) int { return strings.Count(out.String(), "\n") }
	testkit.Wait(t, time.Minute, "both watchers to start", func() bool { return count(jsonOut) >= 2 && count(textOut) >= 2 })
	track := func(i int) string {
		return fmt.Sprintf(`{"event":"track","track":{"id":%q,"title":"Step %d","artist":"Ctl Band","album":"Ctl Album","duration_ms":60000}}`, tracks[i].ID, i+1)
	}
	for _, c := range []struct {
		args []string
		json []string // the JSON lines it prints
		text []string // and the text ones
		// more: playing, more lines may come between them (the position
		// each second); mark, then, the seek that ends the row, 0:02 when
		// paused (before RestartThreshold, so that prev goes back a
		// track), past any position the row before it left ticking
		more bool
		mark int
	}{
		{[]string{"seek", "0:30"}, []string{`{"event":"position","position_ms":30000}`}, []string{"position  0:30"}, false, 2},
		{[]string{"seek", "+5"}, []string{`{"event":"position","position_ms":7000}`}, []string{"position  0:07"}, false, 2},
		{[]string{"volume", "50"}, []string{`{"event":"volume","volume":50}`}, []string{"volume    50"}, false, 2},
		{[]string{"volume", "+10"}, []string{`{"event":"volume","volume":60}`}, []string{"volume    60"}, false, 2},
		{[]string{"volume", "60"}, nil, nil, false, 2}, // no change, nothing said
		{[]string{"next"}, []string{track(1)}, []string{"track     Ctl Band — Step 2"}, false, 2},
		{[]string{"prev"}, []string{track(0)}, []string{"track     Ctl Band — Step 1"}, false, 2},
		{[]string{"pause"}, nil, nil, false, 30}, // paused already; the mark leaves it past RestartThreshold
		// prev restarts the track: the play head went to 0:00 with nothing said
		{[]string{"prev"}, []string{`{"event":"position","position_ms":0}`}, []string{"position  0:00"}, false, 2},
		{[]string{"play"}, []string{`{"event":"state","state":"playing"}`}, []string{"state     playing"}, true, 40},
		{[]string{"pause"}, []string{`{"event":"state","state":"paused"}`}, []string{"state     paused"}, true, 50},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			fromJSON, fromText := count(jsonOut), count(textOut)
			h.ok(c.args...)
			h.ok("seek", fmt.Sprint(c.mark)) // the mark, said at once
			markJSON, markText := fmt.Sprintf(`{"event":"position","position_ms":%d}`, c.mark*1000), fmt.Sprintf("position  0:%02d", c.mark)
			for _, w := range []struct {
				out        *testkit.Buffer
				from       int
				want       []string
				mark, what string
			}{{jsonOut, fromJSON, c.json, markJSON, "watch --json"}, {textOut, fromText, c.text, markText, "watch"}} {
				testkit.Wait(t, time.Minute, w.what+" to say the mark "+w.mark, func() bool { return slices.Contains(lines(w.out, w.from), w.mark) })
				got := lines(w.out, w.from)
				got = got[:slices.Index(got, w.mark)]
				if !c.more {
					if !slices.Equal(got, w.want) {
						t.Errorf("%s printed %q; want %q", w.what, got, w.want)
					}
					continue
				}
				// playing says more: the position each second, and the state
				// again after the mark's seek; the rows' lines come in order
				rest := w.want
				for _, l := range got {
					if len(rest) > 0 && l == rest[0] {
						rest = rest[1:]
					} else if !playingNoise(l) {
						t.Errorf("%s printed %q among %q; want %q, positions and states playing or buffering", w.what, l, got, w.want)
					}
				}
				if len(rest) > 0 {
					t.Errorf("%s printed %q; want %q among them", w.what, got, w.want)
				}
			}
		})
	}
}

// playingNoise says whether l, a line of segue ctl watch with or without
// --json, is one that playing prints on its own: a position, or the state
// playing or buffering.
func playingNoise(l string) bool {
	return strings.Contains(l, `"event":"position"`) || strings.HasPrefix(l, "position ") || slices.Contains(
		[]string{`{"event":"state","state":"buffering"}`, `{"event":"state","state":"playing"}`, "state     buffering", "state     playing"}, l)
}
