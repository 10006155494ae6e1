package cli

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"segue/offline"
)

// TestOfflineAddSeveralJSON: offline add of several REFs with --json
// prints one JSON document, an array of the pins in the order given (one
// REF: the pin itself, as before). It printed one object per REF one
// after the other, which no JSON reader took. A REF that fails after
// others were pinned fails the same with and without --json (stdout then
// holds only the {"error": ...} object), saying which were pinned and
// kept.
func TestOfflineAddSeveralJSON(t *testing.T) {
	o := newTestOrigin(t)
	env := clientEnv(t, "http://"+o.addr)
	tracks := tones(t, "http://"+o.addr)
	first, second := tracks[0], tracks[1]

	var pins []offline.Collection
	out := segueOK(t, append(slices.Clone(env), "offline", "add", first.ID, second.ID, "--quality", "low", "--json")...)
	if err := json.Unmarshal([]byte(out), &pins); err != nil || len(pins) != 2 || pins[0].Ref != first.ID || pins[1].Ref != second.ID {
		t.Fatalf("offline add of two tracks --json: %v, stdout %q; want an array of the two pins in order", err, out)
	}
	var one offline.Collection
	out = segueOK(t, append(slices.Clone(env), "offline", "add", first.ID, "--quality", "low", "--json")...)
	if err := json.Unmarshal([]byte(out), &one); err != nil || one.Ref != first.ID {
		t.Fatalf("offline add of one track --json: %v, stdout %q; want the pin as an object", err, out)
	}

	const unknown = "t0000000000000000"
	args := append(slices.Clone(env), "offline", "add", second.ID, unknown, "--quality", "low")
	for _, run := range [][]string{args, append(slices.Clone(args), "--json")} {
		stdout, errOut, code := segue(t, run...)
		if code != ExitNotFound {
			t.Errorf("segue %s: exit %d, want %d", strings.Join(run[len(env):], " "), code, ExitNotFound)
		}
		msg := errOut[strings.LastIndex(errOut, "segue: "):]
		for _, want := range []string{"track " + unknown + " not found", "pinned before it, and kept: " + second.ID} {
			if !strings.Contains(msg, want) {
				t.Errorf("segue %s said %q; want %q", strings.Join(run[len(env):], " "), msg, want)
			}
		}
		if slices.Contains(run, "--json") {
			var e map[string]string
			if err := json.Unmarshal([]byte(stdout), &e); err != nil || !strings.Contains(e["error"], "pinned before it") {
				t.Errorf("offline add --json with an unknown REF: stdout %q (%v); want one {\"error\": ...} object", stdout, err)
			}
		}
	}
}
