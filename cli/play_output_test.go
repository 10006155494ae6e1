package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
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
