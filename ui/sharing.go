package ui

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"segue/catalog"
	"segue/share"
	"segue/ui/action"
	"segue/ui/notice"
	"segue/ui/pin"
	"segue/ui/playlists"
	"segue/ui/prompt"
)

// urlOpened answers `o`: the tracks ref holds, or why not.
type urlOpened struct {
	ref    string
	tracks []catalog.Track
	err    error
}

// sharing handles the messages of playlists, prompts, share links and
// offline pinning; ok says msg was one of them.
func (m *Model) sharing(msg tea.Msg) (cmd tea.Cmd, ok bool) {
	if cmd, ok := m.pins.Update(m.ctx, m.pinner, msg); ok {
		var follow tea.Cmd
		switch msg.(type) {
		case pin.Loaded, pin.Done:
			follow = tea.Batch(m.library.PinsChanged(), m.lists.PinsChanged())
		}
		return tea.Batch(cmd, m.pinNotice(msg), follow), true
	}
	switch msg := msg.(type) {
	case prompt.Ask:
		m.prompt = prompt.New(msg)
	case playlists.Pick:
		if m.store == nil {
			// "no origin", "no Subsonic server"
			return m.line.show("playlists are not available: no "+strings.TrimPrefix(m.source, "the "), true), true
		}
		if len(msg.Tracks) == 0 {
			return nil, true
		}
		var load tea.Cmd
		m.picker, load = playlists.NewPicker(m.ctx, m.store, m.st, m.km, msg)
		m.picker.SetSize(m.w, m.bodyHeight())
		return load, true
	case playlists.Gone:
		// the picker closed on enter: open it again on the list as it is
		m.picker = playlists.Reopen(m.ctx, m.store, m.st, m.km, msg)
		m.picker.SetSize(m.w, m.bodyHeight())
		m.lists.Update(msg)
		return m.line.show(msg.Sentence(), true), true
	case playlists.Shared:
		m.copyToClipboard(msg.URL)
		m.lists.Update(msg)
		return m.line.show("shared “"+msg.Name+"”: "+msg.URL+" (copied)", false), true
	case urlOpened:
		if msg.err != nil {
			return m.fail(msg.err), true
		}
		if len(msg.tracks) == 0 {
			return m.line.show("nothing to play: what o opened holds no tracks", true), true
		}
		what := tracksNamed(msg.tracks, "")
		if name := m.openedName(msg.ref, msg.tracks); name != "" {
			what = notice.Tracks(len(msg.tracks), name)
		}
		return tea.Batch(m.request(action.Tracks(action.PlayNow, msg.tracks...)),
			m.line.show("playing "+what, false)), true
	default:
		return nil, false
	}
	return nil, true
}

// pinNotice tells the user how a download goes in the status line.
func (m *Model) pinNotice(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case pin.Toggle:
		if p, busy := m.pins.Percent(msg.Ref); busy && p == 0 {
			return m.line.show("downloading "+msg.Name+" for offline…", false)
		}
		if m.pinner == nil {
			return m.line.show("offline pinning is not available here", true)
		}
	case pin.Progress:
		if p, busy := m.pins.Percent(msg.Ref); busy && !msg.Quiet() {
			return m.line.show(fmt.Sprintf("downloading %s for offline: %d%%", msg.Name, p), false)
		}
	case pin.Done:
		switch {
		case msg.Err != nil:
			return m.fail(msg.Err)
		case msg.Followed && msg.Note != "":
			return m.line.show(msg.Note+"; its offline copy is up to date", false)
		case msg.Followed:
			// a move, which the row shows: said after every J and K
			// it was noise, of a change that downloads nothing
			return nil
		case msg.Pinned:
			return m.line.show(msg.Name+" is available offline", false)
		default:
			return m.line.show(msg.Name+" is no longer pinned for offline", false)
		}
	case pin.Loaded:
		if msg.Err != nil {
			return m.fail(msg.Err)
		}
	}
	return nil
}

// askURL opens the `o` prompt; the answer is resolved and played.
func (m *Model) askURL() tea.Cmd {
	if m.opener == nil {
		return m.line.show("opening URLs is not available here", true)
	}
	ctx, o := m.ctx, m.opener
	// opened at once, not through a message, so a paste right after o
	// lands in it
	m.prompt = prompt.New(prompt.Ask{Label: "Open share URL or ID:", Then: func(ref string) tea.Cmd {
		return func() tea.Msg {
			ts, err := o.Open(ctx, ref)
			return urlOpened{ref: ref, tracks: ts, err: err}
		}
	}})
	return nil
}

// copyToClipboard queues an OSC 52 sequence that asks the terminal to put
// s on the clipboard; the frame writer sends it between frames so it
// never lands inside one.
func (m *Model) copyToClipboard(s string) {
	m.output = append(m.output, OSC52(s))
}

// OSC52 is the terminal sequence that sets the clipboard to s.
func OSC52(s string) string {
	return "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(s)) + "\x07"
}

// takeOutput returns and forgets the sequences waiting to be written.
func (m *Model) takeOutput() string {
	s := strings.Join(m.output, "")
	m.output = nil
	return s
}

// openedName names what `o` opened by ref for the status line, by what
// ref is: a share link or a playlist ID by the user's playlist of that
// token or ID, else as a shared playlist or "" (never by the album of its
// tracks: "Road trip" of one album's track said "1 track from Album Two"); an
// album by its title; an artist by their name; "" for a track (its title
// says it) and whatever else, never the ID.
func (m *Model) openedName(ref string, ts []catalog.Track) string {
	if l, err := share.ParseURL(ref); err == nil {
		if name := m.lists.SharedName(l.Token); name != "" {
			return name
		}
		return "the shared playlist"
	}
	id := openedID(ref)
	switch {
	case strings.HasPrefix(id, catalog.PrefixPlaylist):
		return m.lists.Name(id)
	case strings.HasPrefix(id, catalog.PrefixAlbum):
		return common(ts, func(t catalog.Track) (string, string) { return t.AlbumID, t.Album })
	case strings.HasPrefix(id, catalog.PrefixArtist):
		return common(ts, func(t catalog.Track) (string, string) { return t.ArtistID, t.Artist })
	}
	return ""
}

// openedID is the ID ref names: ref as pasted around, or the ID in an
// origin's API URL (.../albums/ID, .../tracks/ID/stream); "" for anything
// else.
func openedID(ref string) string {
	if id := catalog.Unpasted(ref, catalog.IsID); catalog.IsID(id) {
		return id
	}
	u, err := url.Parse(ref)
	if err != nil || !strings.Contains(u.Path, "/api/") {
		return ""
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i := len(parts) - 1; i >= 0; i-- {
		if catalog.IsID(parts[i]) && i > 0 && slices.Contains([]string{"tracks", "albums", "artists", "playlists"}, parts[i-1]) {
			return parts[i]
		}
	}
	return ""
}

// common is the name every track of ts shares by key (an album, an
// artist), or "".
func common(ts []catalog.Track, key func(catalog.Track) (id, name string)) string {
	id, name := key(ts[0])
	for _, t := range ts[1:] {
		if tid, _ := key(t); tid != id {
			return ""
		}
	}
	return name
}

// tracksNamed says which tracks: “Title” for one, else how many and, when
// from is not empty, from what ("3 tracks from Night Transit").
func tracksNamed(ts []catalog.Track, from string) string {
	if len(ts) == 1 {
		return "“" + ts[0].Title + "”"
	}
	return notice.Tracks(len(ts), from)
}
