package origin

import (
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"segue/internal/testkit"
)

// A recipient plays a 13-minute track on a share page (15.6 MB at 160
// kbit/s, over the 12 MB of audio Chromium keeps in one SourceBuffer):
// the page appends the rest as what played is let go, so a skip to the end
// plays it out; a skip to 12:55 plays from there, and a skip back to 0:05
// (audio the buffer let go) fetches the track again from there.
func TestSharePagePlaysATrackLongerThanItsBuffer(t *testing.T) {
	needFFmpeg(t)
	lib, data := t.TempDir(), t.TempDir()
	cmd := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=f=440:d=780:sample_rate=44100",
		"-ac", "2", "-metadata", "title=Long", filepath.Join(lib, "long.flac"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make long.flac: %v\n%s", err, out)
	}
	ingest(t, lib, data)
	var id string
	if err := openTestCatalog(t, data).QueryRow(`SELECT id FROM tracks`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	r := startServer(t, ServerOptions{DataDir: data}, "127.0.0.1:0")
	ctx := testkit.Chromium(t, 3*time.Minute)
	openShared(t, ctx, r.base, "", "Long", []string{id}, 1200)
	wait := func(what, cond string) {
		t.Helper()
		js := `(() => { const p = document.querySelector("audio"), row = document.querySelector("tbody"), why = row.querySelector(".why");
			const on = row.classList.contains("playing"), at = Number(row.querySelector("input").value);
			if (!why.hidden || p.error) throw new Error("the row says: " + why.textContent + (p.error ? " (media error " + p.error.message + ")" : ""));
			return ` + cond + `; })()`
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(60*time.Second))); err != nil {
			text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
			t.Fatalf("%s: %v\n%s", what, err, text)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("playall"))); err != nil {
		t.Fatalf("press play all: %v", err)
	}
	wait("the track plays", "on && at > 0.3 && !p.paused")
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS("tbody .ctl input")), chromedp.KeyEvent(kb.End)); err != nil {
		t.Fatalf("press End on the track's slider: %v", err)
	}
	wait("skipped to its end, the track ends", "p.ended && !on")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("tbody .ctl button"))); err != nil {
		t.Fatalf("press the track's play button: %v", err)
	}
	wait("the track plays again", "on && at > 0.3 && !p.paused")
	// skip: what dragging the slider does, and letting go
	skip := func(to string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector("tbody input"); s.value = ` + to + `;
			s.dispatchEvent(new Event("input")); s.dispatchEvent(new Event("change")); })()`)
	}
	if err := chromedp.Do(ctx, skip("775")); err != nil {
		t.Fatal(err)
	}
	wait("skipped to 12:55, the track plays from there", "on && at > 775.3 && !p.paused")
	if err := chromedp.Do(ctx, skip("5")); err != nil {
		t.Fatal(err)
	}
	wait("skipped back to 0:05, the track plays from there", "on && at > 5.3 && at < 30 && !p.paused && p.readyState >= 3")
}
