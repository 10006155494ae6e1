package queue

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"segue/catalog"
	"segue/ui/action"
	"segue/ui/keys"
	"segue/ui/styles"
)

// TestKeysBecomeRequests: each queue key sends the request the player
// needs, with indexes taken from the cursor.
func TestKeysBecomeRequests(t *testing.T) {
	v := New(styles.New(nil), keys.Default())
	v.SetSize(80, 20)
	v.SetState(State{Tracks: []catalog.Track{{ID: "a"}, {ID: "b"}, {ID: "c"}}, Index: 1})
	if v.l.Cursor() != 1 {
		t.Fatalf("a fresh queue opens at %d, want the playing track 1", v.l.Cursor())
	}
	press := func(s string) action.Action {
		t.Helper()
		msg := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
		if s == "enter" {
			msg = tea.KeyMsg{Type: tea.KeyEnter}
		}
		cmd := v.Update(msg)
		if cmd == nil {
			t.Fatalf("key %q sent nothing", s)
		}
		got := cmd()
		if b, ok := got.(tea.BatchMsg); ok { // C also says what it did
			got = b[0]()
		}
		return got.(action.Action)
	}
	if a := press("J"); a.Kind != action.Move || a.Index != 1 || a.Delta != 2 || v.l.Cursor() != 2 {
		t.Fatalf("J: %+v cursor %d", a, v.l.Cursor())
	}
	if a := press("K"); a.Kind != action.Move || a.Index != 2 || a.Delta != 1 {
		t.Fatalf("K: %+v", a)
	}
	if a := press("d"); a.Kind != action.Remove || a.Index != 1 {
		t.Fatalf("d: %+v", a)
	}
	if a := press("enter"); a.Kind != action.Jump || a.Index != 1 {
		t.Fatalf("enter: %+v", a)
	}
	for s, k := range map[string]action.Kind{"C": action.Clear, "z": action.Shuffle, "r": action.CycleRepeat} {
		if a := press(s); a.Kind != k {
			t.Fatalf("%s: %+v, want kind %v", s, a, k)
		}
	}
	v.l.Select(2)
	if cmd := v.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("J")}); cmd == nil {
		t.Fatal("J on the last track said nothing")
	} else if a, ok := cmd().(action.Action); ok {
		t.Fatalf("J on the last track sent %+v, want only a notice", a)
	}
}

// TestGoneRowIsMarked: a track the player found removed from the origin's
// catalog (player.Status.Gone) shows "✗" and "(gone)" in its row, the
// others as they were; before, nothing told it from a track to come.
func TestGoneRowIsMarked(t *testing.T) {
	v := New(styles.New(nil), keys.Default())
	v.SetSize(80, 20)
	v.SetState(State{Tracks: []catalog.Track{{ID: "a", Title: "Here"}, {ID: "b", Title: "Removed"}, {ID: "c", Title: "Later"}},
		Index: 0, Gone: map[string]bool{"b": true}})
	rows := map[string]string{}
	for _, l := range strings.Split(v.View(), "\n") {
		for _, title := range []string{"Here", "Removed", "Later"} {
			if strings.Contains(l, title) {
				rows[title] = l
			}
		}
	}
	if r := rows["Removed"]; !strings.Contains(r, "✗ ") || !strings.Contains(r, "Removed (gone)") {
		t.Errorf("the removed track's row %q; want ✗ and (gone)", r)
	}
	for _, title := range []string{"Here", "Later"} {
		if strings.Contains(rows[title], "gone") || strings.Contains(rows[title], "✗") {
			t.Errorf("%s's row %q is marked gone", title, rows[title])
		}
	}
}
