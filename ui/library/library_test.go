package library

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"segue/origin"
	"segue/ui/action"
	"segue/ui/cover"
	"segue/ui/keys"
	"segue/ui/styles"
)

func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

// browseCatalog ingests, with real ffmpeg, a library as people tag it
// (issue 10) and returns the origin's catalog reader, the Browser the
// screen reads through the origin client: "The Beetles" with artist-sort
// "Beetles, The" beside Abba and Cream; Beta only as a guest on Cream's
// album and on a folder compilation without album artist; Cream's album
// over two disc folders without disc tags.
func browseCatalog(t *testing.T) *origin.Reader {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Fatal("ffmpeg is needed (apt-get install ffmpeg)")
	}
	lib, data := t.TempDir(), t.TempDir()
	files := map[string]string{
		"Beetles/Help/01.mp3":        "title=Help|artist=The Beetles|artist-sort=Beetles, The|album=Help|track=1|date=1965",
		"Abba/Gold/01.mp3":           "title=Waterloo|artist=Abba|album=Gold|track=1|date=1992",
		"Cream/Wheels/CD1/01.mp3":    "title=White Room|artist=Cream|album=Wheels|track=1|date=1968",
		"Cream/Wheels/CD1/02.mp3":    "title=Sitting on Top|artist=Cream|album=Wheels|track=2|date=1968",
		"Cream/Wheels/Disc 2/01.mp3": "title=Crossroads|artist=Cream|album=Wheels|track=1|date=1968",
		"Cream/Wheels/Disc 2/02.mp3": "title=Guest Spot|artist=Beta|album_artist=Cream|album=Wheels|track=2|date=1968",
		"Mix/01.mp3":                 "title=Sun|artist=Abba|album=Summer Mix|track=1|date=2020",
		"Mix/02.mp3":                 "title=Sea|artist=Beta|album=Summer Mix|track=2|date=2020",
	}
	hz := 200
	for path, tags := range files {
		hz += 30
		out := filepath.Join(lib, path)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			t.Fatal(err)
		}
		args := []string{"-nostdin", "-v", "error", "-f", "lavfi", "-i", fmt.Sprintf("sine=frequency=%d:duration=2", hz)}
		for _, tag := range strings.Split(tags, "|") {
			args = append(args, "-metadata", tag)
		}
		if b, err := exec.Command("ffmpeg", append(args, out)...).CombinedOutput(); err != nil {
			t.Fatalf("make %s: %v\n%s", path, err, b)
		}
	}
	if _, err := origin.Ingest(context.Background(), lib, origin.IngestOptions{DataDir: data, Jobs: 2}); err != nil {
		t.Fatal(err)
	}
	db, err := origin.OpenCatalog(data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return origin.NewReader(db)
}

// run feeds cmd's messages back into v until none is left (loads only: no
// cover fetcher, no timers).
func run(v *View, cmd tea.Cmd) []tea.Msg {
	var out []tea.Msg
	for cmd != nil {
		msg := cmd()
		out = append(out, msg)
		cmd = v.Update(msg)
	}
	return out
}

func press(v *View, keys ...string) []tea.Msg {
	var out []tea.Msg
	for _, k := range keys {
		msg := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		if k == "enter" {
			msg = tea.KeyMsg{Type: tea.KeyEnter}
		}
		out = append(out, run(v, v.Update(msg))...)
	}
	return out
}

// Acceptance 2 and 3 in the interface: artists by sort name; an artist
// only on a compilation and as a guest has a page with the albums it
// appears on and its tracks there (the cursor skips the heading); a
// two-disc album numbers its tracks disc-track.
func TestArtistPageAppearsOnDiscsAndSortNames(t *testing.T) {
	ctx := context.Background()
	v := New(ctx, browseCatalog(t), styles.New(nil), keys.Default(), cover.NewStore(ctx, nil))
	v.SetSize(80, 16)
	run(v, v.Init())
	frame := func(name string) {
		t.Helper()
		t.Run(name, func(t *testing.T) { golden.RequireEqual(t, []byte(v.View())) })
	}
	frame("artists") // Abba, The Beetles, Beta, Cream, Various Artists

	press(v, "j", "j", "enter") // Beta
	frame("appears-on")
	if r, ok := v.top().selected(); !ok || r.album.Title != "Wheels" || r.track != -1 {
		t.Fatalf("cursor on Beta's page at %+v, want the Wheels row after the heading", r)
	}
	press(v, "k")                  // the heading is skipped: the cursor stays
	msgs := press(v, "j", "enter") // Guest Spot on Wheels
	var played []string
	for _, m := range msgs {
		if a, ok := m.(action.Action); ok {
			for _, tr := range a.Tracks {
				played = append(played, tr.Title)
			}
		}
	}
	if strings.Join(played, ",") != "Guest Spot" {
		t.Errorf("enter on Beta's track on Wheels played %q, want Guest Spot", played)
	}
	press(v, "k", "enter") // the Wheels row opens the whole album
	frame("two-discs")
	if a := v.top().album; a.Discs != 2 || len(a.Tracks) != 4 || a.Number(a.Tracks[3]) != "2-02" {
		t.Errorf("Wheels: %d discs, %d tracks; want 2 and 4, the last 2-02", a.Discs, len(a.Tracks))
	}
}
