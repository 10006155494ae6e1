package subsonic

import (
	"fmt"
	"math"
	"time"
)

// maxComment bounds a bookmark's comment, in bytes.
const maxComment = 1000

// createBookmark keeps the user's position (milliseconds) in the song id,
// with an optional comment, replacing its bookmark of that song (which
// keeps its created time). The song must be in the catalog (code 70).
func (a *API) createBookmark(rq *request) *Response {
	id, res := rq.p.id("id")
	if res != nil {
		return res
	}
	if _, res := rq.p.require("position"); res != nil {
		return res
	}
	pos, res := rq.p.integer("position", 0, 0, math.MaxInt)
	if res != nil {
		return res
	}
	comment := rq.p.get("comment")
	if len(comment) > maxComment {
		return failed(CodeGeneric, fmt.Sprintf("comment is %d bytes: give at most %d", len(comment), maxComment))
	}
	if _, err := a.o.Reader().Track(rq.Context(), id); err != nil {
		return a.notFound(rq, "song "+id, err)
	}
	now := time.Now().UTC()
	b := bookmark{trackID: id, positionMS: int64(pos), comment: comment, created: now, changed: now}
	if err := a.store.saveBookmark(rq.Context(), rq.user.id, b); err != nil {
		return a.internal(rq, err)
	}
	return ok()
}

// deleteBookmark deletes the user's bookmark of the song id; ok also when
// there was none (an app's retry), and for a song gone from the catalog.
func (a *API) deleteBookmark(rq *request) *Response {
	id, res := rq.p.id("id")
	if res != nil {
		return res
	}
	if err := a.store.deleteBookmark(rq.Context(), rq.user.id, id); err != nil {
		return a.internal(rq, err)
	}
	return ok()
}

// getBookmarks answers the user's bookmarks, the last changed first,
// each with its song; a song gone from the catalog since is left out.
func (a *API) getBookmarks(rq *request) *Response {
	bs, err := a.store.bookmarks(rq.Context(), rq.user.id)
	if err != nil {
		return a.internal(rq, err)
	}
	out := &Bookmarks{Bookmarks: []Bookmark{}}
	err = withSongs(a, rq, bs, func(b bookmark) string { return b.trackID }, func(b bookmark, song Child) {
		out.Bookmarks = append(out.Bookmarks, Bookmark{Position: b.positionMS, Username: rq.user.name, Comment: b.comment,
			Created: stamp(b.created), Changed: stamp(b.changed), Entry: song})
	})
	if err != nil {
		return a.internal(rq, err)
	}
	res := ok()
	res.Bookmarks = out
	return res
}
