package subsonic

import (
	"strings"
	"time"

	"segue/catalog"
)

// The folder view of Subsonic before ID3 (API 1.8): what clients that
// browse by folders ask. segue has no folders of its own: an artist is a
// folder of albums, an album a folder of songs.

// albumChild is an album as a folder.
func albumChild(al catalog.Album, starred time.Time) Child {
	c := Child{ID: al.ID, Parent: al.ArtistID, IsDir: true, Title: al.Title, Album: al.Title, Artist: al.Artist,
		Year: al.Year, AlbumID: al.ID, ArtistID: al.ArtistID, Starred: stamp(starred)}
	if al.HasCover {
		c.CoverArt = al.ID
	}
	return c
}

// folderResult is artists, albums as folders and songs (search2's and
// getStarred's answer).
func folderResult(f found) *SearchResult2 {
	out := &SearchResult2{Artists: []Artist{}, Albums: []Child{}, Songs: songsOf(f.tracks, f.starred)}
	for _, ar := range f.artists {
		out.Artists = append(out.Artists, Artist{ID: ar.ID, Name: ar.Name, Starred: stamp(f.starred[ar.ID])})
	}
	for _, al := range f.albums {
		out.Albums = append(out.Albums, albumChild(al, f.starred[al.ID]))
	}
	return out
}

func (a *API) getAlbumList(rq *request) *Response {
	albums, starred, res := a.albumList(rq)
	if res != nil {
		return res
	}
	out := &AlbumList{Albums: []Child{}}
	for _, al := range albums {
		out.Albums = append(out.Albums, albumChild(al, starred[al.ID]))
	}
	res = ok()
	res.AlbumList = out
	return res
}

func (a *API) search2(rq *request) *Response {
	f, res := a.search(rq)
	if res != nil {
		return res
	}
	res = ok()
	res.SearchResult2 = folderResult(f)
	return res
}

func (a *API) getStarred(rq *request) *Response {
	f, res := a.starredItems(rq)
	if res != nil {
		return res
	}
	res = ok()
	res.Starred = folderResult(f)
	return res
}

// getMusicDirectory answers the folder view older clients browse with
// after getIndexes: an artist's albums (as directories), or an album's
// songs.
func (a *API) getMusicDirectory(rq *request) *Response {
	id, res := rq.p.id("id")
	if res != nil {
		return res
	}
	starred, err := a.stars(rq)
	if err != nil {
		return a.internal(rq, err)
	}
	dir := &Directory{ID: id, Starred: stamp(starred[id]), Children: []Child{}}
	if strings.HasPrefix(id, catalog.PrefixAlbum) {
		al, err := a.o.Reader().Album(rq.Context(), id)
		if err != nil {
			return a.notFound(rq, "directory "+id, err)
		}
		dir.Parent, dir.Name = al.ArtistID, al.Title
		for _, t := range al.Tracks {
			dir.Children = append(dir.Children, songOf(t, starred[t.ID]))
		}
	} else {
		ar, err := a.o.Reader().Artist(rq.Context(), id)
		if err != nil {
			return a.notFound(rq, "directory "+id, err)
		}
		dir.Name = ar.Name
		for _, al := range append(ar.Albums, ar.AppearsOn...) {
			dir.Children = append(dir.Children, albumChild(al, starred[al.ID]))
		}
	}
	res = ok()
	res.Directory = dir
	return res
}
