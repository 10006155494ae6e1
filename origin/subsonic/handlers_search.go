package subsonic

import (
	"errors"
	"slices"
	"strings"
	"time"

	"segue/catalog"
	"segue/origin"
)

// search3 answers artists, albums and songs matching query (the origin's
// search: each word a prefix, folded). A query of nothing but quotes,
// spaces and stars ("", `""`, "*") lists the whole library page by page,
// each kind in a stable order (by sort name, then ID), which apps (DSub,
// Symfonium, Substreamer) use to sync, as OpenSubsonic asks of servers
// and Navidrome and gonic do; up to maxSearchPage of each kind a page. The origin ranks
// at most catalog.MaxSearchLimit of each kind, so offset+count past it
// finds no more.
func (a *API) search3(rq *request) *Response {
	f, res := a.search(rq)
	if res != nil {
		return res
	}
	out, err := a.mixed(rq, f.artists, f.albums, f.tracks, f.starred)
	if err != nil {
		return a.internal(rq, err)
	}
	res = ok()
	res.SearchResult3 = out
	return res
}

// maxSearchPage is the most of each kind one search3 or search2 page
// holds. Apps that sync the whole library ask large pages (Symfonium 1000,
// others 10000 at once, as Navidrome answers any count) and take a short
// page for the end, so a smaller most would end their sync early; a
// larger count is refused, saying this most.
const maxSearchPage = 10000

// found is what a search or the starred list holds, and the user's stars.
type found struct {
	artists []catalog.Artist
	albums  []catalog.Album
	tracks  []catalog.Track
	starred map[string]time.Time
}

// search runs search3's (and search2's) query.
func (a *API) search(rq *request) (found, *Response) {
	query := rq.p.get("query")
	if strings.Trim(query, "\"* \t") == "" { // the whole library
		query = ""
	}
	query = strings.Trim(strings.TrimSpace(query), `"`)
	var counts, offsets [3]int
	for i, kind := range []string{"artist", "album", "song"} {
		var res *Response
		if counts[i], res = rq.p.integer(kind+"Count", 20, 0, maxSearchPage); res != nil {
			return found{}, res
		}
		if offsets[i], res = rq.p.integer(kind+"Offset", 0, 0, 1<<30); res != nil {
			return found{}, res
		}
	}
	var f found
	var err error
	if f.starred, err = a.stars(rq); err != nil {
		return f, a.internal(rq, err)
	}
	if query == "" {
		all, err := a.o.Reader().Artists(rq.Context())
		if err != nil {
			return f, a.internal(rq, err)
		}
		f.artists = page(all, offsets[0], counts[0])
		ids, err := a.store.albumIDs(rq.Context(), albumList{kind: "alphabeticalByName", size: counts[1], offset: offsets[1]})
		if err == nil {
			f.albums, err = a.readAlbums(rq, ids)
		}
		if err == nil {
			ids, err = a.store.trackIDs(rq.Context(), counts[2], offsets[2])
		}
		if err == nil {
			f.tracks, err = a.readTracks(rq, ids)
		}
		if err != nil {
			return f, a.internal(rq, err)
		}
		return f, nil
	}
	limit := min(catalog.MaxSearchLimit, max(offsets[0]+counts[0], offsets[1]+counts[1], offsets[2]+counts[2], 1))
	res, err := a.o.Reader().Search(rq.Context(), query, limit)
	if errors.Is(err, origin.ErrBadQuery) {
		return f, failed(CodeGeneric, err.Error())
	}
	if err != nil {
		return f, a.internal(rq, err)
	}
	f.artists, f.albums, f.tracks = page(res.Artists, offsets[0], counts[0]), page(res.Albums, offsets[1], counts[1]), page(res.Tracks, offsets[2], counts[2])
	return f, nil
}

// page returns the count items of s from offset.
func page[T any](s []T, offset, count int) []T {
	if offset >= len(s) {
		return nil
	}
	return s[offset:min(len(s), offset+count)]
}

// mixed is artists, albums and songs as one result.
func (a *API) mixed(rq *request, artists []catalog.Artist, albums []catalog.Album, tracks []catalog.Track, starred map[string]time.Time) (*SearchResult3, error) {
	counts, err := a.store.albumCounts(rq.Context())
	if err != nil {
		return nil, err
	}
	out := &SearchResult3{Artists: []ArtistID3{}, Songs: songsOf(tracks, starred)}
	for _, ar := range artists {
		out.Artists = append(out.Artists, ArtistID3{ID: ar.ID, Name: ar.Name, AlbumCount: counts[ar.ID], Starred: stamp(starred[ar.ID])})
	}
	if out.Albums, err = a.albumsOf(rq, albums, starred); err != nil {
		return nil, err
	}
	return out, nil
}

// getStarred2 answers the user's starred artists (by name), albums and
// songs (newest star first).
func (a *API) getStarred2(rq *request) *Response {
	f, res := a.starredItems(rq)
	if res != nil {
		return res
	}
	out, err := a.mixed(rq, f.artists, f.albums, f.tracks, f.starred)
	if err != nil {
		return a.internal(rq, err)
	}
	res = ok()
	res.Starred2 = out
	return res
}

// starredItems reads what the user starred.
func (a *API) starredItems(rq *request) (found, *Response) {
	ids, starred, err := a.store.stars(rq.Context(), rq.user.id)
	if err != nil {
		return found{}, a.internal(rq, err)
	}
	var albumIDs, songIDs []string
	for _, id := range ids {
		switch {
		case strings.HasPrefix(id, catalog.PrefixAlbum):
			albumIDs = append(albumIDs, id)
		case strings.HasPrefix(id, catalog.PrefixTrack):
			songIDs = append(songIDs, id)
		}
	}
	f := found{starred: starred}
	all, err := a.o.Reader().Artists(rq.Context())
	if err == nil {
		f.artists = slices.DeleteFunc(all, func(ar catalog.Artist) bool { return starred[ar.ID].IsZero() })
		f.albums, err = a.readAlbums(rq, albumIDs)
	}
	if err == nil {
		f.tracks, err = a.readTracks(rq, songIDs)
	}
	if err != nil {
		return f, a.internal(rq, err)
	}
	return f, nil
}
