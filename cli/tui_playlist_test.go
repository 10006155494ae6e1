package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"segue/config"
	"segue/offline"
	"segue/ui"
)

// paneBuffer is the terminal runTUI draws on; mu guards b.
type paneBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (p *paneBuffer) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.b.Write(b)
}

func (p *paneBuffer) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.b.String()
}

// tuiDriver types into runTUI and waits for what it draws.
type tuiDriver struct {
	t   *testing.T
	in  *io.PipeWriter
	out *paneBuffer
	at  int // output before this offset has been looked at
	// done is closed when runTUIIn's interface returned, runErr then its error
	done   chan struct{}
	runErr error
}

// press sends each key in its own write (a run of runes read at once would
// arrive as one paste-like message).
func (d *tuiDriver) press(keys ...string) {
	d.t.Helper()
	for _, k := range keys {
		if _, err := io.WriteString(d.in, k); err != nil {
			d.t.Fatal(err)
		}
	}
}

// paste sends s as a bracketed paste.
func (d *tuiDriver) paste(s string) { d.press("\x1b[200~" + s + "\x1b[201~") }

// wait waits until re matches what was drawn since the last wait and
// returns the match.
func (d *tuiDriver) wait(re string) []string {
	d.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(20 * time.Second)
	for {
		out := d.out.String()
		if loc := rx.FindStringSubmatchIndex(out[d.at:]); loc != nil {
			m := rx.FindStringSubmatch(out[d.at:])
			d.at += loc[1]
			return m
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("waiting for %s; drawn since the last wait:\n%s", re, out[d.at:])
		}
		<-time.After(5 * time.Millisecond)
	}
}

// TestTUIPlaylists is issue 7 in the interface against a real origin, with
// the interface wired as bare `segue` wires it (real cache, origin client,
// fetch chain and player on the null output): make a playlist, add a track
// with s from search, share it with S (OSC 52 carries the URL), paste the
// URL after o and it plays; a malformed URL and an unreachable origin are
// one-line errors; O pins the playlist for offline (recorded in the offline
// list) and O again unpins it.
func TestTUIPlaylists(t *testing.T) {
	url := tuiOrigin(t)
	a, d := runTUIIn(t, url, 120)
	out := d.out

	d.newMix()
	d.addAuroraToMix()
	d.wait("added “Aurora Test” to “Mix”")

	d.press("\t", "\t", "\t", "\t")
	d.wait(`Mix +1 track `)
	d.press("S")
	shareURL := d.wait(`shared “Mix”: (http://\S+/p/[A-Za-z0-9_-]+) \(copied\)`)[1]
	if !strings.HasPrefix(shareURL, url+"/p/") {
		t.Fatalf("share URL %q is not on the origin %s", shareURL, url)
	}
	if !strings.Contains(out.String(), ui.OSC52(shareURL)) {
		t.Fatalf("the output holds no OSC 52 sequence carrying %s", shareURL)
	}

	d.press("o")
	d.wait("Open share URL or ID:")
	d.paste(shareURL)
	d.press("\r")
	d.wait("playing 1 track from Mix")
	d.wait(`▶ Aurora Test · Tmux Band`)

	d.press("o")
	d.wait("Open share URL or ID:")
	d.paste("htp:/bad")
	d.press("\r")
	d.wait(`not a segue share URL: "htp:/bad": scheme htp is not http or https`)

	d.press("o")
	d.wait("Open share URL or ID:")
	d.paste("http://127.0.0.1:1/p/" + strings.Repeat("A", 43))
	d.press("\r")
	d.wait(`open shared playlist: its origin 127.0.0.1:1 is unreachable`)

	// a well-formed link the origin never made
	d.press("o")
	d.wait("Open share URL or ID:")
	d.paste(url + "/p/" + strings.Repeat("B", 43))
	d.press("\r")
	d.wait(`open shared playlist: the link is unknown or was revoked`)

	d.press("O")
	d.wait(`Mix +1 track  +0:12 +shared · ⇣ 0%`) // drawn as the download starts
	d.wait(`Mix +1 track  +0:12 +shared · ● offline`)
	d.wait(`playlist “Mix” is available offline`)
	l, err := offline.Load(a.cfg.StateDir)
	if err != nil || len(l.Collections) != 1 || l.Collections[0].Name != "Mix" || len(l.Collections[0].Hashes) == 0 {
		t.Fatalf("offline list after O: %+v, %v", l, err)
	}
	d.press("O")
	d.wait(`no longer pinned for offline`)
	if l, _ := offline.Load(a.cfg.StateDir); len(l.Collections) != 0 {
		t.Fatalf("offline list after the second O: %+v", l.Collections)
	}

	d.press("q")
	select {
	case <-d.done:
		if d.runErr != nil {
			t.Fatal(d.runErr)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("q did not end the interface")
	}
	if _, err := os.Stat(filepath.Join(a.cfg.StateDir, "queue.json")); err != nil {
		t.Fatalf("queue not saved: %v", err)
	}
}

// newMix makes the playlist Mix on the Playlists screen of an interface
// just started, which stays there.
func (d *tuiDriver) newMix() {
	d.t.Helper()
	d.wait("type to search")
	d.press("\t", "\t", "\t", "\t")
	d.wait("none yet — N makes one")
	d.press("N")
	d.wait("New playlist name:")
	d.paste("Mix")
	d.press("\r")
	d.wait("created playlist “Mix”")
}

// addAuroraToMix goes from the Playlists screen to search and adds the
// track Aurora Test to Mix with s; the caller waits for what it said.
func (d *tuiDriver) addAuroraToMix() {
	d.t.Helper()
	d.press("\t", "/")
	d.paste("aurora")
	d.wait(`1 track · 0 albums · 0 artists`)
	d.press("\r", "s")
	d.wait("› Mix")
	d.press("\r")
}

// runTUIIn runs the interface in this process, wired as bare segue wires
// it (real cache, origin client at url, fetch chain and player on the null
// output), on a terminal width columns by 30 rows, until the test ends.
func runTUIIn(t *testing.T, url string, width int) (*app, *tuiDriver) {
	t.Helper()
	lipgloss.SetColorProfile(termenv.Ascii)
	dir := t.TempDir()
	a := &app{cfg: config.Default(), stdout: io.Discard, stderr: io.Discard}
	a.cfg.Origin = url
	a.cfg.Cache.Path = filepath.Join(dir, "cache.db")
	a.cfg.StateDir = filepath.Join(dir, "state")
	a.cfg.LogFile = filepath.Join(dir, "segue.log")
	pr, pw := io.Pipe()
	out := &paneBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	d := &tuiDriver{t: t, in: pw, out: out, done: make(chan struct{})}
	go func() {
		d.runErr = a.runTUI(ctx, tuiOptions{Output: "null", Term: ui.RunOptions{Input: pr, Output: out, Width: width, Height: 30}})
		close(d.done)
	}()
	t.Cleanup(func() { cancel(); pw.Close(); <-d.done })
	return a, d
}
