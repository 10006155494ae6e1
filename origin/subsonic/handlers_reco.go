package subsonic

import (
	"strings"
	"time"

	"segue/catalog"
	"segue/origin"
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
	count, res := rq.p.atMost("count", 50, 1, maxReco)
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
	count, res := rq.p.atMost("count", 50, 1, maxReco)
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

// similarArtists returns up to count artists of the songs the recommender
// finds like id's tracks (id: an artist, album or song, as seeds takes
// it), in the recommender's order, without id's own artist.
func (a *API) similarArtists(rq *request, id string, count int) ([]catalog.Track, *Response) {
	seeds, err := a.seeds(rq, id)
	if err != nil {
		return nil, a.notFound(rq, id, err)
	}
	self := id
	switch {
	case strings.HasPrefix(id, catalog.PrefixAlbum):
		al, err := a.o.Reader().Album(rq.Context(), id)
		if err != nil {
			return nil, a.notFound(rq, id, err)
		}
		self = al.ArtistID
	case !strings.HasPrefix(id, catalog.PrefixArtist):
		t, err := a.o.Reader().Track(rq.Context(), id)
		if err != nil {
			return nil, a.notFound(rq, id, err)
		}
		self = t.ArtistID
	}
	tracks, err := a.o.Recommend(rq.Context(), seeds, nil, maxReco)
	if err != nil {
		return nil, a.internal(rq, err)
	}
	seen := map[string]bool{self: true}
	var out []catalog.Track // one track of each artist, for its ID and name
	for _, t := range tracks {
		if len(out) < count && !seen[t.ArtistID] {
			seen[t.ArtistID] = true
			out = append(out, t)
		}
	}
	return out, nil
}

// artistInfo reads getArtistInfo's and getArtistInfo2's parameters (id,
// count: default 20) and the similar artists, with the user's stars.
func (a *API) artistInfo(rq *request) ([]catalog.Track, map[string]time.Time, *Response) {
	id, res := rq.p.id("id")
	if res != nil {
		return nil, nil, res
	}
	count, res := rq.p.atMost("count", 20, 0, maxReco)
	if res != nil {
		return nil, nil, res
	}
	similar, res := a.similarArtists(rq, id, count)
	if res != nil {
		return nil, nil, res
	}
	starred, err := a.stars(rq)
	if err != nil {
		return nil, nil, a.internal(rq, err)
	}
	return similar, starred, nil
}

// getArtistInfo2 answers the artists like an artist (similarArtists),
// which apps show on its page; no biography or images (includeNotPresent
// is moot: every artist answered is in the catalog).
func (a *API) getArtistInfo2(rq *request) *Response {
	similar, starred, res := a.artistInfo(rq)
	if res != nil {
		return res
	}
	counts, err := a.store.albumCounts(rq.Context())
	if err != nil {
		return a.internal(rq, err)
	}
	out := &ArtistInfo2{SimilarArtists: []ArtistID3{}}
	for _, t := range similar {
		out.SimilarArtists = append(out.SimilarArtists, ArtistID3{ID: t.ArtistID, Name: t.Artist, AlbumCount: counts[t.ArtistID], Starred: stamp(starred[t.ArtistID])})
	}
	res = ok()
	res.ArtistInfo2 = out
	return res
}

// getArtistInfo is getArtistInfo2 for folder-browsing apps (id: an
// artist, album or song).
func (a *API) getArtistInfo(rq *request) *Response {
	similar, starred, res := a.artistInfo(rq)
	if res != nil {
		return res
	}
	out := &ArtistInfo{SimilarArtists: []Artist{}}
	for _, t := range similar {
		out.SimilarArtists = append(out.SimilarArtists, Artist{ID: t.ArtistID, Name: t.Artist, Starred: stamp(starred[t.ArtistID])})
	}
	res = ok()
	res.ArtistInfo = out
	return res
}

// getAlbumInfo2 answers an empty albumInfo for an album (code 70 for
// anything else): apps ask it on opening an album, and segue keeps no
// notes or images beyond the cover.
func (a *API) getAlbumInfo2(rq *request) *Response {
	return a.albumInfo(rq, false)
}

// getAlbumInfo is getAlbumInfo2 for folder-browsing apps, whose id may be
// a song too.
func (a *API) getAlbumInfo(rq *request) *Response {
	return a.albumInfo(rq, true)
}

func (a *API) albumInfo(rq *request, songs bool) *Response {
	id, res := rq.p.id("id")
	if res != nil {
		return res
	}
	var err error
	if strings.HasPrefix(id, catalog.PrefixAlbum) {
		_, err = a.o.Reader().Album(rq.Context(), id)
	} else if songs && strings.HasPrefix(id, catalog.PrefixTrack) {
		_, err = a.o.Reader().Track(rq.Context(), id)
	} else {
		err = origin.ErrNotFound
	}
	if err != nil {
		return a.notFound(rq, "album "+id, err)
	}
	res = ok()
	res.AlbumInfo = &AlbumInfo{}
	return res
}
