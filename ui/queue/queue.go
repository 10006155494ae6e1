// Package queue owns the queue screen: the tracks to play with the current
// one marked, reorder, remove, clear, shuffle and repeat. The player owns the
// queue itself; this screen shows the last State it reported and sends
// requests as action messages.
package queue

import (
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"segue/catalog"
	"segue/ui/action"
	"segue/ui/keys"
	"segue/ui/list"
	"segue/ui/notice"
	"segue/ui/nowplaying"
	"segue/ui/playlists"
	"segue/ui/styles"
)

// State is the player's queue as the screen shows it.
type State struct {
	Tracks  []catalog.Track
	Index   int    // the current track, -1 when none
	Repeat  string // off | all | one
	Shuffle bool   // shuffle is on
	// Radio holds the IDs of tracks a radio queued, marked "~".
	Radio map[string]bool
	// Gone holds the IDs of tracks removed from the origin's catalog
	// since they were queued (skipped), marked "✗" and "(gone)".
	Gone map[string]bool
}

// header is the lines above the list.
const header = 2

// View is the queue screen.
type View struct {
	st    *styles.Styles
	km    keys.Map
	state State
	l     list.List
	w, h  int
	// moved: the listener moved the cursor (or scrolled) since the screen
	// was last shown; the cursor no longer follows the playing track
	moved bool
}

// New returns the queue screen.
func New(st *styles.Styles, km keys.Map) *View {
	return &View{st: st, km: km, state: State{Index: -1, Repeat: "off"}}
}

// Title names the screen in the tab line.
func (v *View) Title() string { return "Queue" }

// Typing reports whether the screen takes printable keys (never).
func (v *View) Typing() bool { return false }

// SetSize sets the area the screen draws in.
func (v *View) SetSize(w, h int) {
	v.w, v.h = w, h
	v.l.SetHeight(h - header)
}

// SetState shows s. A fresh queue opens at what is playing. When another
// track plays and the listener left the cursor alone since the screen was
// shown, the cursor follows it from the row that played, or goes to it
// when it is out of view; a cursor the listener moved stays where it is.
func (v *View) SetState(s State) {
	if s.Repeat == "" {
		s.Repeat = "off"
	}
	wasEmpty := v.l.Len() == 0
	was := v.state.Index
	v.state = s
	v.l.SetLen(len(s.Tracks))
	switch {
	case s.Index < 0:
	case wasEmpty:
		v.l.Select(s.Index)
	case !v.moved && s.Index != was && (v.l.Cursor() == was || !v.inView(s.Index)):
		v.showPlaying()
	}
}

// Shown brings the playing row into view (the cursor on it) when it is
// out of view, and lets the cursor follow the playing track again: the
// queue kept the cursor where it was left, and ▶ could be off the screen.
func (v *View) Shown() tea.Cmd {
	v.moved = false
	if i := v.state.Index; i >= 0 && !v.inView(i) {
		v.showPlaying()
	}
	return nil
}

// inView reports whether row i is among the rows shown.
func (v *View) inView(i int) bool {
	return i >= v.l.Offset() && i < v.l.Offset()+v.l.Height()
}

// showPlaying puts the cursor on the playing row; brought from out of
// view, the row shows second, under the one before it and over what
// plays next.
func (v *View) showPlaying() {
	i := v.state.Index
	out := !v.inView(i)
	v.l.Select(i)
	if out && v.l.Height() > 2 {
		v.l.Scroll(i - 1 - v.l.Offset())
	}
}

// State returns what the screen shows.
func (v *View) State() State { return v.state }

// ShortHelp lists the keys worth showing on this screen: with the queue
// empty, only the modes (the others act on a row).
func (v *View) ShortHelp() []key.Binding {
	if len(v.state.Tracks) == 0 {
		return []key.Binding{v.km.Shuffle, v.km.Repeat}
	}
	return []key.Binding{v.play(), v.km.MoveDown, v.km.MoveUp, v.km.Remove, v.km.Clear, v.km.Shuffle, v.km.Repeat}
}

// Openless says the help's "l/enter open" is not for this screen: a row
// opens nothing, and l plays it as enter does (play says "l/enter play").
func (v *View) Openless() {}

// play is the help's binding of the keys that play a row: enter, and l
// (open elsewhere).
func (v *View) play() key.Binding {
	return key.NewBinding(key.WithKeys(append(v.km.Play.Keys(), v.km.Open.Keys()...)...), key.WithHelp("l/enter", "play"))
}

// FullHelp lists every key of this screen by group.
func (v *View) FullHelp() [][]key.Binding {
	return [][]key.Binding{append(v.ShortHelp(), v.km.ToPlaylist, v.km.Radio)}
}

// Update handles keys and mouse.
func (v *View) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return v.key(msg)
	case tea.MouseMsg:
		if v.l.HandleWheel(msg) {
			v.moved = true
			return nil
		}
		if msg.Action != tea.MouseActionPress || msg.Button != tea.MouseButtonLeft {
			return nil
		}
		row, double, ok := v.l.Click(msg.Y-header, time.Now())
		v.moved = v.moved || ok
		if ok && double {
			return send(action.Action{Kind: action.Jump, Index: row})
		}
	}
	return nil
}

func send(a action.Action) tea.Cmd { return func() tea.Msg { return a } }

func (v *View) key(msg tea.KeyMsg) tea.Cmd {
	c := v.l.Cursor()
	if c < 0 && key.Matches(msg, v.km.Play, v.km.Open, v.km.MoveDown, v.km.MoveUp, v.km.Remove, v.km.Radio, v.km.ToPlaylist, v.km.Clear) {
		return notice.Info("the queue is empty: add tracks with a (add) or A (play next) from search or the library")
	}
	switch {
	case key.Matches(msg, v.km.Play), key.Matches(msg, v.km.Open):
		if c >= 0 {
			return send(action.Action{Kind: action.Jump, Index: c})
		}
	case key.Matches(msg, v.km.MoveDown):
		if c+1 < v.l.Len() {
			v.l.Move(1)
			v.moved = true
			return send(action.Action{Kind: action.Move, Index: c, Delta: c + 1})
		}
		return notice.Refused(notice.AtEnd("“"+v.state.Tracks[c].Title+"”", "the queue", c, v.l.Len(), false))
	case key.Matches(msg, v.km.MoveUp):
		if c > 0 {
			v.l.Move(-1)
			v.moved = true
			return send(action.Action{Kind: action.Move, Index: c, Delta: c - 1})
		}
		return notice.Refused(notice.AtEnd("“"+v.state.Tracks[c].Title+"”", "the queue", c, v.l.Len(), true))
	case key.Matches(msg, v.km.Remove):
		if c >= 0 {
			return send(action.Action{Kind: action.Remove, Index: c})
		}
	case key.Matches(msg, v.km.Radio):
		if c >= 0 {
			r := action.Radio{Seed: v.state.Tracks[c].ID, From: "“" + v.state.Tracks[c].Title + "”"}
			return func() tea.Msg { return r }
		}
	case key.Matches(msg, v.km.ToPlaylist):
		if c >= 0 {
			p := playlists.Pick{Tracks: []catalog.Track{v.state.Tracks[c]}}
			return func() tea.Msg { return p }
		}
	case key.Matches(msg, v.km.Clear):
		// one key takes every track away: say so, and how many
		return tea.Batch(send(action.Action{Kind: action.Clear}), notice.Info("cleared the queue: "+catalog.Count(v.l.Len(), "track")+" taken out"))
	case key.Matches(msg, v.km.Shuffle):
		return send(action.Action{Kind: action.Shuffle})
	case key.Matches(msg, v.km.Repeat):
		return send(action.Action{Kind: action.CycleRepeat})
	default:
		v.moved = v.l.HandleKey(msg, v.km) || v.moved
	}
	return nil
}

// View draws the screen in exactly its size.
func (v *View) View() string {
	s := v.state
	var total time.Duration
	for _, t := range s.Tracks {
		total += time.Duration(t.DurationMS) * time.Millisecond
	}
	figures := catalog.Count(len(s.Tracks), "track") + " · " + nowplaying.Clock(total)
	head := v.st.Title.Render("Queue") + v.st.Muted.Render("  "+figures)
	if lipgloss.Width("Queue  "+figures) > v.w { // the tab line names the screen
		head = v.st.Muted.Render(figures)
	}
	mode := "repeat " + s.Repeat + " · shuffle off"
	if s.Shuffle {
		mode = "repeat " + s.Repeat + " · shuffle on"
	}
	sub := v.st.Muted.Render(mode)
	var rest []string // what of the empty queue's note the line has no room for
	if len(s.Tracks) == 0 {
		var first string
		first, rest = list.Spill("empty — add tracks with a (add) or A (play next) from search or the library", v.w)
		sub = v.st.Muted.Render(first)
	}
	body := v.l.Render(v.w, func(i int, sel bool) string {
		t := s.Tracks[i]
		mark := "  "
		switch {
		case i == s.Index:
			mark = "▶ "
		case s.Gone[t.ID]:
			mark = "✗ "
		case s.Radio[t.ID]:
			mark = "~ "
		}
		title := t.Title
		if s.Gone[t.ID] {
			title += " (gone)"
		}
		var row string
		if v.w >= 60 {
			row = list.Columns(v.w-4, []int{5, 3, 3}, title, t.Artist, t.Album, nowplaying.Clock(time.Duration(t.DurationMS)*time.Millisecond))
		} else {
			row = list.Columns(v.w-4, []int{1}, title+" · "+t.Artist, nowplaying.Clock(time.Duration(t.DurationMS)*time.Millisecond))
		}
		switch {
		case sel:
			return v.st.Selected.Render(list.Fit("› "+mark+row, v.w))
		case i == s.Index:
			return "  " + v.st.Playing.Render(mark+row)
		case i < s.Index, s.Gone[t.ID]:
			return "  " + v.st.Muted.Render(mark+row)
		}
		return "  " + v.st.Row.Render(mark+row)
	})
	if len(rest) > 0 {
		body = v.st.Muted.Render(strings.Join(rest, "\n"))
	}
	return list.Block(head+"\n"+sub+"\n"+body, v.w, v.h)
}
