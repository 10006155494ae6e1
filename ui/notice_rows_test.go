package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestWrappedNoticeKeepsSelectedRow: a notice that wraps takes rows from
// the list, and the list keeps its selected row in the rows left. The
// notice was drawn over the list's last rows: J on the queue's last track at
// 40x15 said why it did nothing over that very row.
func TestWrappedNoticeKeepsSelectedRow(t *testing.T) {
	m := newDriven(t, fixture(), 40, 15)
	send(m, "tab", "enter", "a", "a", "a", "a", "tab") // Northern Lights four times: 12 tracks
	if got := queueTitles(m); len(got) != 12 {
		t.Fatalf("the queue holds %q, want Northern Lights' 3 tracks four times", got)
	}
	send(m, "G", "J")
	v := m.View()
	lines := strings.Split(v, "\n")
	i := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "“Solstice” is already last in the queue:") })
	if i < 0 || !strings.HasPrefix(lines[i+1], "K moves it up") {
		t.Fatalf("J on the last row does not say why over two lines:\n%s", v)
	}
	if !strings.Contains(lines[i-1], "Solstice · Aurora Lane") {
		t.Fatalf("the notice covers the selected row, the queue's last (Solstice):\n%s", v)
	}
}

// TestWrappedNoticeUnderHelp: help that scrolls counts only the rows a
// wrapped notice leaves it: its title said "Keys 1-8 of 31" while the
// notice covered the 8th.
func TestWrappedNoticeUnderHelp(t *testing.T) {
	m := newDriven(t, fixture(), 40, 15)
	send(m, "tab") // the Library
	m.line.show("a notice that is long enough to wrap over two lines at forty", true)
	send(m, "?")
	lines := strings.Split(m.View(), "\n")
	ti := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "Keys ") })
	ni := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "a notice that is long") })
	var from, to, of int
	if ti < 0 || ni < 0 {
		t.Fatalf("no scrolling help title, or no notice:\n%s", strings.Join(lines, "\n"))
	}
	if _, err := fmt.Sscanf(strings.TrimSpace(lines[ti]), "Keys %d-%d of %d", &from, &to, &of); err != nil {
		t.Fatalf("help title %q: %v", lines[ti], err)
	}
	if shown := ni - ti - 2; to-from+1 != shown {
		t.Fatalf("the help's title counts %d-%d, but %d of its lines show above the notice:\n%s", from, to, shown, strings.Join(lines, "\n"))
	}
}

// TestLongNameInNoticeKeepsTheReason: a notice quoting a name longer than
// its rows (a playlist name pasted wrong) was wrapped a word a row, the
// name taking them all, and the reason after it was cut: "could not create
// playlist “xxx…" and nothing more. The name is shortened until the
// reason fits.
func TestLongNameInNoticeKeepsTheReason(t *testing.T) {
	m := newDriven(t, fixture(), 100, 30)
	m.line.show("could not create playlist “"+strings.Repeat("x", 600)+"”: the origin refused it: name longer than 200 bytes", true)
	v := m.View()
	if !strings.Contains(v, "name longer than 200 bytes") || !strings.Contains(v, "could not create playlist") || !strings.Contains(v, "“xxx") {
		t.Fatalf("the notice lost its reason to the name:\n%s", v)
	}
}
