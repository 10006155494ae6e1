package origin

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"segue/internal/testkit"
)

// Issue 7, acceptance 3: headless Chromium (Debian's chromium, installed by
// make deps) renders the share page with every track title.
func TestSharePageInChromium(t *testing.T) {
	browser := testkit.ChromiumPath(t)
	w := newWorld(t)
	ctx := context.Background()
	r := startServer(t, ServerOptions{DataDir: w.dir}, "127.0.0.1:0")
	c := clientFor(t, r.base, "")
	ids := []string{w.formation, w.hold, w.joga, w.getLucky}
	pl, err := c.CreatePlaylist(ctx, "Browser check", ids)
	if err != nil {
		t.Fatal(err)
	}
	link, err := c.SharePlaylist(ctx, pl.ID)
	if err != nil {
		t.Fatal(err)
	}
	profile := t.TempDir()
	shot := filepath.Join(t.TempDir(), "share.png")
	run := func(extra ...string) string {
		ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
		defer cancel()
		args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--user-data-dir=" + profile}, extra...)
		out, err := exec.CommandContext(ctx, browser, append(args, link.String())...).Output()
		if err != nil {
			t.Fatalf("chromium %v: %v", extra, err)
		}
		return string(out)
	}
	dom := run("--dump-dom")
	for _, title := range []string{"Formation", "Hold Up", "Jóga", "Get Lucky", "Browser check"} {
		if !strings.Contains(dom, title) {
			t.Errorf("rendered page lacks %q", title)
		}
	}
	if strings.Count(dom, "<tbody>") != len(ids) {
		t.Errorf("rendered %d tracks' rows, want %d", strings.Count(dom, "<tbody>"), len(ids))
	}
	run("--screenshot="+shot, "--window-size=900,700")
	if st, err := os.Stat(shot); err != nil || st.Size() < 5000 {
		t.Fatalf("screenshot: %v", err)
	}
	if dir := os.Getenv("SEGUE_SCREENSHOT_DIR"); dir != "" { // for a person to look at
		b, _ := os.ReadFile(shot)
		os.WriteFile(filepath.Join(dir, "share-page.png"), b, 0o644)
	}
}
