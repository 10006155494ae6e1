// Package search owns the search screen: a query typed into an input,
// debounced, sent to the catalog in a Cmd; answers to older queries are
// dropped; results are grouped tracks, albums, artists. It sends requests as
// messages (action.Action to play, library.Open* to browse, pin.Toggle to
// pin an album) and calls nothing but its Searcher.
package search

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"segue/catalog"
	"segue/ui/action"
	"segue/ui/keys"
	"segue/ui/library"
	"segue/ui/list"
	"segue/ui/notice"
	"segue/ui/nowplaying"
	"segue/ui/pin"
	"segue/ui/playlists"
	"segue/ui/styles"
)

// Searcher answers a search query; the origin client satisfies it (from
// cached documents when offline).
type Searcher interface {
	Search(ctx context.Context, q string, limit int) (catalog.SearchResult, error)
}

// Debounce is how long typing must pause before a query is sent.
const Debounce = 50 * time.Millisecond

// Limit is how many hits of each kind a query asks for.
const Limit = 50

// header is the lines above the result list: the input and a summary.
const header = 2

type debounced struct {
	seq   int
	query string
}

// results is a search answer; seq says which query it answers.
type results struct {
	seq int
	res catalog.SearchResult
	err error
}

type rowKind int

const (
	heading rowKind = iota
	trackRow
	albumRow
	artistRow
)

type row struct {
	kind  rowKind
	label string
	i     int // index in its group
}

// View is the search screen.
type View struct {
	ctx   context.Context
	src   Searcher
	st    *styles.Styles
	km    keys.Map
	input input
	seq   int // of the latest query typed

	res  catalog.SearchResult
	rows []row
	l    list.List
	err  error
	busy bool
	w, h int
	pins *pin.State // what is pinned, marked on album rows; nil: nothing
}

// New returns the search screen asking src; `/` focuses the input.
func New(ctx context.Context, src Searcher, st *styles.Styles, km keys.Map) *View {
	return &View{ctx: ctx, src: src, st: st, km: km}
}

// SetPins gives the screen the pinned state it marks album rows from.
func (v *View) SetPins(p *pin.State) { v.pins = p }

// Title names the screen in the tab line.
func (v *View) Title() string { return "Search" }

// Typing reports whether printable keys go to the input.
func (v *View) Typing() bool { return v.input.Focused() }

// Focus puts the cursor in the input.
func (v *View) Focus() { v.input.Focus() }

// SetSize sets the area the screen draws in.
func (v *View) SetSize(w, h int) {
	v.w, v.h = w, h
	v.l.SetHeight(h - header)
}

// ShortHelp lists the keys worth showing on this screen.
func (v *View) ShortHelp() []key.Binding {
	switch {
	case v.Typing() && v.err != nil:
		// after a failed search enter asks again (see key)
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "try again")), v.km.Blur}
	case v.Typing() && len(v.rows) == 0: // nothing found (yet): no results to go to
		return []key.Binding{v.km.Blur}
	case v.Typing():
		// enter in the input goes to the results (it said "enter play")
		return []key.Binding{key.NewBinding(key.WithKeys("enter", "down"), key.WithHelp("enter/↓", "to the results")), v.km.Blur}
	case len(v.rows) == 0: // the row keys would do nothing
		return []key.Binding{v.km.Search}
	}
	// enter opens an album or artist row: "enter play" was half true (l
	// does the same; the full help says so, the line has no room)
	choose := key.NewBinding(key.WithKeys(v.km.Play.Keys()...), key.WithHelp("enter", "play or open"))
	return []key.Binding{choose, v.km.Add, v.km.PlayNext, v.km.Search}
}

// FullHelp lists every key of this screen by group.
func (v *View) FullHelp() [][]key.Binding {
	return [][]key.Binding{{v.km.Search, v.km.Blur, v.choose(), v.km.Add, v.km.PlayNext, v.km.ToPlaylist, v.km.Offline, v.km.Radio}}
}

// Openless says the help's "l/enter open" is not for this screen: l and
// enter do one thing, which choose says (the help listed "enter play"
// beside "l/enter open", each half true).
func (v *View) Openless() {}

// choose is the help's binding of the keys that act on a row: enter and l
// play a track and open an album or artist.
func (v *View) choose() key.Binding {
	return key.NewBinding(key.WithKeys(append(v.km.Play.Keys(), v.km.Open.Keys()...)...), key.WithHelp("l/enter", "play or open"))
}

// Update handles keys, mouse and the screen's own messages.
func (v *View) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case debounced:
		if msg.seq != v.seq {
			return nil
		}
		return v.query(msg.seq, msg.query)
	case results:
		if msg.seq != v.seq {
			return nil // an answer to a query the user has typed past
		}
		v.busy = false
		v.err = msg.err
		if msg.err != nil {
			// never the rows of an older query under this one's error
			v.setResults(catalog.SearchResult{})
			return notice.Log(msg.err)
		}
		v.setResults(msg.res)
		return nil
	case tea.KeyMsg:
		return v.key(msg)
	case tea.MouseMsg:
		return v.mouse(msg)
	}
	return nil
}

func (v *View) key(msg tea.KeyMsg) tea.Cmd {
	if v.input.Focused() {
		switch {
		case key.Matches(msg, v.km.Play) && v.err != nil:
			// the last answer was an error (the origin down): enter asks
			// again, as ctrl+r does; it only left the input, so the query
			// typed before the origin came back was never asked again
			v.input.Blur()
			return v.Reload()
		case key.Matches(msg, v.km.Blur), key.Matches(msg, v.km.Play), msg.Type == tea.KeyDown:
			v.input.Blur()
			v.skipHeading(1)
			return nil
		}
		before := v.input.Value()
		if v.input.update(msg) && v.input.Value() != before {
			return v.changed()
		}
		return nil
	}
	switch {
	case key.Matches(msg, v.km.Search):
		v.input.Focus()
		return nil
	case len(v.rows) == 0 && key.Matches(msg, v.km.Play, v.km.Open, v.km.Add, v.km.PlayNext, v.km.Radio, v.km.ToPlaylist, v.km.Offline):
		return notice.Info(v.noRows())
	case key.Matches(msg, v.km.Play), key.Matches(msg, v.km.Open):
		return v.activate(action.PlayNow)
	case key.Matches(msg, v.km.Add):
		return v.activate(action.Add)
	case key.Matches(msg, v.km.PlayNext):
		return v.activate(action.PlayNext)
	case key.Matches(msg, v.km.Radio):
		row, ok := v.selected()
		if !ok {
			return nil
		}
		var r action.Radio
		switch row.kind {
		case trackRow:
			r = action.Radio{Seed: v.res.Tracks[row.i].ID, From: "“" + v.res.Tracks[row.i].Title + "”"}
		case albumRow:
			r = action.Radio{Seed: v.res.Albums[row.i].ID, From: "“" + v.res.Albums[row.i].Title + "”"}
		case artistRow: // the origin's radio takes artist seeds too
			r = action.Radio{Seed: v.res.Artists[row.i].ID, From: "“" + v.res.Artists[row.i].Name + "”"}
		default:
			return nil
		}
		return func() tea.Msg { return r }
	case key.Matches(msg, v.km.Offline):
		return v.toggleOffline()
	case key.Matches(msg, v.km.ToPlaylist):
		c := v.l.Cursor()
		if c < 0 {
			return nil
		}
		switch r := v.rows[c]; r.kind {
		case trackRow:
			p := playlists.Pick{Tracks: []catalog.Track{v.res.Tracks[r.i]}}
			return func() tea.Msg { return p }
		case albumRow:
			al := v.res.Albums[r.i]
			at := library.AlbumTracks{ID: al.ID, Title: al.Title, Pick: true}
			return func() tea.Msg { return at }
		case artistRow:
			return library.ArtistRowNote(v.res.Artists[r.i].Name)
		}
	case key.Matches(msg, v.km.Up):
		if v.l.Cursor() <= 1 {
			v.input.Focus()
			return nil
		}
		v.l.Move(-1)
		v.skipHeading(-1)
	case v.l.HandleKey(msg, v.km):
		v.skipHeading(1)
	}
	return nil
}

// Reload asks the catalog again for the query shown (ctrl+r).
func (v *View) Reload() tea.Cmd {
	q := v.input.Value()
	if q == "" {
		return nil
	}
	v.seq++
	v.busy = true
	return v.query(v.seq, q)
}

// changed starts the debounce for the input's new value.
func (v *View) changed() tea.Cmd {
	v.seq++
	q, seq := v.input.Value(), v.seq
	if q == "" {
		v.busy, v.err = false, nil
		v.setResults(catalog.SearchResult{})
		return nil
	}
	v.busy = true
	return tea.Tick(Debounce, func(time.Time) tea.Msg { return debounced{seq: seq, query: q} })
}

// query runs the search in a Cmd that copies what it needs.
func (v *View) query(seq int, q string) tea.Cmd {
	ctx, src := v.ctx, v.src
	return func() tea.Msg {
		res, err := src.Search(ctx, q, Limit)
		if err != nil {
			// quoted cut short: a paste gone wrong quoted whole filled
			// the screen and pushed off the reason
			err = fmt.Errorf("search %q: %w", clip(q), err)
		}
		return results{seq: seq, res: res, err: err}
	}
}

func (v *View) setResults(res catalog.SearchResult) {
	v.res = res
	v.rows = v.rows[:0]
	if len(res.Tracks) > 0 {
		v.rows = append(v.rows, row{kind: heading, label: fmt.Sprintf("Tracks (%d)", len(res.Tracks))})
		for i := range res.Tracks {
			v.rows = append(v.rows, row{kind: trackRow, i: i})
		}
	}
	if len(res.Albums) > 0 {
		v.rows = append(v.rows, row{kind: heading, label: fmt.Sprintf("Albums (%d)", len(res.Albums))})
		for i := range res.Albums {
			v.rows = append(v.rows, row{kind: albumRow, i: i})
		}
	}
	if len(res.Artists) > 0 {
		v.rows = append(v.rows, row{kind: heading, label: fmt.Sprintf("Artists (%d)", len(res.Artists))})
		for i := range res.Artists {
			v.rows = append(v.rows, row{kind: artistRow, i: i})
		}
	}
	v.l.SetLen(len(v.rows))
	v.l.Select(1)
}

// skipHeading moves the cursor off a heading row in direction d.
func (v *View) skipHeading(d int) {
	c := v.l.Cursor()
	if c >= 0 && v.rows[c].kind == heading {
		v.l.Move(d)
		if v.rows[v.l.Cursor()].kind == heading {
			v.l.Move(-d)
		}
	}
}

// selected returns the row under the cursor; false when there is none.
func (v *View) selected() (row, bool) {
	c := v.l.Cursor()
	if c < 0 {
		return row{}, false
	}
	return v.rows[c], true
}

// toggleOffline pins (or unpins) the album of the selected row: an
// album's, or a track's album, as O on a track of an album in the Library
// pins that album. It did nothing here.
func (v *View) toggleOffline() tea.Cmd {
	r, ok := v.selected()
	if !ok {
		return nil
	}
	var t pin.Toggle
	switch r.kind {
	case albumRow:
		al := v.res.Albums[r.i]
		t = pin.Toggle{Ref: al.ID, Name: "album “" + al.Title + "”"}
	case trackRow:
		tr := v.res.Tracks[r.i]
		if tr.AlbumID == "" {
			return nil
		}
		t = pin.Toggle{Ref: tr.AlbumID, Name: "album “" + tr.Album + "”"}
	case artistRow:
		return library.ArtistRowNote(v.res.Artists[r.i].Name)
	default:
		return nil
	}
	return func() tea.Msg { return t }
}

// activate acts on the selected row: tracks go to the player with kind k;
// play (enter) opens albums and artists in the library, add and play next
// on an album act on its tracks.
func (v *View) activate(k action.Kind) tea.Cmd {
	c := v.l.Cursor()
	if c < 0 {
		return nil
	}
	r := v.rows[c]
	switch r.kind {
	case trackRow:
		a := action.Tracks(k, v.res.Tracks[r.i])
		return func() tea.Msg { return a }
	case albumRow:
		al := v.res.Albums[r.i]
		if k != action.PlayNow {
			at := library.AlbumTracks{ID: al.ID, Title: al.Title, Kind: k}
			return func() tea.Msg { return at }
		}
		return func() tea.Msg { return library.OpenAlbum{ID: al.ID, Title: al.Title} }
	case artistRow:
		if k != action.PlayNow {
			return library.ArtistRowNote(v.res.Artists[r.i].Name)
		}
		ar := v.res.Artists[r.i]
		return func() tea.Msg { return library.OpenArtist{ID: ar.ID, Name: ar.Name} }
	}
	return nil
}

func (v *View) mouse(msg tea.MouseMsg) tea.Cmd {
	if v.l.HandleWheel(msg) {
		return nil
	}
	if msg.Action != tea.MouseActionPress || msg.Button != tea.MouseButtonLeft {
		return nil
	}
	if msg.Y < header {
		v.input.Focus()
		return nil
	}
	_, double, ok := v.l.Click(msg.Y-header, time.Now())
	if !ok {
		return nil
	}
	v.input.Blur()
	if double {
		return v.activate(action.PlayNow)
	}
	return nil
}

// View draws the screen in exactly its size.
func (v *View) View() string {
	text, style := v.summary()
	summary := style.Render(text)
	var rest []string // with no rows, what of the line there is no room for
	if len(v.rows) == 0 {
		var first string
		first, rest = list.Spill(text, v.w)
		summary = style.Render(first)
	}
	body := v.l.Render(v.w, func(i int, sel bool) string {
		r := v.rows[i]
		var s string
		switch r.kind {
		case heading:
			return v.st.Heading.Render(r.label)
		case trackRow:
			t := v.res.Tracks[r.i]
			if v.w >= 60 {
				s = list.Columns(v.w-2, []int{4, 3, 3}, t.Title, t.Artist, t.Album, nowplaying.Clock(time.Duration(t.DurationMS)*time.Millisecond))
			} else {
				s = list.Columns(v.w-2, []int{1}, t.Title+" · "+t.Artist, nowplaying.Clock(time.Duration(t.DurationMS)*time.Millisecond))
			}
		case albumRow:
			a := v.res.Albums[r.i]
			figures := yearOf(a.Year)
			if mark := v.pins.Mark(a.ID); mark != "" {
				figures = strings.TrimSuffix(mark+" · "+figures, " · ")
			}
			s = list.Columns(v.w-2, []int{1}, a.Title+" · "+a.Artist, figures)
		case artistRow:
			s = v.res.Artists[r.i].Name
		}
		if sel && !v.input.Focused() {
			return v.st.Selected.Render(list.Fit("› "+s, v.w))
		}
		return "  " + v.st.Row.Render(s)
	})
	if len(rest) > 0 {
		body = style.Render(strings.Join(rest, "\n"))
	}
	return list.Block(v.input.view(v.st, v.w)+"\n"+summary+"\n"+body, v.w, v.h)
}

// summary is the line under the input and its style.
func (v *View) summary() (string, lipgloss.Style) {
	switch {
	case v.err != nil && notice.Unreachable(v.err):
		// names the source that is down: a Subsonic listener was told
		// "search needs the origin"
		return "offline: search needs " + notice.Source(v.err) + "; the Library shows what is pinned", v.st.Error
	case v.err != nil:
		return notice.SayLoad(v.err), v.st.Error
	case v.busy:
		return "searching…", v.st.Muted
	case v.input.Value() == "" && !v.input.Focused():
		// typing does nothing until / focuses the input
		return "press / and type to search", v.st.Muted
	case v.input.Value() == "":
		return "type to search", v.st.Muted
	case len(v.rows) == 0 && len(catalog.SearchWords(v.input.Value())) == 0:
		// "*" or a quote alone: segue's origin searches no punctuation,
		// and "no matches" read as a library without such tracks
		return "no word to search for: punctuation is not searched, type letters or digits", v.st.Muted
	case len(v.rows) == 0:
		return "no matches", v.st.Muted
	}
	return catalog.Count(len(v.res.Tracks), "track") + " · " +
		catalog.Count(len(v.res.Albums), "album") + " · " + catalog.Count(len(v.res.Artists), "artist"), v.st.Muted
}

func yearOf(y int) string {
	if y == 0 {
		return ""
	}
	return fmt.Sprint(y)
}

// noRows says why a key that acts on a result row did nothing: there is
// none, and what brings some. They did nothing, silently.
func (v *View) noRows() string {
	switch q := v.input.Value(); {
	case v.err != nil:
		return "no results: the search failed (ctrl+r asks again)"
	case v.busy:
		return "searching for “" + q + "”…"
	case q == "":
		return "no results yet: press / and type to search"
	case len(catalog.SearchWords(q)) == 0:
		return "no word to search for in “" + q + "”: punctuation is not searched; press / and type letters or digits"
	default:
		return "no matches for “" + q + "”: press / to change the search"
	}
}

// clipAt is how many characters of a query an error quotes.
const clipAt = 40

// clip is q cut to clipAt characters, with "…" when it is cut.
func clip(q string) string {
	if r := []rune(q); len(r) > clipAt {
		return string(r[:clipAt]) + "…"
	}
	return q
}

// Opening reports whether results are on their way for the query typed,
// and what went wrong getting the last ones.
func (v *View) Opening() (busy bool, err error) { return v.busy, v.err }
