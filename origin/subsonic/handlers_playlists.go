package subsonic

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"segue/catalog"
	"segue/origin"
)

// The playlist calls edit the user's own playlists in the origin's
// playlist store (the user's ID owns them). Subsonic's comment and public
// are not kept: segue shares a playlist by URL instead.

// maxPlaylistSongs bounds the songs one playlist call names (songId,
// songIdToAdd, songIndexToRemove): as many as an origin playlist holds
// (origin's maxPlaylistTracks, which refuses a playlist grown past it),
// so an app saves a long queue as a playlist in one call.
const maxPlaylistSongs = 10_000

// playlistFailed maps a playlist store error about the user's playlist id
// to an answer.
func (a *API) playlistFailed(rq *request, id string, err error) *Response {
	switch {
	case errors.Is(err, origin.ErrBadPlaylist):
		return failed(CodeGeneric, strings.TrimPrefix(err.Error(), origin.ErrBadPlaylist.Error()+": "))
	case errors.Is(err, origin.ErrUnknownTrack):
		return failed(CodeNotFound, err.Error())
	case errors.Is(err, origin.ErrNotFound):
		return playlistNotFound(rq, id)
	}
	return a.internal(rq, err)
}

// playlistNotFound answers code 70 for the playlist id, which the user
// does not have: it said "playlist not found", naming neither the ID nor
// that each user sees only their own (another user's, or the segue CLI's,
// is not found either).
func playlistNotFound(rq *request, id string) *Response {
	return failed(CodeNotFound, fmt.Sprintf("playlist %s not found among %s's playlists (getPlaylists lists them; each user sees only their own)", id, rq.user.name))
}

// playlistOf is a playlist as the wire has it, with entries when it has
// tracks, marked with when the user starred them (starred; nil: none).
func (a *API) playlistOf(rq *request, pl catalog.Playlist, starred map[string]time.Time) Playlist {
	out := Playlist{
		ID: pl.ID, Name: pl.Name, Owner: rq.user.name, SongCount: pl.TrackCount,
		Duration: seconds(pl.DurationMS), Created: stamp(pl.Created), Changed: stamp(pl.Updated),
	}
	for _, t := range pl.Tracks {
		out.Entries = append(out.Entries, songOf(t, starred[t.ID]))
	}
	return out
}

func (a *API) getPlaylists(rq *request) *Response {
	// username asks for another user's playlists, which the spec leaves to
	// admins; segue has none, so only one's own name is answered
	if name := rq.p.get("username"); name != "" && !strings.EqualFold(name, rq.user.name) {
		return failed(CodeNotAuthorized, fmt.Sprintf("user %s may only list its own playlists: leave out username", rq.user.name))
	}
	pls, err := a.o.Playlists().List(rq.Context(), rq.user.id)
	if err != nil {
		return a.internal(rq, err)
	}
	out := &Playlists{Playlists: []Playlist{}}
	for _, pl := range pls {
		out.Playlists = append(out.Playlists, a.playlistOf(rq, pl, nil)) // no tracks
	}
	res := ok()
	res.Playlists = out
	return res
}

// answerPlaylist answers with the playlist id as it is now.
func (a *API) answerPlaylist(rq *request, id string) *Response {
	pl, err := a.o.Playlists().Get(rq.Context(), rq.user.id, id)
	if err != nil {
		return a.playlistFailed(rq, id, err)
	}
	starred, err := a.stars(rq)
	if err != nil {
		return a.internal(rq, err)
	}
	out := a.playlistOf(rq, pl, starred)
	if out.Entries == nil {
		out.Entries = []Child{}
	}
	res := ok()
	res.Playlist = &out
	return res
}

func (a *API) getPlaylist(rq *request) *Response {
	id, res := rq.p.id("id")
	if res != nil {
		return res
	}
	return a.answerPlaylist(rq, id)
}

// createPlaylist makes a playlist called name with the songs songId, or,
// given playlistId, replaces that playlist's songs (and its name when name
// is given). It answers the playlist (API 1.14.0).
func (a *API) createPlaylist(rq *request) *Response {
	songs, res := rq.p.idsUpTo("songId", maxPlaylistSongs)
	if res != nil {
		return res
	}
	store, owner, ctx := a.o.Playlists(), rq.user.id, rq.Context()
	id := rq.p.get("playlistId")
	if id == "" {
		name, res := rq.p.require("name")
		if res != nil {
			return failed(CodeMissingParam, "required parameter name (or playlistId) is missing")
		}
		pl, err := store.Create(ctx, owner, name)
		if err != nil {
			return a.playlistFailed(rq, "", err)
		}
		if len(songs) > 0 {
			if _, err := store.Add(ctx, owner, pl.ID, songs, -1); err != nil {
				store.Delete(ctx, owner, pl.ID)
				return a.playlistFailed(rq, pl.ID, err)
			}
		}
		return a.answerPlaylist(rq, pl.ID)
	}
	if !validID(id) {
		return playlistNotFound(rq, id)
	}
	// All or nothing: a song refused emptied the playlist.
	if _, err := store.Edit(ctx, owner, id, origin.PlaylistEdit{Name: rq.p.get("name"), Replace: true, Add: songs}); err != nil {
		return a.playlistFailed(rq, id, err)
	}
	return a.answerPlaylist(rq, id)
}

// updatePlaylist renames a playlist (name), removes the songs at
// songIndexToRemove (0-based positions, repeated, as they were before the
// call, among the songs getPlaylist shows: one removed from the library
// is not counted) and then appends songIdToAdd.
func (a *API) updatePlaylist(rq *request) *Response {
	id, res := rq.p.id("playlistId")
	if res != nil {
		return res
	}
	adds, res := rq.p.idsUpTo("songIdToAdd", maxPlaylistSongs)
	if res != nil {
		return res
	}
	drops, res := rq.p.integersUpTo("songIndexToRemove", maxPlaylistSongs)
	if res != nil {
		return res
	}
	store, owner, ctx := a.o.Playlists(), rq.user.id, rq.Context()
	pl, err := store.Get(ctx, owner, id)
	if err != nil {
		return a.playlistFailed(rq, id, err)
	}
	edit := origin.PlaylistEdit{Name: rq.p.get("name"), Add: adds}
	for _, i := range drops {
		if n := int64(pl.TrackCount); i >= n { // said in the indexes the app sent, from 0
			has := "no songs"
			switch {
			case n == 1:
				has = "one song, at index 0"
			case n > 1:
				has = fmt.Sprintf("%d songs, at indexes 0 to %d", n, n-1)
			}
			return failed(CodeGeneric, fmt.Sprintf("songIndexToRemove %d: the playlist has %s", i, has))
		}
		edit.Remove = append(edit.Remove, int(i))
	}
	// All or nothing: a part refused left the parts before it done.
	if _, err := store.Edit(ctx, owner, id, edit); err != nil {
		return a.playlistFailed(rq, id, err)
	}
	return ok()
}

func (a *API) deletePlaylist(rq *request) *Response {
	id, res := rq.p.id("id")
	if res != nil {
		return res
	}
	if err := a.o.Playlists().Delete(rq.Context(), rq.user.id, id); err != nil {
		return a.playlistFailed(rq, id, err)
	}
	return ok()
}
