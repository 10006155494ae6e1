package ui

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"segue/catalog"
	"segue/ui/library"
	"segue/ui/playlists"
	"segue/ui/prompt"
)

// maxHeld bounds the keys held for what is on its way. A paste
// is one key, so this is far more than a name typed key by key.
const maxHeld = 256

// awaited carries the message of a Cmd that opens a prompt or the
// playlist picker, or says why it could not.
type awaited struct {
	id  int
	msg tea.Msg
}

// awaiting is a prompt, the picker or a document on its way: s, N, r, D
// and the picker's "+ New playlist…" open theirs by a message, after a Cmd
// (a document to load, at least a trip through the loop), and enter opens
// an artist, an album or a playlist once loaded. Keys typed meanwhile went
// where nothing was open yet: "N" then "beatles" cycled the quality (b)
// and skipped tracks (n) instead of naming the playlist. They wait here,
// in order, and go to what opened once it is open.
type awaiting struct {
	id    int
	opens opener // the screen opening a document, or nil
	// leads is set for a key whose message may open a document on another
	// screen (enter on an album in search): whatever it did, the keys go
	// on as if typed after it.
	leads bool
	key   string       // the key that asked ("s")
	held  []tea.KeyMsg // typed since, in order
	over  int          // typed past maxHeld, dropped
}

// asks reports whether k opens a prompt or the picker by a message on the
// active screen: s everywhere; N, r and D on Playlists (r is repeat on
// the queue).
func (m *Model) asks(k tea.KeyMsg) bool {
	return key.Matches(k, m.km.ToPlaylist) ||
		m.active == playlistsScreen && key.Matches(k, m.km.NewPlaylist, m.km.Rename, m.km.DeletePlaylist)
}

// await hands k to screen scr. When k is the way to a prompt or the
// picker, or makes scr open a document (enter on an artist), the keys
// typed until it is open wait for it: "enter j enter" typed fast on an
// artist moved and opened in the artist list, not in the artist.
func (m *Model) await(k tea.KeyMsg, scr Screen) tea.Cmd {
	o, ok := scr.(opener)
	was := ok && busy(o)
	cmd := scr.Update(k)
	switch {
	case cmd == nil:
	case m.asks(k):
		return m.awaitCmd(k.String(), cmd)
	case ok && !was && busy(o):
		m.waits++
		m.wait = &awaiting{id: m.waits, opens: o, key: k.String()}
	case key.Matches(k, m.km.Play, m.km.Open) && (m.active == searchScreen || m.active == libraryScreen):
		cmd = m.awaitCmd(k.String(), cmd)
		m.wait.leads = true
	}
	return cmd
}

// leaveInput hands k to scr, whose input has the keys. When k leaves the
// input (enter, esc, ↓) before the results of the query typed have come,
// the keys typed after it wait for them: "/aur" enter enter typed fast
// played from the rows of the query before, or found none.
func (m *Model) leaveInput(k tea.KeyMsg, scr Screen) tea.Cmd {
	cmd := scr.Update(k)
	if o, ok := scr.(opener); ok && !scr.Typing() && busy(o) && m.wait == nil {
		m.waits++
		m.wait = &awaiting{id: m.waits, opens: o, key: k.String()}
	}
	return cmd
}

func busy(o opener) bool {
	b, _ := o.Opening()
	return b
}

// opened hands the keys held for a document to its screen once it is
// open, or drops them when it could not be opened.
func (m *Model) opened() tea.Cmd {
	w := m.wait
	b, err := w.opens.Opening()
	if b {
		return nil
	}
	m.wait = nil
	if err != nil {
		return m.dropped(w, -1)
	}
	return m.replay(w.held)
}

// dropped says that w's keys were dropped, as nothing opened: after the
// notice saying why, when one was shown since the line's notice shown,
// else on its own.
func (m *Model) dropped(w *awaiting, shown int) tea.Cmd {
	lost := w.lost()
	switch {
	case lost == "":
		return nil
	case m.line.id != shown && shown >= 0 && m.line.text != "":
		m.line.text += "; " + lost // why it did not open, then what that cost
		return nil
	}
	return m.line.show(w.key+" opened nothing: "+lost, false)
}

// awaitCmd holds the keys typed from now until cmd's message has opened
// what it opens.
func (m *Model) awaitCmd(by string, cmd tea.Cmd) tea.Cmd {
	if m.wait == nil {
		m.waits++
		m.wait = &awaiting{id: m.waits, key: by}
	}
	id := m.wait.id
	return func() tea.Msg { return awaited{id: id, msg: cmd()} }
}

// hold keeps k for the prompt or document on its way; ctrl+c quits at
// once, and esc cancels a prompt at once, as it would in the prompt (for a
// document it waits, and goes back from it once open).
func (m *Model) hold(k tea.KeyMsg) tea.Cmd {
	w := m.wait
	switch {
	case key.Matches(k, m.km.ForceQuit):
		return tea.Quit
	case w.opens == nil && !w.leads && key.Matches(k, m.km.Blur):
		m.wait = nil // what it opens is dropped when it comes (arrived)
	case len(w.held) >= maxHeld:
		w.over++
	default:
		w.held = append(w.held, k)
	}
	return nil
}

// arrived handles an awaited message: the prompt or picker opens and the
// held keys go to it, or, when it did not open, they are dropped and the
// status line says so.
func (m *Model) arrived(a awaited) tea.Cmd {
	w := m.wait
	if w == nil || w.id != a.id { // cancelled by esc: open nothing
		switch a.msg.(type) {
		case prompt.Ask, playlists.Pick, library.AlbumTracks:
			return nil
		}
		return m.route(a.msg)
	}
	shown := m.line.id
	cmd := m.route(a.msg)
	if _, hop := a.msg.(library.AlbumTracks); hop && cmd != nil && m.prompt == nil && m.picker == nil {
		return m.awaitCmd(w.key, cmd) // an album's tracks load first
	}
	m.wait = nil
	if o, ok := m.screens[m.active].(opener); ok && w.leads && busy(o) {
		w.opens, m.wait = o, w // it switched to a screen that opens it
		return cmd
	}
	if w.leads {
		return tea.Batch(cmd, m.replay(w.held))
	}
	if m.prompt == nil && m.picker == nil {
		return tea.Batch(cmd, m.dropped(w, shown))
	}
	var note tea.Cmd
	if w.over > 0 {
		note = m.line.show(fmt.Sprintf("%s typed after %s dropped: at most %d wait for what it opens", catalog.Count(w.over, "key"), w.key, maxHeld), true)
	}
	return tea.Batch(cmd, m.replay(w.held), note)
}

// lost says what the keys w held, if any, came to when nothing opened.
func (w *awaiting) lost() string {
	n := len(w.held) + w.over
	if n == 0 {
		return ""
	}
	verb := " were dropped"
	if n == 1 {
		verb = " was dropped"
	}
	return catalog.Count(n, "key") + " typed after " + w.key + verb
}

// route is Update for a message the root unwrapped; a batch goes back to
// Bubble Tea, which runs it.
func (m *Model) route(msg tea.Msg) tea.Cmd {
	if b, ok := msg.(tea.BatchMsg); ok {
		return tea.Batch(b...)
	}
	_, cmd := m.Update(msg)
	return cmd
}

// replay hands held keys on as if typed now. As with keys typed together,
// one that starts work has the rest wait for that work's message, and one
// that asks for another prompt has them wait for it.
func (m *Model) replay(held []tea.KeyMsg) tea.Cmd {
	for i, k := range held {
		cmd := m.keys(k)
		if cmd == nil {
			continue
		}
		rest := held[i+1:]
		if m.wait != nil {
			m.wait.held = append(m.wait.held, rest...)
			return cmd
		}
		return after(cmd, rest)
	}
	return nil
}

// pickerUpdate hands msg to the open picker and closes it when it is
// done; its "+ New playlist…" row asks for a name by a message, which the
// keys typed after enter wait for.
func (m *Model) pickerUpdate(msg tea.Msg) tea.Cmd {
	cmd, done := m.picker.Update(msg)
	if !done {
		return cmd
	}
	asks, left := m.picker.Asks(), m.picker.Left()
	m.picker = nil
	if asks && cmd != nil {
		cmd = m.awaitCmd("enter", cmd)
		m.wait.held = append(m.wait.held, left...)
		return cmd
	}
	return after(cmd, left)
}

// after runs cmd, then sends keys one by one, in order: they wait for
// cmd's message, as if typed after it.
func after(cmd tea.Cmd, keys []tea.KeyMsg) tea.Cmd {
	if len(keys) == 0 {
		return cmd
	}
	cmds := []tea.Cmd{cmd}
	for _, k := range keys {
		cmds = append(cmds, func() tea.Msg { return k })
	}
	return tea.Sequence(cmds...)
}
