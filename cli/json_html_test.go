package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"segue/catalog"
	"segue/internal/testkit"
)

// TestJSONKeepsAmpersandsAndBrackets: --json wrote &, < and > as \u0026,
// \u003c and \u003e (Go's escaping for HTML pages), so a script that
// looked for "Rock & Roll <Live>" in segue search --json, play --json,
// ctl status --json or ctl watch --json found nothing, and an error said
// "\u003cplaylist\u003e". It is JSON for scripts, not for a page: the
// characters are written as they are.
func TestJSONKeepsAmpersandsAndBrackets(t *testing.T) {
	const title = "Rock & Roll <Live>"
	url, _ := serveTracks(t, []tuiTrack{{"01.flac", title, "sine=frequency=440:duration=3:sample_rate=44100"}})
	env := clientEnv(t, url)
	out := segueOK(t, append(env, "search", "rock", "--json")...)
	var res catalog.SearchResult
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Tracks) != 1 {
		t.Fatalf("search rock --json: %v, %q", err, out)
	}
	track := res.Tracks[0].ID
	want := `"title": "` + title + `"`
	if !strings.Contains(out, want) {
		t.Errorf("search --json: %q lacks %q", out, want)
	}
	if out := segueOK(t, append(env, "play", track, "--json", "--output", "wav:"+t.TempDir()+"/o.wav", "--fast")...); !strings.Contains(out, `"title":"`+title+`"`) {
		t.Errorf("play --json: %q lacks the title as it is", out)
	}
	if out, _, _ := segue(t, append(env, "search", "<zz&>", "--json")...); !strings.Contains(out, `<zz&>`) {
		t.Errorf("a failed search's --json error: %q lacks <zz&> as it is", out)
	}
	// the running segue's answers: ctl status and watch
	h := newCtlHost(t)
	h.start("--origin", url, "play", "--output", "null", track)
	h.waitSocket("play's control socket to answer")
	if out := h.ok("status", "--json"); !strings.Contains(out, `"title": "`+title+`"`) {
		t.Errorf("ctl status --json: %q lacks the title as it is", out)
	}
	watch := h.command("ctl", "watch", "--json")
	var wout testkit.Buffer
	watch.Stdout = &wout
	if err := watch.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { watch.Process.Kill(); watch.Wait() })
	testkit.Wait(t, 30*time.Second, "ctl watch's track event", func() bool { return strings.Contains(wout.String(), `"event":"track"`) })
	if !strings.Contains(wout.String(), `"title":"`+title+`"`) {
		t.Errorf("ctl watch --json: %q lacks the title as it is", wout.String())
	}
}
