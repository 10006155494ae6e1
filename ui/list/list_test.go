package list

import (
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"segue/ui/keys"
)

func TestCursorAndWindow(t *testing.T) {
	km := keys.Default()
	k := func(s string) tea.KeyMsg {
		switch s {
		case "down":
			return tea.KeyMsg{Type: tea.KeyDown}
		case "pgdown":
			return tea.KeyMsg{Type: tea.KeyPgDown}
		}
		return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
	}
	cases := []struct {
		name           string
		n, h           int
		keys           []string
		cursor, offset int
	}{
		{"empty", 0, 5, []string{"j", "G"}, -1, 0},
		{"down past the end stops", 3, 5, []string{"j", "j", "j", "j"}, 2, 0},
		{"window follows the cursor", 10, 3, []string{"j", "j", "j", "j"}, 4, 2},
		{"bottom then top", 10, 3, []string{"G", "g"}, 0, 0},
		{"bottom shows the last page", 10, 3, []string{"G"}, 9, 7},
		{"page down", 10, 4, []string{"pgdown"}, 3, 0},
		{"k at the top stays", 4, 2, []string{"k"}, 0, 0},
		{"zero height", 4, 0, []string{"j"}, 1, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var l List
			l.SetLen(c.n)
			l.SetHeight(c.h)
			for _, s := range c.keys {
				if !l.HandleKey(k(s), km) {
					t.Fatalf("key %q not handled", s)
				}
			}
			if l.Cursor() != c.cursor || l.Offset() != c.offset {
				t.Fatalf("cursor %d offset %d, want %d %d", l.Cursor(), l.Offset(), c.cursor, c.offset)
			}
		})
	}
}

func TestShrinkKeepsCursorInside(t *testing.T) {
	var l List
	l.SetLen(10)
	l.SetHeight(4)
	l.Select(9)
	l.SetLen(3)
	if l.Cursor() != 2 || l.Offset() != 0 {
		t.Fatalf("cursor %d offset %d after shrinking to 3", l.Cursor(), l.Offset())
	}
}

func TestClickAndDoubleClick(t *testing.T) {
	var l List
	l.SetLen(10)
	l.SetHeight(4)
	l.Scroll(3)
	now := time.Unix(1000, 0)
	row, double, ok := l.Click(1, now)
	if !ok || double || row != 4 || l.Cursor() != 4 {
		t.Fatalf("first click: row %d double %v ok %v cursor %d", row, double, ok, l.Cursor())
	}
	if _, double, _ := l.Click(1, now.Add(200*time.Millisecond)); !double {
		t.Fatal("second click 200ms later is not a double click")
	}
	if _, double, _ := l.Click(1, now.Add(300*time.Millisecond)); double {
		t.Fatal("a third click counted as another double click")
	}
	if _, double, _ := l.Click(1, now.Add(2*time.Second)); double {
		t.Fatal("a click 1.7s later counted as a double click")
	}
	if _, _, ok := l.Click(9, now); ok {
		t.Fatal("a click below the rows selected something")
	}
}

func TestFitAndColumns(t *testing.T) {
	if got := Fit("abcdef", 4); got != "abc…" {
		t.Fatalf("Fit cut = %q", got)
	}
	if got := Fit("ab", 4); got != "ab  " {
		t.Fatalf("Fit pad = %q", got)
	}
	got := Columns(20, []int{1, 1}, "title", "artist", "3:05")
	if len([]rune(got)) != 20 || got[len(got)-4:] != "3:05" {
		t.Fatalf("Columns = %q", got)
	}
}

// TestRow: the name is cut first and the longest form of the figures that
// leaves it MinName cells is shown whole; a wide character at the cut
// leaves the row its full width.
func TestRow(t *testing.T) {
	forms := []string{"3 tracks · 23:03", "3 · 23:03", "23:03"}
	long := "Songs for the Long Drive Home"
	for _, c := range []struct {
		w    int
		name string
		want string
	}{
		{30, "Road Trip", "Road Trip     3 tracks · 23:03"},
		{30, long, "Songs for th… 3 tracks · 23:03"},
		{20, long, "Songs for… 3 · 23:03"},
		{12, long, "Songs… 23:03"},
		{6, long, "Songs…"},
		{20, "長い夜のドライブ", "長い夜の…  3 · 23:03"},
		{0, long, ""},
	} {
		got := Row(c.w, c.name, forms...)
		if got != c.want {
			t.Errorf("Row(%d, %q) = %q, want %q", c.w, c.name, got, c.want)
		}
		if lipgloss.Width(got) != c.w {
			t.Errorf("Row(%d, %q) is %d cells wide", c.w, c.name, lipgloss.Width(got))
		}
	}
	if got := Row(10, "Road Trip"); got != "Road Trip " {
		t.Errorf("Row with no figures = %q", got)
	}
}

func TestSqueeze(t *testing.T) {
	long := strings.Repeat("long name ", 10)
	for _, c := range []struct {
		in    string
		width int
		want  string
	}{
		{"shared “Trip”: http://h/p/tok (copied)", 80, "shared “Trip”: http://h/p/tok (copied)"},
		{"shared “" + long + "”: http://h/p/tok (copied)", 60, "shared “long name long name long …”: http://h/p/tok (copied)"},
		{"Delete playlist “ヨアソビ ヨアソビ ヨアソビ”?", 30, "Delete playlist “ヨアソビ ヨ…”?"}, // a name keeps 12 cells,
		{"removed “" + long + "” from “" + long + "”", 50, "removed “long name l…” from “long name long name…”"},
		{"no quotes at all, and far too long for the line", 10, "no quotes at all, and far too long for the line"},
		{"“unclosed " + long, 10, "“unclosed " + long},
	} {
		got := Squeeze(c.in, c.width)
		if got != c.want {
			t.Errorf("Squeeze(%q, %d) = %q, want %q", c.in, c.width, got, c.want)
		}
	}
}

// TestWords: text wraps at spaces only, never at a hyphen; a word wider
// than the line is cut at its end, a wide character kept whole.
func TestWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		w    int
		want []string
	}{
		{"a b-c d", 5, []string{"a b-c", "d"}},
		{"abcdefgh ij", 3, []string{"abc", "def", "gh", "ij"}},
		{"日本語 x", 3, []string{"日", "本", "語", "x"}},
	} {
		if got := Words(c.in, c.w); !slices.Equal(got, c.want) {
			t.Errorf("list.Words(%q, %d) = %q, want %q", c.in, c.w, got, c.want)
		}
	}
}
