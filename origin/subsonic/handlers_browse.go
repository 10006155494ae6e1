package subsonic

import (
	"errors"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"

	"segue/catalog"
	"segue/origin"
)

// ignoredArticles are the leading words artist indexes skip, as
// catalog.SortKey does.
const ignoredArticles = "The A An"

// stars returns when the request's user starred each item.
func (a *API) stars(rq *request) (map[string]time.Time, error) {
	_, at, err := a.store.stars(rq.Context(), rq.user.id)
	return at, err
}

// readTracks reads tracks by ID, skipping any gone since they were
// listed.
func (a *API) readTracks(rq *request, ids []string) ([]catalog.Track, error) {
	return readAll(ids, func(id string) (catalog.Track, error) { return a.o.Reader().Track(rq.Context(), id) })
}

// readAlbums reads albums by ID (with their tracks), skipping any gone
// since they were listed.
func (a *API) readAlbums(rq *request, ids []string) ([]catalog.Album, error) {
	return readAll(ids, func(id string) (catalog.Album, error) { return a.o.Reader().Album(rq.Context(), id) })
}

func readAll[T any](ids []string, read func(string) (T, error)) ([]T, error) {
	out := []T{}
	for _, id := range ids {
		v, err := read(id)
		if errors.Is(err, origin.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// withSongs calls add with each of items whose track (trackID) is in the
// catalog, and the track as a song (starred when the user starred it);
// items whose track is gone are left out.
func withSongs[T any](a *API, rq *request, items []T, trackID func(T) string, add func(T, Child)) error {
	starred, err := a.stars(rq)
	if err != nil {
		return err
	}
	for _, it := range items {
		ts, err := a.readTracks(rq, []string{trackID(it)})
		if err != nil {
			return err
		}
		for _, t := range ts {
			add(it, songOf(t, starred[t.ID]))
		}
	}
	return nil
}

// songsOf is tracks as Children.
func songsOf(ts []catalog.Track, starred map[string]time.Time) []Child {
	out := []Child{}
	for _, t := range ts {
		out = append(out, songOf(t, starred[t.ID]))
	}
	return out
}

// albumsOf is albums as AlbumID3s, without their songs.
func (a *API) albumsOf(rq *request, as []catalog.Album, starred map[string]time.Time) ([]AlbumID3, error) {
	ids := make([]string, len(as))
	for i, al := range as {
		ids[i] = al.ID
	}
	added, err := a.store.added(rq.Context(), ids)
	if err != nil {
		return nil, err
	}
	out := []AlbumID3{}
	for _, al := range as {
		out = append(out, albumOf(al, added[al.ID], starred[al.ID]))
	}
	return out, nil
}

// artistIndex groups every artist under the first letter of its sort key
// ("#" for anything else), in sort order.
func (a *API) artistIndex(rq *request) ([]Index, error) {
	artists, err := a.o.Reader().Artists(rq.Context())
	if err != nil {
		return nil, err
	}
	counts, err := a.store.albumCounts(rq.Context())
	if err != nil {
		return nil, err
	}
	starred, err := a.stars(rq)
	if err != nil {
		return nil, err
	}
	out := []Index{}
	for _, ar := range artists {
		letter := "#"
		if r := []rune(catalog.SortKey(ar.Name, "")); len(r) > 0 && unicode.IsLetter(r[0]) {
			letter = strings.ToUpper(string(r[0]))
		}
		if len(out) == 0 || out[len(out)-1].Name != letter {
			out = append(out, Index{Name: letter})
		}
		last := &out[len(out)-1]
		last.Artists = append(last.Artists, ArtistID3{ID: ar.ID, Name: ar.Name, AlbumCount: counts[ar.ID], Starred: stamp(starred[ar.ID])})
	}
	return out, nil
}

// getIndexes answers the artists by letter and lastModified, when the
// catalog last changed (milliseconds since 1970). With ifModifiedSince
// (the same unit) at or past lastModified it answers no artists, as the
// spec says: the client's copy is current.
func (a *API) getIndexes(rq *request) *Response {
	since, res := rq.p.integer("ifModifiedSince", -1, 0, math.MaxInt)
	if res != nil {
		return res
	}
	changed, err := a.o.Reader().Changed(rq.Context())
	if err != nil {
		return a.internal(rq, err)
	}
	out := &Indexes{LastModified: changed.UnixMilli(), IgnoredArticles: ignoredArticles, Index: []FolderIndex{}}
	res = ok()
	res.Indexes = out
	if since >= 0 && out.LastModified <= int64(since) {
		return res
	}
	idx, err := a.artistIndex(rq)
	if err != nil {
		return a.internal(rq, err)
	}
	for _, ix := range idx {
		fi := FolderIndex{Name: ix.Name}
		for _, ar := range ix.Artists {
			fi.Artists = append(fi.Artists, Artist{ID: ar.ID, Name: ar.Name, Starred: ar.Starred})
		}
		out.Index = append(out.Index, fi)
	}
	return res
}

func (a *API) getArtists(rq *request) *Response {
	idx, err := a.artistIndex(rq)
	if err != nil {
		return a.internal(rq, err)
	}
	res := ok()
	res.Artists = &Artists{IgnoredArticles: ignoredArticles, Index: idx}
	return res
}

// getArtist answers with the artist's own albums and those it appears on.
func (a *API) getArtist(rq *request) *Response {
	id, res := rq.p.id("id")
	if res != nil {
		return res
	}
	ar, err := a.o.Reader().Artist(rq.Context(), id)
	if err != nil {
		return a.notFound(rq, "artist "+id, err)
	}
	starred, err := a.stars(rq)
	if err != nil {
		return a.internal(rq, err)
	}
	albums, err := a.albumsOf(rq, append(ar.Albums, ar.AppearsOn...), starred)
	if err != nil {
		return a.internal(rq, err)
	}
	res = ok()
	res.Artist = &ArtistID3{ID: ar.ID, Name: ar.Name, AlbumCount: len(ar.Albums), Starred: stamp(starred[ar.ID]), Albums: albums}
	return res
}

func (a *API) getAlbum(rq *request) *Response {
	id, res := rq.p.id("id")
	if res != nil {
		return res
	}
	al, err := a.o.Reader().Album(rq.Context(), id)
	if err != nil {
		return a.notFound(rq, "album "+id, err)
	}
	starred, err := a.stars(rq)
	if err != nil {
		return a.internal(rq, err)
	}
	added, err := a.store.added(rq.Context(), []string{id})
	if err != nil {
		return a.internal(rq, err)
	}
	out := albumOf(al, added[id], starred[id])
	out.Songs = songsOf(al.Tracks, starred)
	res = ok()
	res.Album = &out
	return res
}

func (a *API) getSong(rq *request) *Response {
	id, res := rq.p.id("id")
	if res != nil {
		return res
	}
	t, err := a.o.Reader().Track(rq.Context(), id)
	if err != nil {
		return a.notFound(rq, "song "+id, err)
	}
	starred, err := a.stars(rq)
	if err != nil {
		return a.internal(rq, err)
	}
	song := songOf(t, starred[t.ID])
	res = ok()
	res.Song = &song
	return res
}

// maxListSize is the most items one list call returns (the spec's
// getAlbumList2 and getRandomSongs maximum).
const maxListSize = 500

func (a *API) getAlbumList2(rq *request) *Response {
	albums, starred, res := a.albumList(rq)
	if res != nil {
		return res
	}
	out, err := a.albumsOf(rq, albums, starred)
	if err != nil {
		return a.internal(rq, err)
	}
	res = ok()
	res.AlbumList2 = &AlbumList2{Albums: out}
	return res
}

// albumList reads the albums getAlbumList2 (and getAlbumList) asks for,
// and the user's stars.
func (a *API) albumList(rq *request) ([]catalog.Album, map[string]time.Time, *Response) {
	l := albumList{owner: rq.user.id}
	var res *Response
	fail := func(res *Response) ([]catalog.Album, map[string]time.Time, *Response) { return nil, nil, res }
	if l.kind, res = rq.p.require("type"); res != nil {
		return fail(res)
	}
	if !slices.Contains(albumKinds, l.kind) {
		return fail(failed(CodeGeneric, "unknown type "+l.kind+": want random, newest, highest, frequent, recent, alphabeticalByName, alphabeticalByArtist, starred, byYear or byGenre"))
	}
	if l.size, res = rq.p.integer("size", 10, 1, maxListSize); res != nil {
		return fail(res)
	}
	if l.offset, res = rq.p.integer("offset", 0, 0, 1<<30); res != nil {
		return fail(res)
	}
	switch l.kind {
	case "byYear":
		if _, res = rq.p.require("fromYear"); res != nil {
			return fail(res)
		}
		if _, res = rq.p.require("toYear"); res != nil {
			return fail(res)
		}
		if l.fromYear, res = rq.p.integer("fromYear", 0, 0, 9999); res != nil {
			return fail(res)
		}
		if l.toYear, res = rq.p.integer("toYear", 0, 0, 9999); res != nil {
			return fail(res)
		}
	case "byGenre":
		if l.genre, res = rq.p.require("genre"); res != nil {
			return fail(res)
		}
	}
	ids, err := a.store.albumIDs(rq.Context(), l)
	if err != nil {
		return fail(a.internal(rq, err))
	}
	starred, err := a.stars(rq)
	if err != nil {
		return fail(a.internal(rq, err))
	}
	albums, err := a.readAlbums(rq, ids)
	if err != nil {
		return fail(a.internal(rq, err))
	}
	return albums, starred, nil
}

func (a *API) getRandomSongs(rq *request) *Response {
	size, res := rq.p.atMost("size", 10, 1, maxListSize)
	if res != nil {
		return res
	}
	from, res := rq.p.integer("fromYear", 0, 0, 9999)
	if res != nil {
		return res
	}
	to, res := rq.p.integer("toYear", 9999, 0, 9999)
	if res != nil {
		return res
	}
	ids, err := a.store.randomTrackIDs(rq.Context(), size, rq.p.get("genre"), from, to)
	if err != nil {
		return a.internal(rq, err)
	}
	return a.songList(rq, ids, func(res *Response, s *Songs) { res.RandomSongs = s })
}

// getSongsByGenre answers a page of the songs of genre (required; case
// folded, as getGenres counts them) by title: count of them (default 10,
// at most 500: more answers 500) from offset.
func (a *API) getSongsByGenre(rq *request) *Response {
	genre, res := rq.p.require("genre")
	if res != nil {
		return res
	}
	count, res := rq.p.atMost("count", 10, 1, maxListSize)
	if res != nil {
		return res
	}
	offset, res := rq.p.integer("offset", 0, 0, math.MaxInt)
	if res != nil {
		return res
	}
	ids, err := a.store.genreTrackIDs(rq.Context(), genre, count, offset)
	if err != nil {
		return a.internal(rq, err)
	}
	return a.songList(rq, ids, func(res *Response, s *Songs) { res.SongsByGenre = s })
}

// songList answers with the songs ids as the list set puts in place.
func (a *API) songList(rq *request, ids []string, set func(*Response, *Songs)) *Response {
	starred, err := a.stars(rq)
	if err != nil {
		return a.internal(rq, err)
	}
	tracks, err := a.readTracks(rq, ids)
	if err != nil {
		return a.internal(rq, err)
	}
	res := ok()
	set(res, &Songs{Songs: songsOf(tracks, starred)})
	return res
}
