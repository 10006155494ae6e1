package subsonic

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// setRating keeps the user's rating of a song, album or artist: rating 1
// to 5, or 0 to take it back (also of an item removed from the catalog
// since, as unstar). Answers show it as userRating (addRatings).
func (a *API) setRating(rq *request) *Response {
	id, res := rq.p.id("id")
	if res != nil {
		return res
	}
	v, res := rq.p.require("rating")
	if res != nil {
		return res
	}
	rating, err := strconv.Atoi(v)
	if err != nil || rating < 0 || rating > 5 {
		return failed(CodeGeneric, fmt.Sprintf("rating %q: want a whole number from 0 to 5 (0 takes the rating back)", v))
	}
	if rating > 0 {
		if err := a.exists(rq.Context(), id); err != nil {
			return a.notFound(rq, id, err)
		}
	}
	if err := a.store.setRating(rq.Context(), rq.user.id, id, rating, time.Now()); err != nil {
		return a.internal(rq, err)
	}
	return ok()
}

// rated is an item of an answer that has a userRating, in place.
type rated struct {
	id     string
	rating *int
}

// ratedRefs returns the items res holds that show a userRating: every
// Child (children), AlbumID3s and ArtistID3s (OpenSubsonic's), index
// artists (Artist) and a folder itself (Directory). Every payload that
// lists the last four must be here.
func ratedRefs(res *Response) []rated {
	var out []rated
	for _, c := range children(res) {
		out = append(out, rated{c.ID, &c.UserRating})
	}
	albums := func(as []AlbumID3) {
		for i := range as {
			out = append(out, rated{as[i].ID, &as[i].UserRating})
		}
	}
	artists := func(as []Artist) {
		for i := range as {
			out = append(out, rated{as[i].ID, &as[i].UserRating})
		}
	}
	artistsID3 := func(as []ArtistID3) {
		for i := range as {
			out = append(out, rated{as[i].ID, &as[i].UserRating})
			albums(as[i].Albums)
		}
	}
	if al := res.Album; al != nil {
		out = append(out, rated{al.ID, &al.UserRating})
	}
	if ar := res.Artist; ar != nil {
		out = append(out, rated{ar.ID, &ar.UserRating})
		albums(ar.Albums)
	}
	if ix := res.Artists; ix != nil {
		for i := range ix.Index {
			artistsID3(ix.Index[i].Artists)
		}
	}
	if info := res.ArtistInfo2; info != nil {
		artistsID3(info.SimilarArtists)
	}
	if d := res.Directory; d != nil {
		out = append(out, rated{d.ID, &d.UserRating})
	}
	if ix := res.Indexes; ix != nil {
		for i := range ix.Index {
			artists(ix.Index[i].Artists)
		}
	}
	if l := res.AlbumList2; l != nil {
		albums(l.Albums)
	}
	for _, r := range []*SearchResult3{res.SearchResult3, res.Starred2} {
		if r != nil {
			artistsID3(r.Artists)
			albums(r.Albums)
		}
	}
	for _, r := range []*SearchResult2{res.SearchResult2, res.Starred} {
		if r != nil {
			artists(r.Artists)
		}
	}
	if info := res.ArtistInfo; info != nil {
		artists(info.SimilarArtists)
	}
	return out
}

// addRatings fills in the userRating of every item in res that owner
// rated, in one read.
func (a *API) addRatings(ctx context.Context, owner string, res *Response) error {
	refs := ratedRefs(res)
	ids := make([]string, 0, len(refs))
	seen := map[string]bool{}
	for _, r := range refs {
		if !seen[r.id] {
			seen[r.id] = true
			ids = append(ids, r.id)
		}
	}
	ratings, err := a.store.ratings(ctx, owner, ids)
	if err != nil {
		return err
	}
	for _, r := range refs {
		*r.rating = ratings[r.id]
	}
	return nil
}
