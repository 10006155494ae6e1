// Package library owns the browse screen: artists, then an artist's albums
// and the albums of others it appears on (with its tracks there), then an
// album with its cover, year, track list and total time. Documents
// are loaded in Cmds through a Browser (the origin client, which answers
// from cached documents when offline). It sends playback requests only as
// action messages.
package library

import (
	"context"
	"fmt"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"segue/catalog"
	"segue/ui/action"
	"segue/ui/cover"
	"segue/ui/keys"
	"segue/ui/list"
	"segue/ui/notice"
	"segue/ui/pin"
	"segue/ui/playlists"
	"segue/ui/styles"
)

// Browser yields the catalog documents the screen shows.
type Browser interface {
	Artists(ctx context.Context) ([]catalog.Artist, error)
	Artist(ctx context.Context, id string) (catalog.Artist, error)
	Album(ctx context.Context, id string) (catalog.Album, error)
}

// OpenArtist asks the library to show an artist's albums; Name is what
// messages call it.
type OpenArtist struct{ ID, Name string }

// OpenAlbum asks the library to show an album; Title is what messages call
// it.
type OpenAlbum struct{ ID, Title string }

// AlbumTracks asks the library to load an album and send its tracks on: to
// the player as a request of Kind, or to the playlist picker when Pick.
type AlbumTracks struct {
	ID, Title string
	Kind      action.Kind
	Pick      bool
}

type artistsLoaded struct {
	artists []catalog.Artist
	err     error
}

type artistLoaded struct {
	artist catalog.Artist
	err    error
}

type albumLoaded struct {
	album catalog.Album
	err   error
}

type levelKind int

const (
	artistsLevel levelKind = iota
	albumsLevel
	albumLevel
)

// level is one step of the drill-down with its own cursor.
type level struct {
	kind      levelKind
	artists   []catalog.Artist
	playlists []catalog.Playlist // pinned, after the artists while offline
	artist    catalog.Artist
	rows      []artistRow // the artist's page, from artist
	album     catalog.Album
	l         list.List
}

// artistRow is one row of an artist's page: one of its albums, the
// "Appears on" heading (album nil), an album of others it appears on, or
// one of its tracks there (track >= 0).
type artistRow struct {
	album   *catalog.Album
	track   int
	appears bool
}

// artistRows lays out an artist's page: its own albums, then the heading
// and each album it appears on followed by its tracks there.
func artistRows(a *catalog.Artist) []artistRow {
	var rows []artistRow
	for i := range a.Albums {
		rows = append(rows, artistRow{album: &a.Albums[i], track: -1})
	}
	if len(a.AppearsOn) > 0 {
		rows = append(rows, artistRow{track: -1, appears: true})
	}
	for i := range a.AppearsOn {
		al := &a.AppearsOn[i]
		rows = append(rows, artistRow{album: al, track: -1, appears: true})
		for j := range al.Tracks {
			rows = append(rows, artistRow{album: al, track: j, appears: true})
		}
	}
	return rows
}

func (lv *level) len() int {
	switch lv.kind {
	case artistsLevel:
		return len(lv.artists) + len(lv.playlists)
	case albumsLevel:
		return len(lv.rows)
	}
	return len(lv.album.Tracks)
}

// selected returns the artist's page row under the cursor; ok is false on
// another level, an empty page or the heading.
func (lv *level) selected() (artistRow, bool) {
	c := lv.l.Cursor()
	if lv.kind != albumsLevel || c < 0 || lv.rows[c].album == nil {
		return artistRow{}, false
	}
	return lv.rows[c], true
}

// skipHeading moves the cursor off the heading, on in the direction it
// came from (from prev), or back when nothing is there.
func (lv *level) skipHeading(prev int) {
	c := lv.l.Cursor()
	if lv.kind != albumsLevel || c < 0 || lv.rows[c].album != nil {
		return
	}
	step := 1
	if c < prev {
		step = -1
	}
	if n := c + step; n >= 0 && n < len(lv.rows) {
		lv.l.Select(n)
	} else if n := c - step; n >= 0 && n < len(lv.rows) {
		lv.l.Select(n)
	}
}

// View is the library screen.
type View struct {
	ctx    context.Context
	src    Browser
	st     *styles.Styles
	km     keys.Map
	covers *cover.Store
	pins   *pin.State     // for the offline marks; nil shows none
	lists  PlaylistReader // the pinned playlists offline; nil shows none

	stack   []*level // never empty: artists at the bottom
	offline bool     // the origin is unreachable: the artists are those of the pinned albums
	loading string   // what is being loaded, for the heading
	err     error
	w, h    int
}

// New returns the library screen; Init loads the artists.
func New(ctx context.Context, src Browser, st *styles.Styles, km keys.Map, covers *cover.Store) *View {
	return &View{ctx: ctx, src: src, st: st, km: km, covers: covers, stack: []*level{{kind: artistsLevel}}}
}

// Init loads the artist list.
func (v *View) Init() tea.Cmd {
	ctx, src := v.ctx, v.src
	v.loading = "artists"
	return func() tea.Msg {
		as, err := src.Artists(ctx)
		if err != nil {
			err = fmt.Errorf("list artists: %w", err)
		}
		return artistsLoaded{artists: as, err: err}
	}
}

// SetPins hands the screen the offline state it marks albums with.
func (v *View) SetPins(p *pin.State) { v.pins = p }

// Title names the screen in the tab line.
func (v *View) Title() string { return "Library" }

// Typing reports whether the screen takes printable keys (never).
func (v *View) Typing() bool { return false }

func (v *View) top() *level { return v.stack[len(v.stack)-1] }

// SetSize sets the area the screen draws in.
func (v *View) SetSize(w, h int) {
	v.w, v.h = w, h
	for _, lv := range v.stack {
		lv.l.SetHeight(v.listHeight(lv))
	}
}

// listHeight is the rows a level's list gets under its heading (and the
// blank line above an album's tracks beside its cover).
func (v *View) listHeight(lv *level) int {
	if lv.kind == albumLevel && v.coverWidth() > 0 {
		return v.h - 3
	}
	return v.h - 2
}

// ShortHelp lists the keys worth showing on this screen.
func (v *View) ShortHelp() []key.Binding {
	if v.top().kind == albumLevel {
		return []key.Binding{v.km.Play, v.km.Add, v.km.PlayNext, v.km.ToPlaylist, v.km.Offline, v.km.Back}
	}
	if v.top().kind == albumsLevel {
		return []key.Binding{v.km.Open, v.km.Offline, v.km.Back}
	}
	switch {
	case v.top().l.Len() == 0:
		return []key.Binding{v.km.Reload} // no row to open: load the list again
	case v.offline:
		return []key.Binding{v.km.Open} // a radio needs the origin
	}
	return []key.Binding{v.km.Open, v.km.Radio} // the top level has nothing to go back to
}

// FullHelp lists every key of this screen by group.
func (v *View) FullHelp() [][]key.Binding {
	return [][]key.Binding{{v.km.Open, v.km.Back, v.km.Play, v.km.Add, v.km.PlayNext, v.km.ToPlaylist, v.km.Offline, v.km.Radio}}
}

// Update handles keys, mouse and the screen's own messages.
func (v *View) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case artistsLoaded:
		v.loading, v.err = "", msg.err
		v.offline = msg.err != nil && notice.Unreachable(msg.err)
		v.stack[0].playlists = nil
		if v.offline {
			v.err = nil
			return tea.Batch(notice.Log(msg.err), v.loadPinned())
		}
		if msg.err != nil {
			return notice.LoadError(msg.err)
		}
		v.stack[0].artists = msg.artists
		v.stack[0].l.SetLen(len(msg.artists))
	case pinnedLoaded:
		v.stack[0].artists, v.stack[0].playlists = msg.artists, msg.playlists
		v.stack[0].l.SetLen(v.stack[0].len())
	case artistLoaded:
		v.loading, v.err = "", msg.err
		if msg.err != nil {
			return notice.Log(msg.err)
		}
		lv := &level{kind: albumsLevel, artist: msg.artist}
		lv.rows = artistRows(&lv.artist)
		v.push(lv)
		lv.skipHeading(-1)
	case albumLoaded:
		v.loading, v.err = "", msg.err
		if msg.err != nil {
			return notice.Log(msg.err)
		}
		v.push(&level{kind: albumLevel, album: msg.album})
		return v.covers.Want(msg.album.ID)
	case OpenArtist:
		return v.openArtist(msg.ID, msg.Name)
	case OpenAlbum:
		return v.openAlbum(msg.ID, msg.Title)
	case AlbumTracks:
		return v.albumTracks(msg)
	case tea.KeyMsg:
		return v.key(msg)
	case tea.MouseMsg:
		return v.mouse(msg)
	}
	return nil
}

// id names what a level shows, so a reload can tell it is the same.
func (lv *level) id() string { return lv.artist.ID + lv.album.ID }

func (v *View) push(lv *level) {
	// reopening what is already shown replaces it rather than stacking,
	// and a reload keeps the cursor where it was
	keep := 0
	if t := v.top(); t.kind == lv.kind && len(v.stack) > 1 {
		v.stack = v.stack[:len(v.stack)-1]
		if t.id() == lv.id() {
			keep = t.l.Cursor()
		}
	}
	lv.l.SetHeight(v.listHeight(lv))
	lv.l.SetLen(lv.len())
	lv.l.Select(keep)
	v.stack = append(v.stack, lv)
}

// Reload loads again what the screen shows (ctrl+r), keeping the cursor.
func (v *View) Reload() tea.Cmd {
	switch lv := v.top(); lv.kind {
	case albumsLevel:
		return v.openArtist(lv.artist.ID, lv.artist.Name)
	case albumLevel:
		return v.openAlbum(lv.album.ID, lv.album.Title)
	}
	return v.Init()
}

func (v *View) openArtist(id, name string) tea.Cmd {
	if cmd, ok := v.offlineArtist(id); ok {
		return cmd
	}
	ctx, src := v.ctx, v.src
	v.loading = "artist"
	return func() tea.Msg {
		a, err := src.Artist(ctx, id)
		if err != nil {
			err = fmt.Errorf("open artist “%s”: %w", name, err)
		}
		return artistLoaded{artist: a, err: err}
	}
}

func (v *View) openAlbum(id, title string) tea.Cmd {
	ctx, src := v.ctx, v.src
	v.loading = "album"
	return func() tea.Msg {
		a, err := src.Album(ctx, id)
		if err != nil {
			err = fmt.Errorf("open album “%s”: %w", title, err)
		}
		return albumLoaded{album: a, err: err}
	}
}

// albumTracks loads an album (the list of an artist's albums and search
// results do not carry tracks) and sends its tracks where at says.
func (v *View) albumTracks(at AlbumTracks) tea.Cmd {
	ctx, src := v.ctx, v.src
	return func() tea.Msg {
		al, err := src.Album(ctx, at.ID)
		if err != nil {
			return notice.Failed(fmt.Errorf("open album “%s”: %w", at.Title, err))
		}
		if at.Pick {
			return playlists.Pick{Tracks: al.Tracks, From: al.Title}
		}
		a := action.Tracks(at.Kind, al.Tracks...)
		a.From = al.Title
		return a
	}
}

func (v *View) key(msg tea.KeyMsg) tea.Cmd {
	lv := v.top()
	switch {
	case key.Matches(msg, v.km.Back):
		if len(v.stack) > 1 {
			v.stack = v.stack[:len(v.stack)-1]
		}
	case key.Matches(msg, v.km.Open), key.Matches(msg, v.km.Play):
		return v.activate(action.PlayNow)
	case key.Matches(msg, v.km.Add):
		return v.activate(action.Add)
	case key.Matches(msg, v.km.PlayNext):
		return v.activate(action.PlayNext)
	case key.Matches(msg, v.km.Radio):
		var r action.Radio
		sel, ok := lv.selected()
		switch c := lv.l.Cursor(); {
		case lv.kind == albumLevel && c >= 0:
			r = action.Radio{Seed: lv.album.Tracks[c].ID, From: "“" + lv.album.Tracks[c].Title + "”"}
		case ok && sel.track >= 0:
			r = action.Radio{Seed: sel.album.Tracks[sel.track].ID, From: "“" + sel.album.Tracks[sel.track].Title + "”"}
		case ok:
			r = action.Radio{Seed: sel.album.ID, From: "“" + sel.album.Title + "”"}
		case lv.kind == artistsLevel && c >= 0 && c < len(lv.artists):
			// the origin's radio takes artist seeds too (R did nothing here)
			r = action.Radio{Seed: lv.artists[c].ID, From: "“" + lv.artists[c].Name + "”"}
		case lv.kind == artistsLevel && c >= len(lv.artists):
			pl := lv.playlists[c-len(lv.artists)]
			r = action.Radio{Seed: pl.ID, From: "playlist “" + pl.Name + "”"}
		default:
			return nil
		}
		return func() tea.Msg { return r }
	case key.Matches(msg, v.km.ToPlaylist):
		var p playlists.Pick
		r, ok := lv.selected()
		switch c := lv.l.Cursor(); {
		case lv.kind == albumLevel && c >= 0:
			p.Tracks = []catalog.Track{lv.album.Tracks[c]}
		case ok && r.track >= 0:
			p.Tracks = []catalog.Track{r.album.Tracks[r.track]}
		case ok:
			return v.albumTracks(AlbumTracks{ID: r.album.ID, Title: r.album.Title, Pick: true})
		case lv.kind == artistsLevel && c >= len(lv.artists):
			return v.playlistTracks(lv.playlists[c-len(lv.artists)], 0, true)
		default:
			return v.onArtist(lv)
		}
		return func() tea.Msg { return p }
	case key.Matches(msg, v.km.Offline):
		return v.toggleOffline(lv)
	default:
		prev := lv.l.Cursor()
		lv.l.HandleKey(msg, v.km)
		lv.skipHeading(prev)
	}
	return nil
}

// toggleOffline pins (or unpins) the album shown, or the one selected in
// an artist's albums.
func (v *View) toggleOffline(lv *level) tea.Cmd {
	var al catalog.Album
	c := lv.l.Cursor()
	switch r, ok := lv.selected(); {
	case lv.kind == albumLevel:
		al = lv.album
	case ok:
		al = *r.album
	case lv.kind == artistsLevel && c >= len(lv.artists) && c < len(lv.artists)+len(lv.playlists):
		// a pinned playlist listed offline: O unpins it (it did nothing)
		pl := lv.playlists[c-len(lv.artists)]
		t := pin.Toggle{Ref: pl.ID, Name: "playlist “" + pl.Name + "”"}
		return func() tea.Msg { return t }
	default:
		return v.onArtist(lv)
	}
	t := pin.Toggle{Ref: al.ID, Name: "album “" + al.Title + "”"}
	return func() tea.Msg { return t }
}

// playlistTracks sends the tracks of a pinned playlist listed offline
// where a, A or s on its row ask (playlists.Tracks); they did nothing.
func (v *View) playlistTracks(pl catalog.Playlist, k action.Kind, pick bool) tea.Cmd {
	if v.lists == nil {
		return nil
	}
	return playlists.Tracks(v.ctx, v.lists, pl, k, pick)
}

// onArtist answers a key that takes an album or a track (a, A, s, O)
// pressed on a row of the artist list, which did nothing: on an artist it
// says to open it, on nothing (a heading) it stays silent.
func (v *View) onArtist(lv *level) tea.Cmd {
	if c := lv.l.Cursor(); lv.kind == artistsLevel && c >= 0 && c < len(lv.artists) {
		return ArtistRowNote(lv.artists[c].Name)
	}
	return nil
}

// ArtistRowNote says that a, A, s and O take an album or a track, not the
// artist name: open it with enter first.
func ArtistRowNote(name string) tea.Cmd {
	return notice.Info("“" + name + "” is an artist: open it with enter, then add, pick or pin its albums and tracks")
}

// activate acts on the selected row with k. Play (enter) opens an artist
// or album; add and play next on an album row act on its tracks. On a
// track (of an album, or the artist's on an album it appears on) the track
// goes to the player: playing queues the rest of them too.
func (v *View) activate(k action.Kind) tea.Cmd {
	lv := v.top()
	c := lv.l.Cursor()
	if c < 0 {
		return nil
	}
	tracks := lv.album.Tracks
	switch lv.kind {
	case artistsLevel:
		if k != action.PlayNow && c >= len(lv.artists) {
			return v.playlistTracks(lv.playlists[c-len(lv.artists)], k, false)
		}
		if k != action.PlayNow {
			return v.onArtist(lv)
		}
		if c >= len(lv.artists) {
			open := playlists.Open{Playlist: lv.playlists[c-len(lv.artists)]}
			return func() tea.Msg { return open }
		}
		return v.openArtist(lv.artists[c].ID, lv.artists[c].Name)
	case albumsLevel:
		r, ok := lv.selected()
		switch {
		case !ok:
			return nil
		case r.track < 0 && k == action.PlayNow:
			return v.openAlbum(r.album.ID, r.album.Title)
		case r.track < 0:
			return v.albumTracks(AlbumTracks{ID: r.album.ID, Title: r.album.Title, Kind: k})
		}
		tracks, c = r.album.Tracks, r.track
	}
	ts := tracks[c : c+1]
	if k == action.PlayNow {
		ts = tracks[c:]
	}
	a := action.Tracks(k, ts...)
	return func() tea.Msg { return a }
}

func (v *View) mouse(msg tea.MouseMsg) tea.Cmd {
	lv := v.top()
	if lv.l.HandleWheel(msg) {
		return nil
	}
	if msg.Action != tea.MouseActionPress || msg.Button != tea.MouseButtonLeft {
		return nil
	}
	y := msg.Y - (v.h - lv.l.Height())
	if lv.kind == albumLevel && v.w >= 60 && msg.X < v.coverWidth() {
		return nil
	}
	_, double, ok := lv.l.Click(y, time.Now())
	if ok && double {
		return v.activate(action.PlayNow)
	}
	return nil
}

// Opening reports whether an artist or album (or the artist list) is
// loading, and what went wrong loading the last one.
func (v *View) Opening() (busy bool, err error) { return v.loading != "", v.err }
