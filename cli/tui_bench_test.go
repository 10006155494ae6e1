package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"segue/cache"
	"segue/net/originclient"
	"segue/player"
	"segue/ui"
	"segue/ui/action"
)

// idlePlayer plays nothing: these benchmarks measure the interface.
type idlePlayer struct{}

func (idlePlayer) Do(context.Context, action.Action) (player.Status, error) {
	return player.Status{Index: -1, Volume: 100}, nil
}
func (idlePlayer) Events() <-chan player.Event { return nil }

// BenchmarkSearchKeyToResults measures keypress-to-results: from the last
// key of a query to the frame with its results on the (virtual) terminal,
// through the real origin client and a real origin on loopback. It includes
// the search debounce (ui/search.Debounce) and the renderer's frame wait.
func BenchmarkSearchKeyToResults(b *testing.B) {
	url := tuiOrigin(b)
	c, err := cache.Open(filepath.Join(b.TempDir(), "cache.db"), cache.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	client, err := originclient.New(url, originclient.Options{Docs: c})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tm := teatest.NewTestModel(b, ui.New(ctx, ui.Options{Catalog: client, Player: idlePlayer{}}),
		teatest.WithInitialTermSize(120, 40))
	wait := func(want string) {
		teatest.WaitFor(b, tm.Output(), func(out []byte) bool { return bytes.Contains(out, []byte(want)) },
			teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(time.Millisecond))
	}
	wait("type to search")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("/")})
	queries := []struct{ q, want string }{{"auror", "Aurora Test"}, {"borea", "Borealis Test"}}
	var total time.Duration
	for i := 0; b.Loop(); i++ {
		q := queries[i%2]
		tm.Type(q.q[:len(q.q)-1])
		start := time.Now()
		tm.Type(q.q[len(q.q)-1:])
		wait(q.want)
		total += time.Since(start)
		tm.Send(tea.KeyMsg{Type: tea.KeyCtrlU})
		wait("type to search")
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/key-to-results")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
}

// BenchmarkTUIStartToFirstFrame measures a real start in a real terminal:
// from launching segue in tmux to the pane showing the first full frame
// (tab line, search screen and the now-playing bar). The
// pane is polled every 2 ms, so that much is noise.
func BenchmarkTUIStartToFirstFrame(b *testing.B) {
	url := tuiOrigin(b)
	var total time.Duration
	for b.Loop() {
		start := time.Now()
		s := startTUI(b, url, 120, 40)
		s.waitScreen("the first full frame", func(scr string) bool {
			return strings.Contains(scr, "Now Playing") && strings.Contains(scr, "vol 100%")
		})
		total += time.Since(start)
		s.keys("q")
		s.waitScreen("exit", func(string) bool { return fileSize(filepath.Join(s.dir, "exit")) > 0 })
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/first-frame")
}
