package subsonic

import "context"

// songRefs returns the songs res holds, each in place, for
// dropMissingCovers: every payload that lists songs must be here.
func songRefs(res *Response) []*Child {
	var out []*Child
	add := func(cs []Child) {
		for i := range cs {
			if !cs[i].IsDir { // an album as a folder has its own coverArt (albumChild)
				out = append(out, &cs[i])
			}
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
			add(r.Songs)
		}
	}
	for _, s := range []*Songs{res.RandomSongs, res.SimilarSongs, res.SimilarSongs2, res.TopSongs} {
		if s != nil {
			add(s.Songs)
		}
	}
	return out
}

// dropMissingCovers takes the coverArt off the songs in res whose album
// has no cover, as the album itself has none (albumOf): songOf names the
// album's cover for every song, and an app asked getCoverArt for each
// and got error 70 instead of an image.
func (a *API) dropMissingCovers(ctx context.Context, res *Response) error {
	refs := songRefs(res)
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
