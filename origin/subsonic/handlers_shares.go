package subsonic

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"segue/catalog"
	"segue/share"
)

// Shares are segue's playlist share links (segue playlist share, or a
// playlist adopted with origin token adopt-local): a share is the
// playlist, its ID the playlist's, its description the playlist's name,
// created when the playlist was. Visits are not counted (visitCount 0),
// and shares do not expire.

// getShares answers the user's shared playlists, each with the URL that
// plays it and its songs; none is an empty list.
func (a *API) getShares(rq *request) *Response {
	pls, err := a.o.Playlists().List(rq.Context(), rq.user.id)
	if err != nil {
		return a.internal(rq, err)
	}
	var shared []string
	for _, pl := range pls {
		if pl.ShareURL != "" {
			shared = append(shared, pl.ID)
		}
	}
	return a.answerShares(rq, shared)
}

// answerShares answers the user's playlists ids as shares.
func (a *API) answerShares(rq *request, ids []string) *Response {
	starred, err := a.stars(rq)
	if err != nil {
		return a.internal(rq, err)
	}
	out := &Shares{Shares: []Share{}}
	for _, id := range ids {
		pl, err := a.o.Playlists().Get(rq.Context(), rq.user.id, id)
		if err != nil {
			return a.playlistFailed(rq, id, err)
		}
		out.Shares = append(out.Shares, Share{ID: pl.ID, URL: a.o.ShareURL(rq.Request, pl), Description: pl.Name,
			Username: rq.user.name, Created: stamp(pl.Created), Entries: songsOf(pl.Tracks, starred)})
	}
	res := ok()
	res.Shares = out
	return res
}

// createShare shares the user's playlist id (one, required) by URL and
// answers the share (the same URL when it was shared already). Songs,
// albums and artists cannot be shared: a playlist of them can. expires
// other than 0 is refused (segue's shares last until deleteShare);
// description is not kept (the playlist's name is the description).
func (a *API) createShare(rq *request) *Response {
	id, res := rq.p.id("id")
	if res != nil {
		return res
	}
	if len(rq.p["id"]) > 1 {
		return failed(CodeGeneric, fmt.Sprintf("%d IDs: segue shares one playlist at a time; give one playlist's id", len(rq.p["id"])))
	}
	if !strings.HasPrefix(id, catalog.PrefixPlaylist) {
		if err := a.exists(rq.Context(), id); err != nil {
			return a.notFound(rq, id, err)
		}
		return failed(CodeGeneric, fmt.Sprintf("%s is not a playlist: segue shares playlists only; make one of it (createPlaylist) and share that", id))
	}
	if exp, res := rq.p.integer("expires", 0, 0, math.MaxInt); res != nil {
		return res
	} else if exp != 0 {
		return failed(CodeGeneric, fmt.Sprintf("expires %s: segue's shares do not expire (deleteShare ends one); leave expires out",
			time.UnixMilli(int64(exp)).UTC().Format(time.RFC3339)))
	}
	if _, err := a.o.Playlists().Share(rq.Context(), rq.user.id, id); err != nil {
		return a.playlistFailed(rq, id, err)
	}
	return a.answerShares(rq, []string{id})
}

// deleteShare stops sharing the user's playlist id: its URL stops
// working at once; the playlist stays.
func (a *API) deleteShare(rq *request) *Response {
	id, res := rq.p.id("id")
	if res != nil {
		return res
	}
	if err := a.o.Playlists().Unshare(rq.Context(), rq.user.id, id); err != nil {
		return a.playlistFailed(rq, id, err)
	}
	return ok()
}

// SharePrefix is where Subsonic's own server (and Navidrome) serve share
// links, /share/TOKEN: DSub shows its user the server's address, "share/"
// and the last segment of the url getShares gave, whatever the url was
// (ShareParser in daneren2005/Subsonic). New mounts shareRedirect there.
const SharePrefix = "/share/"

// shareRedirect answers /share/TOKEN with a permanent redirect to the
// share page /p/TOKEN, which checks the token; a path that holds no
// token's shape is 404. It needs no credentials, as /p/ needs none.
func shareRedirect(w http.ResponseWriter, r *http.Request) {
	token := strings.TrimPrefix(r.URL.Path, SharePrefix)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "share links are opened with GET", http.StatusMethodNotAllowed)
		return
	}
	if !share.ValidToken(token) {
		http.Error(w, "no share link at "+r.URL.Path+": a share link is /p/TOKEN (or /share/TOKEN), the whole token", http.StatusNotFound)
		return
	}
	http.Redirect(w, r, "/p/"+token, http.StatusMovedPermanently)
}
