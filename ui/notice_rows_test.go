package ui

import (
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
