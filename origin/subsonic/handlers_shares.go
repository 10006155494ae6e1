package subsonic

// getShares answers the user's shared playlists: segue shares a playlist
// by URL (segue playlist share, or one adopted with origin token
// adopt-local), so each is a share with the playlist's ID, the URL that
// plays it, its name as description, when the playlist was created and
// its songs. Visits are not counted (visitCount 0), and shares do not
// expire. None is an empty list.
func (a *API) getShares(rq *request) *Response {
	pls, err := a.o.Playlists().List(rq.Context(), rq.user.id)
	if err != nil {
		return a.internal(rq, err)
	}
	starred, err := a.stars(rq)
	if err != nil {
		return a.internal(rq, err)
	}
	out := &Shares{Shares: []Share{}}
	for _, pl := range pls {
		url := a.o.ShareURL(rq.Request, pl)
		if url == "" {
			continue
		}
		full, err := a.o.Playlists().Get(rq.Context(), rq.user.id, pl.ID)
		if err != nil {
			return a.notFound(rq, "playlist "+pl.ID, err)
		}
		out.Shares = append(out.Shares, Share{ID: pl.ID, URL: url, Description: pl.Name, Username: rq.user.name,
			Created: stamp(pl.Created), Entries: songsOf(full.Tracks, starred)})
	}
	res := ok()
	res.Shares = out
	return res
}
