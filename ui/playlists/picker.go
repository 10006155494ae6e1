package playlists

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"segue/catalog"
	"segue/net/originclient"
	"segue/ui/keys"
	"segue/ui/list"
	"segue/ui/notice"
	"segue/ui/prompt"
	"segue/ui/styles"
)

// pickerLoaded answers the picker's listing.
type pickerLoaded struct {
	pls []catalog.Playlist
	err error
}

// Gone says the playlist the picker was adding to was deleted elsewhere
// meanwhile (another client, segue playlist delete): the source answered
// not found, and its list, read again, lists it no more. Nothing was added.
// The root says so and opens the picker again for Pick, on Playlists (the
// list as it is now); the playlists screen drops it.
type Gone struct {
	ID, Name  string
	Pick      Pick
	Playlists []catalog.Playlist
	// Err is the source's not found, which names it in Sentence
	// (notice.Source: the origin, or the Subsonic server).
	Err error
}

// Sentence is what the status line says of g.
func (g Gone) Sentence() string {
	p := Picker{tracks: g.Pick.Tracks, from: g.Pick.From}
	verb := " were not added"
	if len(g.Pick.Tracks) == 1 {
		verb = " was not added"
	}
	return "playlist “" + g.Name + "” is gone from " + notice.Source(g.Err) + " (deleted elsewhere): " + p.quotedWhat() + verb + "; pick another"
}

// Picker chooses the playlist tracks go to: its first row makes a new one.
// The root shows it over the active screen and gives it every key.
type Picker struct {
	ctx    context.Context
	store  Store
	st     *styles.Styles
	km     keys.Map
	tracks []catalog.Track
	from   string // what tracks came from, or ""

	pls     []catalog.Playlist
	l       list.List
	loading bool
	early   []tea.KeyMsg // keys that came while loading, replayed once loaded
	left    []tea.KeyMsg // keys that came while loading after the one that finished it
	asks    bool         // it chose "+ New playlist…", whose prompt is on its way
	err     error
	w, h    int
}

// Reopen is the picker for g's tracks again, on the playlists g read.
func Reopen(ctx context.Context, store Store, st *styles.Styles, km keys.Map, g Gone) *Picker {
	p, _ := NewPicker(ctx, store, st, km, g.Pick) // its load is not needed: g read the list
	p.Update(pickerLoaded{pls: g.Playlists})
	return p
}

// NewPicker opens a picker for tracks; the Cmd loads the playlists.
func NewPicker(ctx context.Context, store Store, st *styles.Styles, km keys.Map, pick Pick) (*Picker, tea.Cmd) {
	p := &Picker{ctx: ctx, store: store, st: st, km: km, tracks: pick.Tracks, from: pick.From, loading: true}
	p.l.SetLen(1)
	return p, func() tea.Msg {
		pls, err := store.Playlists(ctx)
		if err != nil {
			err = fmt.Errorf("list playlists: %w", err)
		}
		return pickerLoaded{pls: pls, err: err}
	}
}

// SetSize sets the area the picker draws in.
func (p *Picker) SetSize(w, h int) {
	p.w, p.h = w, h
	p.l.SetHeight(h - header)
}

// ShortHelp lists the picker's keys.
func (p *Picker) ShortHelp() []key.Binding {
	add := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "add here"))
	cancel := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	return []key.Binding{add, p.km.Up, p.km.Down, cancel}
}

// what names the tracks being added.
func (p *Picker) what() string {
	if len(p.tracks) == 1 {
		return "“" + p.tracks[0].Title + "”"
	}
	return notice.Tracks(len(p.tracks), p.from)
}

// quotedWhat is what with the album quoted, for an error's step: the
// status line cuts it at a colon outside quotes ("Live: At Home").
func (p *Picker) quotedWhat() string {
	if len(p.tracks) == 1 || p.from == "" {
		return p.what()
	}
	return notice.Tracks(len(p.tracks), "“"+p.from+"”")
}

// Update handles msg; done says the picker is finished (chosen or
// cancelled) and should close. Keys that come while the playlists load
// wait for them (esc still cancels at once): enter typed right after s
// took the only row there was then, "+ New playlist…", where typed a
// moment later it took the playlist selected once loaded. Keys left over
// after one that finishes the picker are the root's to handle (Left).
func (p *Picker) Update(msg tea.Msg) (cmd tea.Cmd, done bool) {
	switch msg := msg.(type) {
	case pickerLoaded:
		p.loading, p.err = false, msg.err
		p.pls = msg.pls
		p.l.SetLen(len(p.pls) + 1)
		if len(p.pls) > 0 {
			p.l.Select(1) // the most likely choice: an existing playlist
		}
		early := p.early
		p.early = nil
		for i, k := range early {
			if cmd, done := p.key(k); done {
				p.left = early[i+1:]
				return cmd, true
			}
		}
	case tea.KeyMsg:
		if p.loading && !p.cancels(msg) {
			p.early = append(p.early, msg)
			return nil, false
		}
		return p.key(msg)
	}
	return nil, false
}

// cancels reports whether k closes the picker without a choice.
func (p *Picker) cancels(k tea.KeyMsg) bool {
	return key.Matches(k, p.km.Blur) || key.Matches(k, p.km.Back) || key.Matches(k, p.km.Quit)
}

func (p *Picker) key(msg tea.KeyMsg) (cmd tea.Cmd, done bool) {
	switch {
	case p.cancels(msg):
		return nil, true
	case key.Matches(msg, p.km.Play), key.Matches(msg, p.km.Open):
		return p.choose(p.l.Cursor()), true
	default:
		p.l.HandleKey(msg, p.km)
	}
	return nil, false
}

func (p *Picker) choose(c int) tea.Cmd {
	ctx, s, what := p.ctx, p.store, p.what()
	ids := make([]string, len(p.tracks))
	for i, t := range p.tracks {
		ids[i] = t.ID
	}
	if c <= 0 {
		p.asks = true
		return prompt.Send(prompt.Ask{Label: "New playlist with " + what + ":", Then: func(name string) tea.Cmd {
			return edit(func() (catalog.Playlist, error) { return s.CreatePlaylist(ctx, name, ids) },
				"created playlist “"+name+"” with "+what, "create playlist “"+name+"”")
		}})
	}
	pl, pick := p.pls[c-1], Pick{Tracks: p.tracks, From: p.from}
	add := edit(func() (catalog.Playlist, error) { return s.AddToPlaylist(ctx, pl.ID, ids, -1) },
		"added "+what+" to “"+pl.Name+"”", "add "+p.quotedWhat()+" to playlist “"+pl.Name+"”")
	return func() tea.Msg {
		msg := add().(Changed)
		if msg.Err == nil || !errors.Is(msg.Err, originclient.ErrNotFound) {
			return msg
		}
		// not found: the playlist, or one of the tracks? The list says
		// (the line said "it is not on the origin", as if of the track)
		pls, err := s.Playlists(ctx)
		if err != nil || slices.ContainsFunc(pls, func(q catalog.Playlist) bool { return q.ID == pl.ID }) {
			return msg
		}
		return Gone{ID: pl.ID, Name: pl.Name, Pick: pick, Playlists: pls, Err: msg.Err}
	}
}

// Left returns the keys that came while the playlists loaded after the
// one that finished the picker, for the root to handle after its Cmd.
func (p *Picker) Left() []tea.KeyMsg { return p.left }

// Asks reports whether the picker finished by choosing "+ New playlist…":
// the Cmd it returned then opens a prompt for the name.
func (p *Picker) Asks() bool { return p.asks }

// View draws the picker in exactly its size.
func (p *Picker) View() string {
	sub := "enter adds, esc cancels"
	switch {
	case p.err != nil:
		sub = p.st.Error.Render(notice.Say(p.err))
	case p.loading:
		sub = p.st.Muted.Render("loading playlists…")
	default:
		sub = p.st.Muted.Render(sub)
	}
	body := p.l.Render(p.w, func(i int, sel bool) string {
		s := "+ New playlist…"
		if i > 0 {
			pl := p.pls[i-1]
			s = list.Row(p.w-2, pl.Name, figures(pl)...)
		}
		if sel {
			return p.st.Selected.Render(list.Fit("› "+s, p.w))
		}
		return "  " + p.st.Row.Render(s)
	})
	return list.Block(p.st.Title.Render(list.Squeeze("Add "+p.what()+" to playlist", p.w))+"\n"+sub+"\n"+body, p.w, p.h)
}
