package ui

import (
	"strings"
	"testing"
)

// queueRows returns the lines of the queue's list on screen: the cursor's
// (› ) and the playing one's (▶ ), by their place among the lines, -1
// when not shown. The bar's "▶ …" starts its line; a row's mark does not.
func queueRows(m *Model) (cursor, playing int) {
	cursor, playing = -1, -1
	for i, l := range strings.Split(m.View(), "\n") {
		if strings.HasPrefix(l, "› ") {
			cursor = i
		}
		if strings.HasPrefix(l, "  ▶ ") || strings.HasPrefix(l, "› ▶ ") {
			playing = i
		}
	}
	return cursor, playing
}

// TestQueueShowsThePlayingRow: the queue screen keeps the playing row (▶)
// in view. While it is shown and the cursor was left alone, the cursor
// follows the playing track; once the listener moved it, it stays where
// they put it. Coming back to the queue brings the playing row into view
// again. The cursor stayed where it was, and ▶ went off the screen.
func TestQueueShowsThePlayingRow(t *testing.T) {
	m := newDriven(t, fixture(), 40, 15)               // 7 rows of the queue show
	send(m, "tab", "enter", "a", "a", "a", "a", "tab") // Northern Lights four times: 12 tracks
	if got := queueTitles(m); len(got) != 12 {
		t.Fatalf("the queue holds %q, want Northern Lights' 3 tracks four times", got)
	}
	send(m, "n", "n", "n", "n", "n", "n", "n", "n", "n") // the 10th track
	if c, p := queueRows(m); p < 0 || c != p {
		t.Fatalf("after n on the queue the cursor is on line %d, ▶ on %d; want the cursor on ▶, in view:\n%s", c, p, m.View())
	}
	send(m, "k", "n") // the listener moves the cursor; the 11th track plays
	if c, p := queueRows(m); p < 0 || c < 0 || p-c != 2 {
		t.Fatalf("after k and n the cursor is on line %d, ▶ on %d; want the cursor left where k put it, two rows above ▶:\n%s", c, p, m.View())
	}
	send(m, "g", "shift+tab", "tab") // to the top, away and back
	if c, p := queueRows(m); p < 0 || c != p {
		t.Fatalf("back on the queue the cursor is on line %d, ▶ on %d; want ▶ in view, the cursor on it:\n%s", c, p, m.View())
	}
}
