package library

import (
	"cmp"
	"context"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"segue/catalog"
)

// With the origin unreachable and no stored artist list, the library shows
// what is pinned for offline play: the artists of the pinned albums, each
// with those albums, then the pinned playlists, read from the documents the
// pins stored. Opening an artist then needs no document of its own; a
// playlist opens on the Playlists screen.

// PlaylistReader reads a stored playlist document (the origin client).
type PlaylistReader interface {
	Playlist(ctx context.Context, id string) (catalog.Playlist, error)
}

// pinnedLoaded carries the artists of the pinned albums and the pinned
// playlists.
type pinnedLoaded struct {
	artists   []catalog.Artist
	playlists []catalog.Playlist
}

// SetPlaylists hands the screen what reads the pinned playlists offline.
func (v *View) SetPlaylists(r PlaylistReader) { v.lists = r }

// PinsChanged is called when the pinned refs change (loaded at start, an
// album pinned or unpinned): offline, the artist list follows them.
func (v *View) PinsChanged() tea.Cmd {
	if !v.offline {
		return nil
	}
	return v.loadPinned()
}

// loadPinned builds the artists of the pinned albums from their stored
// documents; an album whose document is not stored is left out.
func (v *View) loadPinned() tea.Cmd {
	refs := v.pins.Refs()
	ctx, src, lists := v.ctx, v.src, v.lists
	return func() tea.Msg {
		byID := map[string]*catalog.Artist{}
		var artists []*catalog.Artist
		var pls []catalog.Playlist
		for _, ref := range refs {
			if strings.HasPrefix(ref, catalog.PrefixPlaylist) && lists != nil {
				if pl, err := lists.Playlist(ctx, ref); err == nil {
					pl.TrackCount = len(pl.Tracks)
					pls = append(pls, pl)
				}
				continue
			}
			if !strings.HasPrefix(ref, catalog.PrefixAlbum) {
				continue
			}
			al, err := src.Album(ctx, ref)
			if err != nil {
				continue
			}
			a := byID[al.ArtistID]
			if a == nil {
				a = &catalog.Artist{ID: al.ArtistID, Name: al.Artist}
				byID[al.ArtistID] = a
				artists = append(artists, a)
			}
			al.TrackCount = len(al.Tracks)
			a.Albums = append(a.Albums, al)
		}
		out := make([]catalog.Artist, len(artists))
		for i, a := range artists {
			slices.SortFunc(a.Albums, func(x, y catalog.Album) int {
				return cmp.Or(cmp.Compare(x.Year, y.Year), strings.Compare(x.Title, y.Title))
			})
			out[i] = *a
		}
		slices.SortFunc(out, func(x, y catalog.Artist) int { return strings.Compare(x.Name, y.Name) })
		return pinnedLoaded{artists: out, playlists: pls}
	}
}

// offlineArtist opens an artist of the pinned list: its albums are there.
func (v *View) offlineArtist(id string) (tea.Cmd, bool) {
	if !v.offline {
		return nil, false
	}
	for _, a := range v.stack[0].artists {
		if a.ID == id {
			return func() tea.Msg { return artistLoaded{artist: a} }, true
		}
	}
	return nil, false
}

// offlineHeading is the artist list's summary while offline.
func (v *View) offlineHeading() string {
	n, p := len(v.stack[0].artists), len(v.stack[0].playlists)
	switch {
	case n == 0 && p == 0:
		return "offline: nothing pinned here (O pins an album while online)"
	case p == 0:
		return "offline: " + catalog.Count(n, "artist") + " with pinned albums"
	}
	return "offline: " + catalog.Count(n, "artist") + " with pinned albums, " + catalog.Count(p, "pinned playlist")
}
