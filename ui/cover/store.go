package cover

import (
	"context"
	"fmt"

	tea "github.com/charmbracelet/bubbletea"
)

// Fetcher yields the bytes of an album's cover. The origin client satisfies it.
type Fetcher interface {
	Cover(ctx context.Context, albumID string) (data []byte, contentType string, err error)
}

// Loaded is the message a load produces: the decoded cover or why not.
type Loaded struct {
	AlbumID string
	Art     *Art
	Err     error
}

// Store keeps decoded covers by album for the views. It is used only from the
// Bubble Tea update loop, so it needs no lock; loads run in Cmds that copy
// the album ID and report back with Loaded.
type Store struct {
	ctx     context.Context
	f       Fetcher
	art     map[string]*Art
	pending map[string]bool // loading, or failed: not asked again
	none    map[string]bool // loaded without a cover (none, or it failed)
}

// NewStore returns a Store that loads through f; a nil f loads nothing.
func NewStore(ctx context.Context, f Fetcher) *Store {
	return &Store{ctx: ctx, f: f, art: map[string]*Art{}, pending: map[string]bool{}, none: map[string]bool{}}
}

// Get returns the cover of albumID if it is loaded.
func (s *Store) Get(albumID string) *Art { return s.art[albumID] }

// Want returns a Cmd that loads the cover of albumID, or nil when it is
// loaded, loading, failed before, or there is nothing to load from.
func (s *Store) Want(albumID string) tea.Cmd {
	if s == nil || s.f == nil || albumID == "" || s.art[albumID] != nil || s.pending[albumID] {
		return nil
	}
	s.pending[albumID] = true
	ctx, f := s.ctx, s.f
	return func() tea.Msg {
		data, _, err := f.Cover(ctx, albumID)
		if err != nil {
			return Loaded{AlbumID: albumID, Err: fmt.Errorf("load cover of album %s: %w", albumID, err)}
		}
		a, err := Decode(data)
		return Loaded{AlbumID: albumID, Art: a, Err: err}
	}
}

// None reports whether albumID is known to have no cover to show: its load
// ended without one, or there is nothing to load from. A view then gives
// the cover's room to the rest.
func (s *Store) None(albumID string) bool {
	return s == nil || s.f == nil || s.none[albumID]
}

// Put records a finished load.
func (s *Store) Put(l Loaded) {
	if l.Art != nil {
		s.art[l.AlbumID] = l.Art
	} else {
		s.none[l.AlbumID] = true
	}
}
