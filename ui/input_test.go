package ui

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"segue/catalog"
	"segue/internal/testkit"
	"segue/player"
	"segue/ui/action"
	"segue/ui/notice"
	"segue/ui/nowplaying"
)

func click(m *Model, x, y int) {
	_, cmd := m.Update(tea.MouseMsg{X: x, Y: y, Action: tea.MouseActionPress, Button: tea.MouseButtonLeft})
	drive(m, cmd)
}

// TestMouse: clicking a tab switches screens, a double click on a result
// plays it, the wheel scrolls, a click on the progress bar seeks there.
func TestMouse(t *testing.T) {
	cat := fixture()
	pl := newFakePlayer()
	pl.ch = nil
	m := New(context.Background(), Options{Catalog: cat, Player: pl})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	drive(m, m.Init())

	click(m, 10, 0) // " Library " starts at column 8
	if m.active != libraryScreen {
		t.Fatalf("click on the Library tab: active screen %d", m.active)
	}
	click(m, 2, 0)
	if m.active != searchScreen {
		t.Fatalf("click on the Search tab: active screen %d", m.active)
	}
	typeText(m, "/aur")
	// body starts on line 1; the results list starts 2 lines into the body,
	// its row 0 is the "Tracks" heading, row 2 the second track
	click(m, 5, 1+2+2)
	click(m, 5, 1+2+2)
	if got := pl.kinds(); len(got) < 2 || got[len(got)-1] != action.PlayNow {
		t.Fatalf("double click did not play: requests %v", got)
	}
	if !m.status.HasTrack || m.status.Track.Title != "Polar Night" {
		t.Fatalf("double click played %q, want Polar Night", m.status.Track.Title)
	}

	m.status.Duration = 100 * time.Second
	m.bar.SetStatus(m.status)
	m.View() // lays out the progress bar
	pl2 := &recorder{}
	m.player = pl2
	// the progress line is the last; it spans columns 5..74 ("0:00 " .. " 1:40")
	click(m, 5+35, 23)
	seek := pl2.last
	if seek.Kind != action.SeekTo || seek.To < 49*time.Second || seek.To > 51*time.Second {
		t.Fatalf("click in the middle of the progress bar sent %+v, want a seek to ~50s", seek)
	}

	_, cmd := m.Update(tea.MouseMsg{X: 5, Y: 8, Action: tea.MouseActionPress, Button: tea.MouseButtonWheelDown})
	drive(m, cmd) // must not panic with a short list
}

// recorder is a Player that remembers the last request.
type recorder struct{ last action.Action }

func (r *recorder) Do(_ context.Context, a action.Action) (player.Status, error) {
	r.last = a
	return player.Status{Index: -1}, nil
}

func (r *recorder) Events() <-chan player.Event { return nil }

// TestNoticeFades: a notice shows, turns faint at the first timer, goes at
// the second; a timer of a replaced notice does nothing.
func TestNoticeFades(t *testing.T) {
	m := newDriven(t, fixture(), 80, 24)
	m.Update(notice.Msg{Text: "first"})
	first := m.line.id
	m.Update(notice.Msg{Text: "second"})
	m.Update(fade{id: first, step: 1})
	if m.line.faint || m.line.text != "second" {
		t.Fatalf("a stale timer changed the notice: %+v", m.line)
	}
	_, cmd := m.Update(fade{id: m.line.id, step: 1})
	if !m.line.faint || cmd == nil {
		t.Fatalf("first timer: faint=%v next timer armed=%v", m.line.faint, cmd != nil)
	}
	if _, cmd := m.Update(fade{id: m.line.id, step: 2}); cmd != nil || m.line.text != "" {
		t.Fatalf("second timer left %q (and armed another: %v)", m.line.text, cmd != nil)
	}
	if !strings.Contains(m.View(), "tab next screen") {
		t.Fatal("the status line does not fall back to the key hints")
	}
}

// TestLongNoticeWraps: a notice wider than the window wraps over up to
// MaxNoticeRows rows drawn over the body's last rows, never more than half
// the body, and the frame keeps its size; it was cut to one row, so the
// end of a long error (what to do) could not be read.
func TestLongNoticeWraps(t *testing.T) {
	words := strings.Fields(strings.Repeat("the origin at 127.0.0.1:9 is unreachable ", 3) + "check --origin")
	text := strings.Join(words, " ")
	for _, c := range []struct {
		w, h, rows int
		whole      bool // the whole text is on screen
	}{
		{80, 24, 2, true},  // 138 cells: two rows
		{40, 24, 3, false}, // four rows' worth: three, the last cut
		{80, 8, 2, true},   // a body of 4 rows gives it 2 at most
		{200, 24, 1, true},
	} {
		m := newDriven(t, fixture(), c.w, c.h)
		m.Update(notice.Msg{Text: text, Err: true})
		frame := strings.Split(m.View(), "\n")
		if len(frame) != c.h {
			t.Fatalf("%dx%d: the frame has %d rows", c.w, c.h, len(frame))
		}
		at := len(frame) - nowplaying.BarHeightIn(c.h) - c.rows // the notice's first row
		var got []string
		for _, row := range frame[at : at+c.rows] {
			got = append(got, strings.TrimSpace(ansi.Strip(row)))
		}
		shown := strings.Join(got, " ")
		if c.whole && shown != text {
			t.Errorf("%dx%d: the notice's %d rows show\n%q\nwant\n%q", c.w, c.h, c.rows, shown, text)
		}
		if !c.whole && (!strings.HasPrefix(shown, "the origin at") || !strings.HasSuffix(shown, "…")) {
			t.Errorf("%dx%d: the notice's %d rows show %q, want its start and an ellipsis at the end", c.w, c.h, c.rows, shown)
		}
		if above := strings.TrimSpace(ansi.Strip(frame[at-1])); strings.Contains(text, above) && above != "" {
			t.Errorf("%dx%d: the notice takes more than %d rows (the row above is %q)", c.w, c.h, c.rows, above)
		}
		if !strings.Contains(ansi.Strip(frame[0]), "Search") {
			t.Errorf("%dx%d: the tab line went: %q", c.w, c.h, frame[0])
		}
	}
}

// panicky's artist list panics inside a Cmd.
type panicky struct{ *fakeCatalog }

func (panicky) Artists(context.Context) ([]catalog.Artist, error) { panic("boom") }

// TestRunRestoresTerminalOnPanic: a panic in a Cmd ends Run with an error
// and the terminal modes are reset all the same.
func TestRunRestoresTerminalOnPanic(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	out := &testkit.Buffer{}
	pl := newFakePlayer()
	err := Run(context.Background(), Options{Catalog: panicky{fixture()}, Player: pl}, RunOptions{Input: pr, Output: out})
	if !errors.Is(err, tea.ErrProgramPanic) {
		t.Fatalf("Run returned %v, want a panic error", err)
	}
	if got := out.Take(); !strings.HasPrefix(got, enterModes) || !strings.HasSuffix(got, leaveModes) {
		t.Fatalf("terminal modes not restored; output ends %q", got[max(len(got)-60, 0):])
	}
}

// TestShareURLNoticeKeepsTheURLWhole: a notice with a share URL that holds
// a hyphen, one row too long for 80 columns, breaks at the space before the
// URL; it broke at the hyphen, and a listener who selected the URL on
// screen got a piece of it.
func TestShareURLNoticeKeepsTheURLWhole(t *testing.T) {
	url := "http://127.0.0.1:7895/p/CkjVEC-PvLAWu4sG6y3xhgIKNYWa5_rUEcAJEpcizBI"
	m := newDriven(t, fixture(), 80, 24)
	m.Update(notice.Msg{Text: "shared “Mix”: " + url + " (copied)"})
	v := m.View()
	if !strings.Contains(v, "\n"+url+" (copied)") {
		t.Fatalf("the share URL is not whole on its own row:\n%s", v)
	}
}
