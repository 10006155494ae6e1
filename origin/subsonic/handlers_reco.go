package subsonic

import (
	"strings"

	"segue/catalog"
)

// maxReco is the most songs getSimilarSongs, getSimilarSongs2 and
// getTopSongs return (the origin's radio limit).
const maxReco = 100

// getSimilarSongs answers songs like a song's, an album's or an artist's
// (id: any of them, as the spec has it), from the origin's recommender
// with their tracks as seeds, as its radio does. Subsonic clients ask it
// for a song's radio (segue's among them).
func (a *API) getSimilarSongs(rq *request) *Response {
	return a.similar(rq, func(res *Response, s *Songs) { res.SimilarSongs = s })
}

// getSimilarSongs2 answers songs like an artist's (id: an artist; a song
// or an album ID works too), as getSimilarSongs does.
func (a *API) getSimilarSongs2(rq *request) *Response {
	return a.similar(rq, func(res *Response, s *Songs) { res.SimilarSongs2 = s })
}

// similar answers the recommender's songs after the tracks of id, in the
// element set puts them in.
func (a *API) similar(rq *request, set func(*Response, *Songs)) *Response {
	id, res := rq.p.id("id")
	if res != nil {
		return res
	}
	count, res := rq.p.integer("count", 50, 1, maxReco)
	if res != nil {
		return res
	}
	seeds, err := a.seeds(rq, id)
	if err != nil {
		return a.notFound(rq, id, err)
	}
	tracks, err := a.o.Recommend(rq.Context(), seeds, nil, count)
	if err != nil {
		return a.internal(rq, err)
	}
	return a.songList(rq, trackIDs(tracks), set)
}

// seeds returns the tracks of a track, album or artist ID.
func (a *API) seeds(rq *request, id string) ([]string, error) {
	if err := a.exists(rq.Context(), id); err != nil {
		return nil, err
	}
	switch {
	case strings.HasPrefix(id, catalog.PrefixArtist):
		return a.store.artistTrackIDs(rq.Context(), id, maxReco)
	case strings.HasPrefix(id, catalog.PrefixAlbum):
		al, err := a.o.Reader().Album(rq.Context(), id)
		return trackIDs(al.Tracks), err
	}
	return []string{id}, nil
}

func trackIDs(ts []catalog.Track) []string {
	ids := make([]string, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	return ids
}

// getTopSongs answers an artist's (by name) most played songs, counting
// every listener's plays on this origin; unplayed ones follow in album
// order. An unknown artist has no songs (not an error, as in the spec).
func (a *API) getTopSongs(rq *request) *Response {
	name, res := rq.p.require("artist")
	if res != nil {
		return res
	}
	count, res := rq.p.integer("count", 50, 1, maxReco)
	if res != nil {
		return res
	}
	id, err := a.store.artistByName(rq.Context(), name)
	if err != nil {
		return a.internal(rq, err)
	}
	var ids []string
	if id != "" {
		if ids, err = a.store.artistTrackIDs(rq.Context(), id, count); err != nil {
			return a.internal(rq, err)
		}
	}
	return a.songList(rq, ids, func(res *Response, s *Songs) { res.TopSongs = s })
}
