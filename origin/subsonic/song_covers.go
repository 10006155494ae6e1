package subsonic

import "context"

// children returns every Child res holds (songs, and albums as folders),
// each in place: dropMissingCovers and addRatings change them. Every
// payload that lists Childs must be here.
func children(res *Response) []*Child {
	var out []*Child
	add := func(cs []Child) {
		for i := range cs {
			out = append(out, &cs[i])
		}
	}
	if res.Song != nil {
		out = append(out, res.Song)
	}
	if res.Album != nil {
		add(res.Album.Songs)
	}
	if res.Directory != nil {
		add(res.Directory.Children)
	}
	if res.AlbumList != nil {
		add(res.AlbumList.Albums)
	}
	if res.Playlist != nil {
		add(res.Playlist.Entries)
	}
	if res.PlayQueue != nil {
		add(res.PlayQueue.Entries)
	}
	for _, r := range []*SearchResult3{res.SearchResult3, res.Starred2} {
		if r != nil {
			add(r.Songs)
		}
	}
	for _, r := range []*SearchResult2{res.SearchResult2, res.Starred} {
		if r != nil {
			add(r.Albums)
			add(r.Songs)
		}
	}
	for _, s := range []*Songs{res.RandomSongs, res.SongsByGenre, res.SimilarSongs, res.SimilarSongs2, res.TopSongs} {
		if s != nil {
			add(s.Songs)
		}
	}
	if n := res.NowPlaying; n != nil {
		for i := range n.Entries {
			out = append(out, &n.Entries[i].Child)
		}
	}
	if b := res.Bookmarks; b != nil {
		for i := range b.Bookmarks {
			out = append(out, &b.Bookmarks[i].Entry)
		}
	}
	if s := res.Shares; s != nil {
		for i := range s.Shares {
			add(s.Shares[i].Entries)
		}
	}
	return out
}

// dropMissingCovers takes the coverArt off the songs in res whose album
// has no cover, as the album itself has none (albumOf): songOf names the
// album's cover for every song, and an app asked getCoverArt for each
// and got error 70 instead of an image.
func (a *API) dropMissingCovers(ctx context.Context, res *Response) error {
	var refs []*Child
	for _, c := range children(res) {
		if !c.IsDir { // an album as a folder has its own coverArt (albumChild)
			refs = append(refs, c)
		}
	}
	var ids []string
	seen := map[string]bool{}
	for _, c := range refs {
		if c.CoverArt != "" && !seen[c.CoverArt] {
			seen[c.CoverArt] = true
			ids = append(ids, c.CoverArt)
		}
	}
	none, err := a.store.coverless(ctx, ids)
	if err != nil {
		return err
	}
	for _, c := range refs {
		if none[c.CoverArt] {
			c.CoverArt = ""
		}
	}
	return nil
}
