package search

import (
	"context"
	"errors"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"segue/catalog"
	"segue/ui/keys"
	"segue/ui/styles"
)

type searchFunc func(context.Context, string, int) (catalog.SearchResult, error)

func (f searchFunc) Search(ctx context.Context, q string, n int) (catalog.SearchResult, error) {
	return f(ctx, q, n)
}

func typeRunes(v *View, s string) tea.Cmd {
	var last tea.Cmd
	for _, r := range s {
		last = v.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return last
}

// TestStaleAnswersDropped: the answer to an older query never replaces the
// results of the newer one, whatever order they arrive in.
func TestStaleAnswersDropped(t *testing.T) {
	src := searchFunc(func(_ context.Context, q string, _ int) (catalog.SearchResult, error) {
		return catalog.SearchResult{Query: q, Tracks: []catalog.Track{{ID: q, Title: q}}}, nil
	})
	v := New(context.Background(), src, styles.New(nil), keys.Default())
	v.SetSize(80, 20)
	v.Focus()
	typeRunes(v, "ab")
	old := v.query(1, "a")() // the answer to "a", late
	typeRunes(v, "c")
	newer := v.query(v.seq, "abc")()
	v.Update(newer)
	v.Update(old)
	if got := v.res.Query; got != "abc" {
		t.Fatalf("results are for %q, want %q", got, "abc")
	}
	// a debounce timer of an older keystroke sends nothing
	if cmd := v.Update(debounced{seq: 1, query: "a"}); cmd != nil {
		t.Fatal("stale debounce started a search")
	}
	if cmd := v.Update(debounced{seq: v.seq, query: "abc"}); cmd == nil {
		t.Fatal("current debounce started no search")
	}
}

// TestEnterAsksAgainAfterAnError: with the origin back, enter in the input
// of a query whose answer was an error asks again; it only left the input,
// and the same query was never asked again unless edited or ctrl+r.
func TestEnterAsksAgainAfterAnError(t *testing.T) {
	down := true
	src := searchFunc(func(_ context.Context, q string, _ int) (catalog.SearchResult, error) {
		if down {
			return catalog.SearchResult{}, errors.New("the origin is unreachable")
		}
		return catalog.SearchResult{Query: q, Tracks: []catalog.Track{{ID: "t1", Title: "Dawn"}}}, nil
	})
	v := New(context.Background(), src, styles.New(nil), keys.Default())
	v.SetSize(80, 20)
	v.Focus()
	typeRunes(v, "dawn")
	v.Update(v.query(v.seq, "dawn")())
	if v.err == nil {
		t.Fatal("the failed search left no error")
	}
	down = false
	cmd := v.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if cmd == nil {
		t.Fatal("enter after a failed search asked nothing")
	}
	v.Update(cmd())
	if v.err != nil || len(v.res.Tracks) != 1 || v.input.Focused() {
		t.Fatalf("after enter: err %v, %d tracks, input focused %v; want the results, the input left", v.err, len(v.res.Tracks), v.input.Focused())
	}
	// with results shown, enter only leaves the input, as before
	v.Focus()
	if cmd := v.Update(tea.KeyMsg{Type: tea.KeyEnter}); cmd != nil || v.input.Focused() {
		t.Fatal("enter with results shown asked again or stayed in the input")
	}
}

// TestClearingTheQueryClearsResults without asking the catalog.
func TestClearingTheQueryClearsResults(t *testing.T) {
	asked := 0
	src := searchFunc(func(context.Context, string, int) (catalog.SearchResult, error) {
		asked++
		return catalog.SearchResult{}, nil
	})
	v := New(context.Background(), src, styles.New(nil), keys.Default())
	v.SetSize(80, 20)
	v.setResults(catalog.SearchResult{Tracks: []catalog.Track{{ID: "x"}}})
	v.Focus()
	typeRunes(v, "q")
	if cmd := v.Update(tea.KeyMsg{Type: tea.KeyBackspace}); cmd != nil {
		t.Fatal("empty query scheduled a search")
	}
	if len(v.rows) != 0 || asked != 0 {
		t.Fatalf("rows=%d asked=%d, want 0 0", len(v.rows), asked)
	}
}

// TestLongQueryKeepsItsEnd: a query longer than the line showed its start
// and cut off its end and the cursor, where the typing goes.
func TestLongQueryKeepsItsEnd(t *testing.T) {
	in := input{value: strings.Repeat("x", 300) + "ヨアソビ end", focused: true}
	got := in.view(styles.New(nil), 40)
	if !strings.HasSuffix(strings.TrimRight(got, " "), "ヨアソビ end█") || !strings.HasPrefix(got, "/ …") || lipgloss.Width(got) != 40 {
		t.Errorf("view = %q (%d cells), want the query's end and the cursor in 40 cells", got, lipgloss.Width(got))
	}
}
