// Package ui is segue's terminal interface (Bubble Tea v1). The root Model
// only routes: keys and mouse to the active screen, player events to the
// now-playing parts, requests from the screens to the player. Each screen is
// its own package (search, library, queue, nowplaying) implementing Screen;
// styles and keys live in their own packages. All I/O runs in tea.Cmds.
package ui

import (
	"context"
	"log/slog"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"segue/catalog"
	"segue/ui/cover"
	"segue/ui/library"
	"segue/ui/pin"
	"segue/ui/playlists"
	"segue/ui/search"
)

// Catalog is what the screens read from the origin (the origin client,
// answering from cached documents when offline).
type Catalog interface {
	search.Searcher
	library.Browser
	cover.Fetcher
}

// Opener resolves what the user pastes after `o` (a share URL, or a
// playlist, album or track ID) into the tracks to play. Its error is shown
// as it is, on one line.
type Opener interface {
	Open(ctx context.Context, ref string) ([]catalog.Track, error)
}

// reloader is a Screen that can load again what it shows (ctrl+r).
type reloader interface {
	Reload() tea.Cmd
}

// opener is a Screen that opens what a key chose (an artist, an album, a
// playlist) once its document has loaded; keys typed meanwhile wait for it
// (await.go).
type opener interface {
	// Opening reports whether a document is on its way, and, once it
	// came, what went wrong loading it.
	Opening() (busy bool, err error)
}

// shower is a Screen with work to do when it comes into view (the
// playlists reload: the command line may have changed them).
type shower interface {
	Shown() tea.Cmd
}

// Component is the contract every part of the interface keeps.
type Component interface {
	Update(msg tea.Msg) tea.Cmd
	View() string
	SetSize(w, h int)
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
}

// Screen is a Component shown full size under the tab line.
type Screen interface {
	Component
	// Title names the screen in the tab line.
	Title() string
	// Typing reports whether printable keys belong to the screen (an input
	// has focus), so global single-letter keys must not fire.
	Typing() bool
}

// Options configures the interface.
type Options struct {
	// Catalog answers searches and browsing. Required.
	Catalog Catalog
	// Player plays. Required.
	Player Player
	// Theme overrides style colors (config.toml [theme]); nil uses defaults.
	Theme map[string]string
	// Notice is shown in the status line at start, e.g. that the origin is
	// unreachable and only cached music is available.
	Notice string
	// NoticeIsError marks Notice as an error.
	NoticeIsError bool
	// Playlists lists and edits the token's playlists; nil hides them
	// behind an error notice.
	Playlists playlists.Store
	// Opener plays what `o` is given; nil disables `o`.
	Opener Opener
	// Pinner pins playlists and albums for offline play (`O`); nil
	// disables it.
	Pinner pin.Pinner
	// NoticeFor is how long a notice stays before it fades (default
	// NoticeShow).
	NoticeFor time.Duration
	// Silent says playback goes nowhere audible (no sound device): the
	// now-playing screen keeps saying so after the start notice fades.
	Silent bool
	// Log receives every failure in full; the screen shows a sentence.
	// nil discards.
	Log *slog.Logger
	// ASCII draws with ASCII characters only, for a terminal whose locale
	// is not UTF-8 (Run sets it from the locale).
	ASCII bool
	// Radio answers radios (R on a row, and autoplay); nil disables both.
	Radio Radio
	// Autoplay continues with a radio after the last track played when
	// the queue ends (config [player] autoplay, default on).
	Autoplay bool
	// SourceName names where the music comes from, in the listener's
	// words, for what the interface says without an error to name it
	// from ("radio needs the Subsonic server: it is not available
	// here"): the player's SourceName. Default player.DefaultSourceName,
	// "the origin".
	SourceName string
	// Warnings carries sentences from below the player that the listener
	// must hear while the interface runs (the cache's disk filled up);
	// each is shown as an error notice. nil: none.
	Warnings <-chan string
}
