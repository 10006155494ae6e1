package playlists

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"segue/catalog"
)

// With the origin unreachable and no stored list, the screen lists the
// pinned playlists, read from the documents the pins stored.

// pinnedLoaded carries the pinned playlists.
type pinnedLoaded struct{ pls []catalog.Playlist }

// PinsChanged is called when the pinned refs change: offline, the list
// follows them.
func (v *View) PinsChanged() tea.Cmd {
	if !v.offline || v.store == nil {
		return nil
	}
	return v.loadPinned()
}

// loadPinned reads the pinned playlists' stored documents; one that is not
// stored is left out.
func (v *View) loadPinned() tea.Cmd {
	refs := v.pins.Refs()
	ctx, s := v.ctx, v.store
	return func() tea.Msg {
		var pls []catalog.Playlist
		for _, ref := range refs {
			if !strings.HasPrefix(ref, catalog.PrefixPlaylist) {
				continue
			}
			pl, err := s.Playlist(ctx, ref)
			if err != nil {
				continue
			}
			pl.TrackCount = len(pl.Tracks)
			pl.Tracks = nil
			pls = append(pls, pl)
		}
		return pinnedLoaded{pls: pls}
	}
}
