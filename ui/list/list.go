// Package list owns the cursor and scrolling of a vertical list shared by the
// views: keys and mouse move a cursor over n rows shown in a window of h
// lines. It renders rows through a callback and must not know what a row is.
package list

import (
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"segue/ui/keys"
)

// DoubleClick is the longest gap between two clicks on one row that counts
// as a double click.
const DoubleClick = 400 * time.Millisecond

// List is a cursor over Len rows, showing Height of them from Offset.
type List struct {
	n, cursor, offset, height int

	lastClick    time.Time
	lastClickRow int
}

// SetLen sets the number of rows, keeping the cursor inside them.
func (l *List) SetLen(n int) {
	l.n = n
	l.clamp()
}

// Len returns the number of rows.
func (l *List) Len() int { return l.n }

// SetHeight sets how many rows are visible.
func (l *List) SetHeight(h int) {
	l.height = max(h, 0)
	l.clamp()
}

// Height returns how many rows are visible.
func (l *List) Height() int { return l.height }

// Cursor returns the selected row, or -1 when the list is empty.
func (l *List) Cursor() int {
	if l.n == 0 {
		return -1
	}
	return l.cursor
}

// Offset returns the first visible row.
func (l *List) Offset() int { return l.offset }

// Select moves the cursor to i.
func (l *List) Select(i int) {
	l.cursor = i
	l.clamp()
}

// Move moves the cursor by d rows.
func (l *List) Move(d int) { l.Select(l.cursor + d) }

// Scroll moves the window by d rows, dragging the cursor along when it would
// leave the window (wheel behaviour).
func (l *List) Scroll(d int) {
	l.offset += d
	l.offset = min(l.offset, max(l.n-l.height, 0))
	l.offset = max(l.offset, 0)
	if l.cursor < l.offset {
		l.cursor = l.offset
	}
	if l.height > 0 && l.cursor >= l.offset+l.height {
		l.cursor = l.offset + l.height - 1
	}
	l.clamp()
}

func (l *List) clamp() {
	l.cursor = min(l.cursor, l.n-1)
	l.cursor = max(l.cursor, 0)
	if l.height <= 0 {
		l.offset = 0
		return
	}
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+l.height {
		l.offset = l.cursor - l.height + 1
	}
	l.offset = min(l.offset, max(l.n-l.height, 0))
	l.offset = max(l.offset, 0)
}

// HandleKey applies the navigation keys of km and reports whether msg was one.
func (l *List) HandleKey(msg tea.KeyMsg, km keys.Map) bool {
	switch {
	case key.Matches(msg, km.Up):
		l.Move(-1)
	case key.Matches(msg, km.Down):
		l.Move(1)
	case key.Matches(msg, km.Top):
		l.Select(0)
	case key.Matches(msg, km.Bottom):
		l.Select(l.n - 1)
	case key.Matches(msg, km.PageUp):
		l.Move(-max(l.height-1, 1))
	case key.Matches(msg, km.PageDown):
		l.Move(max(l.height-1, 1))
	default:
		return false
	}
	return true
}

// Click selects the row shown on visible line y (0 is the first visible
// row) and reports the row and whether this click completes a double click.
// ok is false when the line shows no row.
func (l *List) Click(y int, now time.Time) (row int, double, ok bool) {
	row = l.offset + y
	if y < 0 || y >= l.height || row >= l.n {
		return 0, false, false
	}
	double = row == l.lastClickRow && !l.lastClick.IsZero() && now.Sub(l.lastClick) <= DoubleClick
	l.cursor = row
	if double {
		l.lastClick = time.Time{}
	} else {
		l.lastClick, l.lastClickRow = now, row
	}
	return row, double, true
}

// HandleWheel scrolls on wheel events and reports whether msg was one.
func (l *List) HandleWheel(msg tea.MouseMsg) bool {
	if msg.Action != tea.MouseActionPress {
		return false
	}
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		l.Scroll(-3)
	case tea.MouseButtonWheelDown:
		l.Scroll(3)
	default:
		return false
	}
	return true
}

// Render draws the visible rows, each cut or padded to width, always exactly
// Height lines.
func (l *List) Render(width int, row func(i int, selected bool) string) string {
	lines := make([]string, 0, l.height)
	for i := l.offset; i < l.offset+l.height; i++ {
		if i >= l.n {
			lines = append(lines, "")
			continue
		}
		lines = append(lines, Fit(row(i, i == l.cursor), width))
	}
	return strings.Join(lines, "\n")
}

// Fit cuts s to width cells with an ellipsis, or pads it with spaces.
func Fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if w := lipgloss.Width(s); w > width {
		// a wide character that would straddle the edge is dropped
		// whole: pad what is left to the width
		s = ansi.Truncate(s, width, "…")
		return s + strings.Repeat(" ", width-lipgloss.Width(s))
	} else if w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return s
}

// minQuoted is the fewest cells Squeeze leaves a quoted name.
const minQuoted = 12

// Squeeze shortens the names quoted in a one-line message of plain text
// (“like this”), the longest first and none below minQuoted cells, until the
// message fits in width cells: a long playlist or track name must not push
// what the message says about it (a share URL, a prompt's answer, "y to
// confirm") off the line. A message that fits comes back as it was.
func Squeeze(s string, width int) string {
	for over := lipgloss.Width(s) - width; over > 0; over = lipgloss.Width(s) - width {
		start, end, longest := -1, -1, minQuoted
		for i := 0; i < len(s); {
			open := strings.Index(s[i:], "“")
			if open < 0 {
				break
			}
			open += i + len("“")
			shut := strings.Index(s[open:], "”")
			if shut < 0 {
				break
			}
			shut += open
			if w := lipgloss.Width(s[open:shut]); w > longest {
				start, end, longest = open, shut, w
			}
			i = shut + len("”")
		}
		if start < 0 {
			return s
		}
		s = s[:start] + ansi.Truncate(s[start:end], max(minQuoted, longest-over), "…") + s[end:]
	}
	return s
}

// MinName is the fewest cells Row leaves a name while it shows figures
// beside it: "Symphon…" still says which row it is.
const MinName = 8

// Row lays out one row of w cells: name on the left, cut with "…" when it
// does not fit, and on the right the first of figures (its forms, longest
// first: "3 tracks · 23:03", "3 · 23:03") that leaves the name MinName
// cells. The figures of a row (counts, lengths, years) are what tell rows
// with the same long name apart, so the name is cut first. Below that the
// shortest form stays whole while the name keeps two cells ("S…"); in a
// row narrower still, the name alone is cut to w. No figures: the name.
func Row(w int, name string, figures ...string) string {
	if w <= 0 {
		return ""
	}
	if len(figures) == 0 || lipgloss.Width(name)+1+lipgloss.Width(figures[0]) <= w {
		if len(figures) == 0 {
			return Fit(name, w)
		}
		return Fit(name, w-lipgloss.Width(figures[0])-1) + " " + figures[0]
	}
	fig := figures[len(figures)-1]
	for _, f := range figures {
		if w-lipgloss.Width(f)-1 >= MinName {
			fig = f
			break
		}
	}
	room := w - lipgloss.Width(fig) - 1
	if room < 2 {
		return Fit(name, w)
	}
	return Fit(name, room) + " " + fig
}

// Block cuts or pads a multi-line block to exactly w x h cells.
func Block(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i, l := range lines {
		lines[i] = Fit(l, w)
	}
	return strings.Join(lines, "\n")
}

// Columns lays cells out in a row of width w: each cell but the last gets
// its share of the room left after the last one, which is right-aligned
// and takes at most half the row (the first cell, a title, matters more).
func Columns(w int, shares []int, cells ...string) string {
	if len(cells) == 0 {
		return ""
	}
	last := cells[len(cells)-1]
	if lipgloss.Width(last) > w/2 {
		last = ansi.Truncate(last, w/2, "…")
	}
	room := w - lipgloss.Width(last) - 1
	total := 0
	for _, s := range shares {
		total += s
	}
	var b strings.Builder
	used := 0
	for i, c := range cells[:len(cells)-1] {
		cw := room * shares[i] / max(total, 1)
		if i == len(cells)-2 {
			cw = room - used
		}
		if cw <= 0 {
			continue
		}
		used += cw
		b.WriteString(Fit(c, cw-1) + " ")
	}
	b.WriteString(" " + last)
	return Fit(b.String(), w)
}

// Words wraps the plain text s to lines of at most w cells, breaking only
// at spaces: ansi.Wrap breaks at hyphens too, and split a share URL that
// fit whole on a line of its own, so a listener who selected it got half.
// A word wider than w is cut where the line ends.
func Words(s string, w int) []string {
	w = max(w, 1)
	var lines []string
	line := ""
	for i, word := range strings.Split(s, " ") {
		switch {
		case i == 0:
			line = word
		case ansi.StringWidth(line)+1+ansi.StringWidth(word) <= w:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
		for ansi.StringWidth(line) > w {
			head := ansi.Truncate(line, w, "")
			if head == "" { // a character wider than the line
				head = string([]rune(line)[:1])
			}
			lines = append(lines, head)
			line = line[len(head):]
		}
	}
	return append(lines, line)
}

// Spill fits the one-line note s of an empty list into w cells without
// cutting it: the first line of s wrapped to w, and the rest of its lines
// to show where the rows would be. A note that fits is all first line.
func Spill(s string, w int) (first string, rest []string) {
	lines := Words(s, w)
	return lines[0], lines[1:]
}

// Fields joins the parts of a summary line ("1987 · 3 tracks · 23:03 · ●
// offline") for w cells: while it is too wide, the parts named by drop
// (indexes into parts, first dropped first) go, so the ones that matter
// most are cut last. Empty parts are left out.
func Fields(w int, parts []string, drop ...int) string {
	parts = slices.Clone(parts)
	join := func() string {
		var kept []string
		for _, p := range parts {
			if p != "" {
				kept = append(kept, p)
			}
		}
		return strings.Join(kept, " · ")
	}
	s := join()
	for _, i := range drop {
		if lipgloss.Width(s) <= w {
			break
		}
		parts[i] = ""
		s = join()
	}
	return s
}
