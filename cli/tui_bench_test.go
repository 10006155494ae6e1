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
	"segue/internal/testkit"
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
	// the origin client's share: one search call as the screen makes it
	t0 := time.Now()
	const calls = 20
	for i := range calls {
		if _, err := client.Search(ctx, queries[i%2].q, 50); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(t0).Microseconds())/1000/calls, "ms/search-call")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
}

// BenchmarkTUIStartToFirstFrame measures a real start in a real terminal
// with a warm cache: segue logs the time from its start to the first full
// frame written (tab line, screen, now-playing bar) — ms/first-frame — and
// the benchmark also reports what tmux shows from launch to that frame,
// which adds tmux's own start and the 2 ms pane polling — ms/pane-shows-frame.
func BenchmarkTUIStartToFirstFrame(b *testing.B) {
	url := tuiOrigin(b)
	dir := b.TempDir()
	start := func() (time.Duration, float64) {
		t0 := time.Now()
		s := startTUIIn(b, url, 120, 40, dir)
		s.waitScreen("the first full frame", func(scr string) bool {
			return strings.Contains(scr, "Now Playing") && strings.Contains(scr, "vol 100%")
		})
		seen := time.Since(t0)
		s.keys("q")
		s.waitScreen("exit", func(string) bool { return fileSize(filepath.Join(dir, "exit")) > 0 })
		return seen, firstFrameMS(b, dir)
	}
	start() // warm the cache and the state dir
	var seen time.Duration
	var inProc float64
	for b.Loop() {
		d, ms := start()
		seen += d
		inProc += ms
	}
	b.ReportMetric(inProc/float64(b.N), "ms/first-frame")
	b.ReportMetric(float64(seen.Microseconds())/1000/float64(b.N), "ms/pane-shows-frame")
}

// BenchmarkTUIPlaying measures the interface while it plays in a real
// terminal: resident memory after 3 s of playback (KiB-RSS) and CPU over
// those 3 s in clock ticks of 10 ms (ticks/3s), engine and wav writing
// included.
func BenchmarkTUIPlaying(b *testing.B) {
	url := tuiOrigin(b)
	var rss, ticks int
	for b.Loop() {
		s := startTUI(b, url, 120, 40)
		s.waitText("nothing playing")
		s.keys("/")
		s.keys("-l", "aurora")
		s.waitText("Aurora Test")
		s.keys("Enter", "Enter")
		s.waitText("▶ Aurora Test")
		pid := s.pid()
		t0 := testkit.ProcTicks(b, pid)
		<-time.After(3 * time.Second)
		ticks += testkit.ProcTicks(b, pid) - t0
		rss += testkit.ProcStatus(b, pid, "VmRSS:")
		s.keys("q")
		s.waitScreen("exit", func(string) bool { return fileSize(filepath.Join(s.dir, "exit")) > 0 })
	}
	b.ReportMetric(float64(rss)/float64(b.N), "KiB-RSS")
	b.ReportMetric(float64(ticks)/float64(b.N), "ticks/3s")
}
