// Package keys owns the interface's key map: every binding the views react
// to, with the help text the help overlay is generated from. It must not
// know about views or their state.
package keys

import "github.com/charmbracelet/bubbles/key"

// Map is every key binding of the interface.
type Map struct {
	Up, Down, Top, Bottom, PageUp, PageDown key.Binding
	Back, Open                              key.Binding

	Search, Blur, Play, Add, PlayNext key.Binding

	MoveDown, MoveUp, Remove, Clear, Shuffle, Repeat key.Binding

	Pause, Next, Prev, SeekBack, SeekFwd, SeekTo, SeekPercent, VolUp, VolDown, Quality key.Binding

	NextScreen, PrevScreen, Reload, Help, Quit, ForceQuit key.Binding

	// playlists, sharing and offline
	NewPlaylist, Rename, DeletePlaylist, ToPlaylist, SharePlaylist, OpenURL, Offline key.Binding
	Radio                                                                            key.Binding
	Confirm                                                                          key.Binding
}

// Default returns the bindings described in the issues: arrows and vim keys,
// `/` search, space play/pause, n/p, ←/→ seek, +/- volume, tab screens, q quit;
// playlists: N new (n stays next track everywhere), r rename, D delete,
// s add a track, S share, o open a URL, O offline. Shuffle is z, since s
// adds to a playlist; t seeks to a time, 0-9 to a tenth of the track; b
// cycles the quality (bitrate).
func Default() Map {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return Map{
		Up:       b("↑/k", "up", "up", "k"),
		Down:     b("↓/j", "down", "down", "j"),
		Top:      b("g", "top", "g", "home"),
		Bottom:   b("G", "bottom", "G", "end"),
		PageUp:   b("pgup", "page up", "pgup", "ctrl+u"),
		PageDown: b("pgdn", "page down", "pgdown", "ctrl+d"),
		Back:     b("h/esc", "back", "h", "backspace", "esc"),
		Open:     b("l/enter", "open", "l"),

		Search:   b("/", "search", "/"),
		Blur:     b("esc", "leave input", "esc"),
		Play:     b("enter", "play", "enter"),
		Add:      b("a", "add to queue", "a"),
		PlayNext: b("A", "play next", "A"),

		MoveDown: b("J", "move down", "J"),
		MoveUp:   b("K", "move up", "K"),
		Remove:   b("d", "remove", "d", "delete"),
		Clear:    b("C", "clear queue", "C"),
		Shuffle:  b("z", "shuffle", "z"),
		Repeat:   b("r", "repeat mode", "r"),

		Pause:       b("space", "play/pause", " "),
		Next:        b("n", "next track", "n"),
		Prev:        b("p", "previous", "p"),
		SeekBack:    b("←", "seek -5s", "left"),
		SeekFwd:     b("→", "seek +5s", "right"),
		SeekTo:      b("t", "seek to a time", "t"),
		SeekPercent: b("0-9", "seek to 0-90%", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
		VolUp:       b("+", "volume up", "+", "="),
		VolDown:     b("-", "volume down", "-"),
		Quality:     b("b", "quality", "b"),

		NextScreen: b("tab", "next screen", "tab"),
		PrevScreen: b("shift+tab", "prev screen", "shift+tab"),
		Reload:     b("ctrl+r", "reload", "ctrl+r"),
		Help:       b("?", "help", "?"),
		Quit:       b("q", "quit", "q"),
		ForceQuit:  b("ctrl+c", "quit", "ctrl+c"),

		NewPlaylist:    b("N", "new playlist", "N"),
		Rename:         b("r", "rename", "r"),
		DeletePlaylist: b("D", "delete playlist", "D"),
		ToPlaylist:     b("s", "add to playlist", "s"),
		SharePlaylist:  b("S", "share (copies URL)", "S"),
		OpenURL:        b("o", "open URL or ID", "o"),
		Offline:        b("O", "offline on/off", "O"),
		Radio:          b("R", "radio from here", "R"),
		Confirm:        b("y", "yes", "y", "Y"),
	}
}

// Playback returns the bindings that work on every screen.
func (m Map) Playback() []key.Binding {
	return []key.Binding{m.Pause, m.Next, m.Prev, m.SeekBack, m.SeekFwd, m.SeekTo, m.SeekPercent, m.VolUp, m.VolDown, m.Quality}
}

// Global returns the screen and program bindings.
func (m Map) Global() []key.Binding {
	return []key.Binding{m.NextScreen, m.PrevScreen, m.Search, m.OpenURL, m.Reload, m.Help, m.Quit}
}

// Navigation returns the list movement bindings. Back (h) is not one: only
// the screens that go into something (Library, Playlists) list it, as it
// does nothing elsewhere.
func (m Map) Navigation() []key.Binding {
	return []key.Binding{m.Up, m.Down, m.Top, m.Bottom, m.PageUp, m.PageDown, m.Open}
}
