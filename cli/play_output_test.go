package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestPlayEndsOnOutputFailure: segue play whose output cannot be written
// (--output wav: on a full disk, /dev/full) ends at once with exit 1 and
// one line saying why, with and without --json (whose last lines are a
// finished summary counting the track failed and the error event). It
// said "write audio: ... no space left on device" and then waited for ever,
// paused, until killed (and then said two lines).
func TestPlayEndsOnOutputFailure(t *testing.T) {
	url, stop := playOrigin(t)
	defer stop()
	env := append(clientEnv(t, url), "play", "--search", "tone", "--output", "wav:/dev/full", "--fast")
	bin := segueBinary(t)
	for _, run := range [][]string{env, append(slices.Clone(env), "--json")} {
		// a guard against the hang, not a measure: the run takes well under a second
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := exec.CommandContext(ctx, bin, run...)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		hung := ctx.Err() != nil
		cancel()
		if hung {
			t.Fatalf("segue %s was still running after 2 minutes; stderr %q", strings.Join(run, " "), errOut.String())
		}
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		msg := checkFailure(t, strings.Join(run, " "), errOut.String(), code, ExitError)
		if !strings.HasPrefix(msg, "play: write audio: write wav: write /dev/full: no space left on device") {
			t.Errorf("segue %s: %q; want it to say the output could not be written", strings.Join(run, " "), msg)
		}
		if !slices.Contains(run, "--json") {
			continue
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		var finished, last playEvent
		if len(lines) < 2 || json.Unmarshal([]byte(lines[len(lines)-2]), &finished) != nil || json.Unmarshal([]byte(lines[len(lines)-1]), &last) != nil {
			t.Fatalf("--json output %q: want a finished line and an error line last", out.String())
		}
		if finished.Event != "finished" || finished.Failed == nil || *finished.Failed != 1 || last.Event != "error" || last.Message != msg {
			t.Errorf("--json ended with %+v and %+v; want finished with 1 failed, then the error %q", finished, last, msg)
		}
	}
}

// TestPlayJSONToAFullDisk: segue play --json whose events cannot be
// written (stdout on a full disk) ends with exit 1 saying so. It played
// on and exited 0, the script's events lost.
func TestPlayJSONToAFullDisk(t *testing.T) {
	url, stop := playOrigin(t)
	defer stop()
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer full.Close()
	run := append(clientEnv(t, url), "play", "--search", "tone", "--json", "--output", "wav:"+filepath.Join(t.TempDir(), "out.wav"), "--fast")
	cmd := exec.Command(segueBinary(t), run...)
	var errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = full, &errOut
	err = cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	if msg := checkFailure(t, "play --json > /dev/full", errOut.String(), code, ExitError); msg != "play: write the events: write /dev/stdout: no space left on device" {
		t.Errorf("play --json > /dev/full: %q; want it to say the events could not be written", msg)
	}
}

// TestOutputFileSaysWhereItWasSet: a wav output whose file cannot be
// written is a bad setting (2, with and without --json) named where it
// was set: SEGUE_OUTPUT and config.toml's player.output were said as
// "--output: the folder X does not exist", a flag the user never gave.
func TestOutputFileSaysWhereItWasSet(t *testing.T) {
	dir := t.TempDir()
	none := filepath.Join(dir, "typo")
	cfg := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfg, []byte("origin = \"http://127.0.0.1:9\"\n[player]\noutput = \"wav:"+filepath.Join(none, "x.wav")+"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := clientEnv(t, "http://127.0.0.1:9")
	for _, c := range []struct {
		name string
		env  string // SEGUE_OUTPUT, or none
		args []string
		says string
	}{
		{"SEGUE_OUTPUT in a folder that is not there", "wav:" + filepath.Join(none, "x.wav"), append(slices.Clone(env), "play", "t1"), "SEGUE_OUTPUT: the folder " + none + " does not exist"},
		{"SEGUE_OUTPUT a folder", "wav16:" + dir, append(slices.Clone(env), "play", "t1"), "SEGUE_OUTPUT: " + dir + " is a folder: give a file"},
		{"player.output in a folder that is not there", "", []string{"--config", cfg, "play", "t1"}, "config " + cfg + ": player.output: the folder " + none + " does not exist"},
		{"--output over SEGUE_OUTPUT", "null", append(slices.Clone(env), "play", "t1", "--output", "wav:"+filepath.Join(none, "x.wav")), "--output: the folder " + none + " does not exist"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.env != "" {
				t.Setenv("SEGUE_OUTPUT", c.env)
			}
			for _, run := range [][]string{c.args, append(slices.Clone(c.args), "--json")} {
				_, errOut, code := segue(t, run...)
				msg := checkFailure(t, strings.Join(run, " "), errOut, code, ExitUsage)
				if !strings.HasPrefix(msg, c.says) {
					t.Errorf("segue %s: %q; want it to begin %q", strings.Join(run, " "), msg, c.says)
				}
			}
		})
	}
}

// TestOutputHelpNamesEveryOutput: the interface's --output (segue --help)
// said "alsa, null or wav:FILE" though it takes wav16:FILE as play's does,
// and play's did not name SEGUE_OUTPUT; both now say the same.
func TestOutputHelpNamesEveryOutput(t *testing.T) {
	env := clientEnv(t, "http://127.0.0.1:9")
	for _, args := range [][]string{{"--help"}, {"play", "--help"}} {
		out := segueOK(t, append(slices.Clone(env), args...)...)
		var line string
		for l := range strings.Lines(out) {
			if strings.Contains(l, "--output OUTPUT") {
				line = l
			}
		}
		for _, want := range []string{"alsa", "null", "wav:FILE", "wav16:FILE", "SEGUE_OUTPUT"} {
			if !strings.Contains(line, want) {
				t.Errorf("segue %s: the --output line %q does not name %s", strings.Join(args, " "), strings.TrimSpace(line), want)
			}
		}
	}
}
