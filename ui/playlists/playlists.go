// Package playlists owns the playlists screen (my playlists; one opened
// with its tracks) and the picker that adds tracks to a playlist. Every
// change goes to the origin through a Store in a Cmd; the screen shows what
// the origin answered. It sends playback requests as action messages,
// prompts as prompt.Ask, offline toggles as pin.Toggle and a made share
// link as Shared; it never writes to the terminal itself.
package playlists

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"segue/catalog"
	"segue/net/originclient"
	"segue/share"
	"segue/ui/action"
	"segue/ui/keys"
	"segue/ui/list"
	"segue/ui/notice"
	"segue/ui/pin"
	"segue/ui/prompt"
	"segue/ui/styles"
)

// Lister reads the token's playlists.
type Lister interface {
	Playlists(ctx context.Context) ([]catalog.Playlist, error)
	Playlist(ctx context.Context, id string) (catalog.Playlist, error)
}

// Editor makes, renames and deletes playlists.
type Editor interface {
	CreatePlaylist(ctx context.Context, name string, trackIDs []string) (catalog.Playlist, error)
	RenamePlaylist(ctx context.Context, id, name string) (catalog.Playlist, error)
	DeletePlaylist(ctx context.Context, id string) error
}

// TrackEditor changes a playlist's tracks.
type TrackEditor interface {
	AddToPlaylist(ctx context.Context, id string, trackIDs []string, pos int) (catalog.Playlist, error)
	// RemoveFromPlaylist and MoveInPlaylist take the ID of the track the
	// caller shows at the position: another there (the playlist was edited
	// elsewhere) is catalog.ErrPlaylistChanged, and nothing changes.
	RemoveFromPlaylist(ctx context.Context, id string, pos int, expect string) (catalog.Playlist, error)
	MoveInPlaylist(ctx context.Context, id string, from, to int, expect string) (catalog.Playlist, error)
}

// Sharer makes a playlist's share link.
type Sharer interface {
	SharePlaylist(ctx context.Context, id string) (share.Link, error)
}

// Store is the origin as the screen uses it (the origin client).
type Store interface {
	Lister
	Editor
	TrackEditor
	Sharer
}

// Pick asks the root to open the picker for Tracks; From names what they
// came from (an album), if anything.
type Pick struct {
	Tracks []catalog.Track
	From   string
}

// Open asks the screen to show Playlist (its ID and name) with its tracks;
// the root brings the screen into view.
type Open struct{ Playlist catalog.Playlist }

// Shared says a playlist's share link was made; the root shows it and
// copies it to the clipboard.
type Shared struct {
	ID, Name string
	URL      string
}

// Changed carries a playlist as the origin answered a change to it; Note
// tells the user what happened.
type Changed struct {
	Playlist catalog.Playlist
	Note     string
	Err      error
}

type loaded struct {
	pls   []catalog.Playlist
	local string // originclient.LocalNote, asked when pls is empty
	err   error
	edits int // View.edits when the list was asked for
}

type opened struct {
	pl     catalog.Playlist
	err    error
	reload bool // keep the cursor
	// failed is an edit the origin answered not found, said once the
	// playlist is seen to be there still (else it is gone: said so)
	failed error
}

type deleted struct {
	id, name string
	err      error
}

// header is the lines above a list.
const header = 2

// View is the playlists screen.
type View struct {
	ctx   context.Context
	store Store
	st    *styles.Styles
	km    keys.Map
	pins  *pin.State

	pls  []catalog.Playlist
	l    list.List
	open *catalog.Playlist // the playlist shown with its tracks, nil for the list
	tl   list.List         // cursor over open's tracks

	loading string
	err     error
	// local says that the origin keeps playlists for "local" which this
	// token cannot see, and how they are handed over (originclient.
	// LocalNote); "" unless the token lists none.
	local   string
	offline bool // the origin is unreachable: the list is the pinned playlists
	w, h    int
	// edits counts the changes made here (shared, edited) that a list
	// asked for before them would not hold: such a list is asked again.
	edits int
}

// New returns the screen; Init loads the list.
func New(ctx context.Context, store Store, st *styles.Styles, km keys.Map, pins *pin.State) *View {
	return &View{ctx: ctx, store: store, st: st, km: km, pins: pins}
}

// Init loads the playlists.
func (v *View) Init() tea.Cmd {
	if v.store == nil {
		return nil
	}
	ctx, s, edits := v.ctx, v.store, v.edits
	v.loading = "playlists"
	return func() tea.Msg {
		pls, err := s.Playlists(ctx)
		if err != nil {
			return loaded{err: fmt.Errorf("list playlists: %w", err), edits: edits}
		}
		local := ""
		if lo, ok := s.(originclient.LocalCounter); ok && len(pls) == 0 {
			local = originclient.LocalNote(ctx, lo)
		}
		return loaded{pls: pls, local: local, edits: edits}
	}
}

// Name returns the name of the listed playlist whose ID is id, or "".
func (v *View) Name(id string) string {
	for _, p := range v.pls {
		if p.ID == id {
			return p.Name
		}
	}
	return ""
}

// SharedName returns the name of the listed playlist shared with token,
// or "". A link is matched by its token, not its text: the same link
// is pasted with a pin or without, with .m3u8, a trailing slash or
// brackets around it, and through another host name of the origin.
func (v *View) SharedName(token string) string {
	for _, p := range v.pls {
		if l, err := share.ParseURL(p.ShareURL); err == nil && l.Token == token {
			return p.Name
		}
	}
	return ""
}

// Title names the screen in the tab line.
func (v *View) Title() string { return "Playlists" }

// Typing reports whether the screen takes printable keys (never: prompts
// are the root's).
func (v *View) Typing() bool { return false }

// SetSize sets the area the screen draws in.
func (v *View) SetSize(w, h int) {
	v.w, v.h = w, h
	v.l.SetHeight(h - header)
	v.tl.SetHeight(h - header)
}

// ShortHelp lists the keys worth showing on this screen: with no row,
// only the keys that work without one.
func (v *View) ShortHelp() []key.Binding {
	switch {
	case v.open != nil && len(v.open.Tracks) == 0:
		return []key.Binding{v.km.Back, v.km.Rename, v.km.DeletePlaylist, v.km.SharePlaylist, v.km.Offline}
	case v.open != nil:
		return []key.Binding{v.km.Play, v.km.Remove, v.km.MoveDown, v.km.MoveUp, v.km.SharePlaylist, v.km.Offline, v.km.Back}
	case len(v.pls) == 0:
		return []key.Binding{v.km.NewPlaylist, v.km.OpenURL}
	}
	return []key.Binding{v.km.Open, v.km.NewPlaylist, v.km.Rename, v.km.DeletePlaylist, v.km.SharePlaylist, v.km.Offline}
}

// isRowKey reports whether msg is a key that acts on a row of the list
// or of an open playlist.
func (v *View) isRowKey(msg tea.KeyMsg) bool {
	return v.isCommon(msg) || key.Matches(msg, v.km.Open, v.km.Play, v.km.Add, v.km.ToPlaylist, v.km.Remove, v.km.MoveDown, v.km.MoveUp)
}

// noRow says why a row key did nothing: there is no row.
func (v *View) noRow() tea.Cmd {
	switch {
	case v.open != nil:
		return notice.Info("playlist “" + v.open.Name + "” is empty: press s on a track in search, the library or the queue to add it here")
	case v.offline:
		return notice.Info("no playlist is pinned here: O pins one while online")
	}
	return notice.Info("no playlists yet: N makes one, o opens a shared playlist URL")
}

// FullHelp lists every key of this screen by group.
func (v *View) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{v.km.Open, v.km.Add, v.km.PlayNext, v.km.NewPlaylist, v.km.Rename, v.km.DeletePlaylist, v.km.SharePlaylist, v.km.Offline, v.km.Radio},
		{v.km.Play, v.km.Add, v.km.ToPlaylist, v.km.Remove, v.km.MoveDown, v.km.MoveUp, v.km.Back},
	}
}

// Update handles keys, mouse and the screen's own messages.
func (v *View) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loaded:
		if msg.edits != v.edits {
			return v.Init() // asked for before a share or an edit it may not hold
		}
		v.loading, v.err = "", msg.err
		v.offline = msg.err != nil && notice.Unreachable(msg.err)
		if v.offline {
			v.err = nil
			return tea.Batch(notice.Log(msg.err), v.loadPinned())
		}
		if msg.err != nil {
			return notice.LoadError(msg.err)
		}
		v.pls, v.local = msg.pls, msg.local
		v.l.SetLen(len(v.pls))
	case pinnedLoaded:
		v.pls = msg.pls
		v.l.SetLen(len(v.pls))
	case Open:
		return v.openPlaylist(msg.Playlist, false)
	case opened:
		v.loading, v.err = "", msg.err
		if msg.err != nil && msg.reload && errors.Is(msg.err, originclient.ErrNotFound) {
			v.open, v.err = nil, nil // deleted elsewhere: back to the list, which lists it no more
			return tea.Batch(notice.Info("playlist “"+msg.pl.Name+"” is gone from "+notice.Source(msg.err)), v.Init())
		}
		if msg.err != nil {
			return notice.LoadError(msg.err)
		}
		c := v.tl.Cursor()
		v.show(msg.pl)
		if !msg.reload {
			c = 0
		}
		v.tl.Select(c)
		if msg.failed != nil {
			return notice.Error(msg.failed)
		}
	case Changed:
		if msg.Err != nil && errors.Is(msg.Err, catalog.ErrPlaylistChanged) && v.open != nil {
			// edited elsewhere since it was shown: nothing changed here;
			// show it as it is now, for the next key to act on
			return tea.Batch(notice.Error(msg.Err), v.openPlaylist(*v.open, true))
		}
		if msg.Err != nil && errors.Is(msg.Err, originclient.ErrNotFound) && v.open != nil {
			// the playlist deleted elsewhere ("it is not on the origin"
			// read as if the track were missing): look before saying
			reopen := v.openPlaylist(*v.open, true)
			failed := msg.Err
			return func() tea.Msg {
				o, _ := reopen().(opened)
				o.failed = failed
				return o
			}
		}
		if msg.Err != nil {
			return notice.Error(msg.Err)
		}
		v.edits++
		v.put(msg.Playlist)
		var follow tea.Cmd
		if v.pins.Pinned(msg.Playlist.ID) || v.pins.Busy(msg.Playlist.ID) {
			// its offline copy holds the tracks it was pinned with
			f := pin.Follow{Ref: msg.Playlist.ID, Name: "playlist “" + msg.Playlist.Name + "”", Note: msg.Note}
			follow = func() tea.Msg { return f }
		}
		if msg.Note != "" {
			return tea.Batch(notice.Info(msg.Note), follow)
		}
		return follow
	case Shared:
		v.edits++
		for i := range v.pls {
			if v.pls[i].ID == msg.ID {
				v.pls[i].ShareURL = msg.URL
			}
		}
		if v.open != nil && v.open.ID == msg.ID {
			v.open.ShareURL = msg.URL
		}
	case Gone: // deleted elsewhere, seen by the picker
		v.pls = slices.DeleteFunc(v.pls, func(p catalog.Playlist) bool { return p.ID == msg.ID })
		v.l.SetLen(len(v.pls))
		if v.open != nil && v.open.ID == msg.ID {
			v.open = nil
		}
	case deleted:
		if msg.err != nil {
			return notice.Error(msg.err)
		}
		v.pls = slices.DeleteFunc(v.pls, func(p catalog.Playlist) bool { return p.ID == msg.id })
		v.l.SetLen(len(v.pls))
		if v.open != nil && v.open.ID == msg.id {
			v.open = nil
		}
		if v.pins.Pinned(msg.id) {
			// its offline copy would stay pinned, taking cache room
			// for a playlist that is gone ("offline remove it", says
			// segue offline list); the unpin's notice follows
			t := pin.Toggle{Ref: msg.id, Name: "deleted playlist “" + msg.name + "”"}
			return tea.Batch(notice.Info("deleted playlist “"+msg.name+"”"), func() tea.Msg { return t })
		}
		return notice.Info("deleted playlist “" + msg.name + "”")
	case tea.KeyMsg:
		if v.store == nil {
			return notice.Info("playlists are not available here")
		}
		if v.open != nil {
			return v.trackKey(msg)
		}
		return v.listKey(msg)
	case tea.MouseMsg:
		l := &v.l
		if v.open != nil {
			l = &v.tl
		}
		if l.HandleWheel(msg) || msg.Action != tea.MouseActionPress || msg.Button != tea.MouseButtonLeft {
			return nil
		}
		if _, double, ok := l.Click(msg.Y-header, time.Now()); ok && double {
			return v.Update(tea.KeyMsg{Type: tea.KeyEnter})
		}
	}
	return nil
}

// Shown reloads the playlists when the screen comes into view: they may
// have been made or changed from the command line meanwhile.
func (v *View) Shown() tea.Cmd { return v.Reload() }

// Reload loads the list again, and the open playlist (ctrl+r).
func (v *View) Reload() tea.Cmd {
	if v.store == nil {
		return nil
	}
	if v.open != nil {
		return tea.Batch(v.Init(), v.openPlaylist(*v.open, true))
	}
	return v.Init()
}

// openPlaylist loads pl with its tracks; a reload keeps the cursor.
func (v *View) openPlaylist(pl catalog.Playlist, reload bool) tea.Cmd {
	ctx, s := v.ctx, v.store
	v.loading = "playlist"
	return func() tea.Msg {
		full, err := s.Playlist(ctx, pl.ID)
		if err != nil {
			full, err = pl, fmt.Errorf("open playlist “%s”: %w", pl.Name, err)
		}
		return opened{pl: full, err: err, reload: reload}
	}
}

// put shows pl where the list (and the open playlist) had it; a new one
// goes first.
func (v *View) put(pl catalog.Playlist) {
	row := pl
	row.Tracks = nil
	if i := slices.IndexFunc(v.pls, func(p catalog.Playlist) bool { return p.ID == pl.ID }); i >= 0 {
		v.pls[i] = row
	} else {
		v.pls = append([]catalog.Playlist{row}, v.pls...)
		v.l.SetLen(len(v.pls))
		if v.open == nil {
			v.l.Select(0)
		}
	}
	if v.open != nil && v.open.ID == pl.ID {
		v.show(pl)
	}
}

func (v *View) show(pl catalog.Playlist) {
	v.open = &pl
	v.tl.SetHeight(v.h - header)
	v.tl.SetLen(len(pl.Tracks))
}

func (v *View) selected() (catalog.Playlist, bool) {
	if v.open != nil {
		return *v.open, true
	}
	c := v.l.Cursor()
	if c < 0 {
		return catalog.Playlist{}, false
	}
	return v.pls[c], true
}

// newPlaylist asks for a name and makes a playlist of it (N, in the list
// and in an open playlist).
func (v *View) newPlaylist() tea.Cmd {
	ctx, s := v.ctx, v.store
	return prompt.Send(prompt.Ask{Label: "New playlist name:", Then: func(name string) tea.Cmd {
		return edit(func() (catalog.Playlist, error) { return s.CreatePlaylist(ctx, name, nil) },
			"created playlist “"+name+"”", "create playlist “"+name+"”")
	}})
}

func (v *View) listKey(msg tea.KeyMsg) tea.Cmd {
	if key.Matches(msg, v.km.NewPlaylist) {
		return v.newPlaylist()
	}
	pl, ok := v.selected()
	if !ok {
		if v.isRowKey(msg) {
			return v.noRow()
		}
		v.l.HandleKey(msg, v.km)
		return nil
	}
	switch {
	case key.Matches(msg, v.km.Open), key.Matches(msg, v.km.Play):
		return v.openPlaylist(pl, false)
	case key.Matches(msg, v.km.Add):
		// as on an album row (they did nothing here)
		return Tracks(v.ctx, v.store, pl, action.Add, false)
	case key.Matches(msg, v.km.PlayNext):
		return Tracks(v.ctx, v.store, pl, action.PlayNext, false)
	case v.isCommon(msg):
		return v.common(msg, pl)
	default:
		v.l.HandleKey(msg, v.km)
	}
	return nil
}

// Reader reads a playlist with its tracks (Store, the origin client).
type Reader interface {
	Playlist(ctx context.Context, id string) (catalog.Playlist, error)
}

// Tracks loads pl through r and sends its tracks on, as a, A and s do with
// an album's: to the player with kind k (a adds them, A plays them next),
// or to the picker when pick is set. An empty playlist says so.
func Tracks(ctx context.Context, r Reader, pl catalog.Playlist, k action.Kind, pick bool) tea.Cmd {
	return func() tea.Msg {
		full, err := r.Playlist(ctx, pl.ID)
		switch {
		case err != nil:
			return notice.Failed(fmt.Errorf("open playlist “%s”: %w", pl.Name, err))
		case len(full.Tracks) == 0:
			return notice.Msg{Text: "playlist “" + pl.Name + "” is empty: nothing to add"}
		case pick:
			return Pick{Tracks: full.Tracks, From: pl.Name}
		}
		a := action.Tracks(k, full.Tracks...)
		a.From = pl.Name
		return a
	}
}

// isCommon reports whether msg is a key common handles.
func (v *View) isCommon(msg tea.KeyMsg) bool {
	return key.Matches(msg, v.km.Rename, v.km.DeletePlaylist, v.km.SharePlaylist, v.km.Offline, v.km.Radio)
}

// common handles the keys the list and an open playlist share (help lists
// them for both; rename and delete did nothing in an open playlist): rename,
// delete, share, offline and radio (seeded by the whole playlist; an open
// playlist's track row seeds it with that track instead, see trackKey).
func (v *View) common(msg tea.KeyMsg, pl catalog.Playlist) tea.Cmd {
	ctx, s := v.ctx, v.store
	switch {
	case key.Matches(msg, v.km.Rename):
		// the answer starts from the name as shown: a text-direction
		// character stored in it (invisible, and stripped from the
		// frame) made the origin refuse every rename that kept it
		return prompt.Send(prompt.Ask{Label: "Rename “" + pl.Name + "” to:", Value: catalog.StripBidi(pl.Name), Then: func(name string) tea.Cmd {
			return edit(func() (catalog.Playlist, error) { return s.RenamePlaylist(ctx, pl.ID, name) },
				"renamed to “"+name+"”", "rename playlist “"+pl.Name+"”")
		}})
	case key.Matches(msg, v.km.DeletePlaylist):
		label := "Delete playlist “" + pl.Name + "”?"
		if v.pins.Pinned(pl.ID) {
			label = "Delete playlist “" + pl.Name + "” and its offline copy?"
		}
		return prompt.Send(prompt.Ask{Label: label, Confirm: true, Kept: "kept playlist “" + pl.Name + "”", Then: func(string) tea.Cmd {
			return func() tea.Msg {
				err := s.DeletePlaylist(ctx, pl.ID)
				if err != nil {
					err = fmt.Errorf("delete playlist “%s”: %w", pl.Name, err)
				}
				return deleted{id: pl.ID, name: pl.Name, err: err}
			}
		}})
	case key.Matches(msg, v.km.SharePlaylist):
		return func() tea.Msg {
			l, err := s.SharePlaylist(ctx, pl.ID)
			if err != nil {
				return notice.Failed(fmt.Errorf("share playlist “%s”: %w", pl.Name, err))
			}
			return Shared{ID: pl.ID, Name: pl.Name, URL: l.String()}
		}
	case key.Matches(msg, v.km.Offline):
		t := pin.Toggle{Ref: pl.ID, Name: "playlist “" + pl.Name + "”"}
		return func() tea.Msg { return t }
	case key.Matches(msg, v.km.Radio) && pl.TrackCount == 0:
		// the origin answers 404 for such a seed, which the line said as
		// "it is not on the origin" of a playlist shown right there
		return notice.Info("playlist “" + pl.Name + "” has no tracks to start a radio from: add some with s")
	case key.Matches(msg, v.km.Radio):
		r := action.Radio{Seed: pl.ID, From: "playlist “" + pl.Name + "”"}
		return func() tea.Msg { return r }
	}
	return nil
}

func (v *View) trackKey(msg tea.KeyMsg) tea.Cmd {
	ctx, s, pl := v.ctx, v.store, *v.open
	c := v.tl.Cursor()
	// what the change does to the track, up to the playlist's name:
	// names quoted, for the status line cuts an error at ": " outside them
	change := func(f func() (catalog.Playlist, error), note, what string) tea.Cmd {
		return edit(f, note, what+" playlist “"+pl.Name+"”")
	}
	switch {
	case key.Matches(msg, v.km.Back):
		v.open = nil
		return nil
	case key.Matches(msg, v.km.NewPlaylist):
		return v.newPlaylist()
	case v.isCommon(msg) && (c < 0 || !key.Matches(msg, v.km.Radio)):
		return v.common(msg, pl)
	case c < 0 && v.isRowKey(msg):
		return v.noRow()
	case c < 0:
		v.tl.HandleKey(msg, v.km)
		return nil
	case key.Matches(msg, v.km.Radio):
		r := action.Radio{Seed: pl.Tracks[c].ID, From: "“" + pl.Tracks[c].Title + "”"}
		return func() tea.Msg { return r }
	case key.Matches(msg, v.km.Play), key.Matches(msg, v.km.Open):
		a := action.Tracks(action.PlayNow, pl.Tracks[c:]...)
		return func() tea.Msg { return a }
	case key.Matches(msg, v.km.Add):
		a := action.Tracks(action.Add, pl.Tracks[c])
		return func() tea.Msg { return a }
	case key.Matches(msg, v.km.ToPlaylist):
		p := Pick{Tracks: []catalog.Track{pl.Tracks[c]}}
		return func() tea.Msg { return p }
	case key.Matches(msg, v.km.Remove):
		title := pl.Tracks[c].Title
		return change(func() (catalog.Playlist, error) { return s.RemoveFromPlaylist(ctx, pl.ID, c, pl.Tracks[c].ID) },
			"removed “"+title+"” from “"+pl.Name+"”", "remove “"+title+"” from")
	case key.Matches(msg, v.km.MoveDown):
		if c+1 < len(pl.Tracks) {
			v.tl.Move(1)
			return change(func() (catalog.Playlist, error) { return s.MoveInPlaylist(ctx, pl.ID, c, c+1, pl.Tracks[c].ID) }, "", "move “"+pl.Tracks[c].Title+"” in")
		}
		return notice.Refused(notice.AtEnd("“"+pl.Tracks[c].Title+"”", "“"+pl.Name+"”", c, len(pl.Tracks), false))
	case key.Matches(msg, v.km.MoveUp):
		if c > 0 {
			v.tl.Move(-1)
			return change(func() (catalog.Playlist, error) { return s.MoveInPlaylist(ctx, pl.ID, c, c-1, pl.Tracks[c].ID) }, "", "move “"+pl.Tracks[c].Title+"” in")
		}
		return notice.Refused(notice.AtEnd("“"+pl.Tracks[c].Title+"”", "“"+pl.Name+"”", c, len(pl.Tracks), true))
	default:
		v.tl.HandleKey(msg, v.km)
	}
	return nil
}

// edit runs one change at the origin and reports the playlist it left.
func edit(f func() (catalog.Playlist, error), note, what string) tea.Cmd {
	return func() tea.Msg {
		pl, err := f()
		if err != nil {
			return Changed{Err: fmt.Errorf("%s: %w", what, err)}
		}
		return Changed{Playlist: pl, Note: note}
	}
}

// Opening reports whether a playlist (or the list) is loading, and what
// went wrong loading the last one.
func (v *View) Opening() (busy bool, err error) { return v.loading != "", v.err }
