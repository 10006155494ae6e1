package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"segue/internal/testkit"
)

// TestCtlJSONIsIndented: segue ctl status, queue list and a verb's --json
// print one document indented as every other command's --json does (they
// printed it on one line); watch --json stays a stream, one object a line.
func TestCtlJSONIsIndented(t *testing.T) {
	url, tracks := ctlOrigin(t)
	h := newCtlHost(t)
	h.startPlay("--origin", url, "play", "--output", "null", tracks[0].ID, tracks[1].ID)
	for _, args := range [][]string{{"status", "--json"}, {"queue", "list", "--json"}, {"pause", "--json"}, {"--json", "play"}} {
		out := h.ok(args...)
		var want bytes.Buffer
		if err := json.Indent(&want, []byte(strings.TrimSpace(out)), "", "  "); err != nil {
			t.Fatalf("ctl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		if out != want.String()+"\n" {
			t.Errorf("ctl %s printed\n%s\nwant it indented as every --json document:\n%s", strings.Join(args, " "), out, want.String())
		}
	}
	watchOut, _ := h.start("ctl", "watch", "--json")
	testkit.Wait(t, time.Minute, "watch to print the track", func() bool { return strings.Contains(watchOut.String(), `"event":"track"`) })
	for _, line := range strings.Split(strings.TrimSpace(watchOut.String()), "\n") {
		if !strings.HasPrefix(line, `{"event":`) || !json.Valid([]byte(line)) {
			t.Errorf("ctl watch --json line %q is not one event object", line)
		}
	}
}
