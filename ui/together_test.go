package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
)

// runes is keys that arrived in one read, as Bubble Tea v1 reports them:
// one KeyRunes message holding them all.
func runes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

// TestKeysTogether: keys that arrive together each count. "jjj" moves
// three rows, "-----" lowers the volume five steps (80% -> 55%), "kk" two
// rows back, and "/pol" opens the search and types "pol" into it.
func TestKeysTogether(t *testing.T) {
	m := newDriven(t, fixture(), 80, 24)
	typeText(m, "/aur")
	send(m, "enter") // leave the input: the first track (row 1) is selected
	if s := selectedLine(m); !strings.Contains(s, "Aurora ") {
		t.Fatalf("selected after leaving the input: %q, want the first track", s)
	}
	_, cmd := m.Update(runes("jjj"))
	drive(m, cmd)
	if s := selectedLine(m); !strings.Contains(s, "Auroral Tide") {
		t.Errorf(`"jjj" selected %q, want the fourth track, Auroral Tide`, s)
	}
	_, cmd = m.Update(runes("kk"))
	drive(m, cmd)
	if s := selectedLine(m); !strings.Contains(s, "Polar Night") {
		t.Errorf(`"kk" selected %q, want the second track, Polar Night`, s)
	}
	_, cmd = m.Update(runes("-----"))
	drive(m, cmd)
	if v := m.status.Volume; v != 55 {
		t.Errorf(`"-----" left the volume at %d%%, want 55%% (five steps of 5 from 80)`, v)
	}
	_, cmd = m.Update(runes("/pol"))
	drive(m, cmd)
	if v := m.View(); !strings.Contains(v, "/ aurpol") {
		t.Errorf(`"/pol" did not type "pol" into the search:\n%s`, v)
	}

	// N opens its prompt by message: what follows N in the same read waits
	// for it and becomes the name
	send(m, "esc", "tab", "tab", "tab", "tab")
	_, cmd = m.Update(runes("NEvening"))
	drive(m, cmd)
	if v := m.View(); !strings.Contains(v, "New playlist name: Evening") {
		t.Fatalf(`"NEvening" did not type the name into the prompt:\n%s`, v)
	}
	send(m, "enter")
	if v := m.View(); !strings.Contains(v, "created playlist “Evening”") {
		t.Fatalf("the playlist was not made:\n%s", v)
	}
}

// selectedLine returns the frame's line that shows the selection mark.
func selectedLine(m *Model) string {
	for _, l := range strings.Split(m.View(), "\n") {
		if strings.Contains(l, "› ") {
			return l
		}
	}
	return ""
}

// TestKeysTogetherInProgram is the same through a running Bubble Tea
// program: the split keys' Cmds run in order there too.
func TestKeysTogetherInProgram(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pl := newFakePlayer()
	tm := teatest.NewTestModel(t, New(ctx, Options{Catalog: fixture(), Player: pl, NoticeFor: time.Hour}),
		teatest.WithInitialTermSize(80, 24))
	waitFor(t, tm, "vol 80%")
	tm.Send(runes("-----"))
	waitFor(t, tm, "vol 55%")
	tm.Send(runes("+++"))
	waitFor(t, tm, "vol 70%")
	tm.Send(keyMsg("q"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// TestKeysTogetherAfterAConfirm: keys that arrive with the answer to a
// yes/no question count after it: "nS" on "Delete playlist …?" keeps the
// playlist, then shares it. The whole "nS" went to the question, and the
// S was lost.
func TestKeysTogetherAfterAConfirm(t *testing.T) {
	m := newDriven(t, fixture(), 100, 30)
	send(m, "shift+tab", "D")
	if m.prompt == nil {
		t.Fatal("D asked nothing")
	}
	_, cmd := m.Update(runes("nS"))
	drive(m, cmd)
	if v := m.View(); m.prompt != nil || len(m.store.(*fakeStore).snapshot()) != 2 || !strings.Contains(v, "shared “Road Trip”:") {
		t.Fatalf("after \"nS\" on the delete question: prompt open %v, %d playlists, want 2 and the share shown:\n%s", m.prompt != nil, len(m.store.(*fakeStore).snapshot()), v)
	}
}
