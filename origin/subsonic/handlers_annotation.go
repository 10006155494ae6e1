package subsonic

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"segue/catalog"
)

// scrobbleSession marks play events that came through the Subsonic API.
const scrobbleSession = "subsonic"

// scrobble records plays of the songs id (repeated), each at its time
// (unix milliseconds; default now), as the origin's play events for the
// user, which the recommender learns from: a completed play of the whole
// track, since a Subsonic client scrobbles what it played through (at
// half or four minutes). submission=false is "now playing": checked,
// nothing stored, its first song kept in memory for getNowPlaying. A scrobble sent twice (same song and time) counts once.
func (a *API) scrobble(rq *request) *Response {
	if _, res := rq.p.require("id"); res != nil {
		return res
	}
	ids, res := rq.p.ids("id")
	if res != nil {
		return res
	}
	times, res := rq.p.integers("time")
	if res != nil {
		return res
	}
	if len(times) > len(ids) {
		return failed(CodeGeneric, fmt.Sprintf("%d times for %d songs: give at most one time per id", len(times), len(ids)))
	}
	submission, res := rq.p.boolean("submission", true)
	if res != nil {
		return res
	}
	now := time.Now().UTC()
	var evs []catalog.PlayEvent
	for i, id := range ids {
		t, err := a.o.Reader().Track(rq.Context(), id)
		if err != nil {
			return a.notFound(rq, "song "+id, err)
		}
		at := now
		if i < len(times) {
			at = time.UnixMilli(times[i]).UTC()
		}
		evs = append(evs, catalog.PlayEvent{TrackID: t.ID, PlayedMS: t.DurationMS, Completed: true, At: at, Session: scrobbleSession})
	}
	if !submission { // "now playing": the first song, which getNowPlaying shows
		a.playing.start(rq.user, rq.p.app(), evs[0].TrackID, time.Duration(evs[0].PlayedMS)*time.Millisecond)
		return ok()
	}
	if _, err := a.o.Events().Add(rq.Context(), rq.user.id, evs); errors.Is(err, catalog.ErrBadEvent) {
		// such as a time after year 9999: the client's mistake, said so
		return failed(CodeGeneric, fmt.Sprintf("time: %v (time is milliseconds since 1970)", err))
	} else if err != nil {
		return a.internal(rq, err)
	}
	return ok()
}

// starTargets gathers id, albumId and artistId (each repeatable): at
// least one, each the shape of an ID.
func (a *API) starTargets(rq *request) ([]string, *Response) {
	var all []string
	for _, name := range []string{"id", "albumId", "artistId"} {
		ids, res := rq.p.ids(name)
		if res != nil {
			return nil, res
		}
		all = append(all, ids...)
	}
	if len(all) == 0 {
		return nil, failed(CodeMissingParam, "required parameter id, albumId or artistId is missing")
	}
	return all, nil
}

// known answers code 70 for the first of ids that names nothing in the
// catalog and is not in keep; nil when there is none.
func (a *API) known(rq *request, ids []string, keep map[string]time.Time) *Response {
	for _, id := range ids {
		if _, ok := keep[id]; ok {
			continue
		}
		if err := a.exists(rq.Context(), id); err != nil {
			return a.notFound(rq, id, err)
		}
	}
	return nil
}

// exists returns nil when id names a track, album or artist.
func (a *API) exists(ctx context.Context, id string) error {
	r := a.o.Reader()
	var err error
	switch {
	case strings.HasPrefix(id, catalog.PrefixAlbum):
		_, err = r.Album(ctx, id)
	case strings.HasPrefix(id, catalog.PrefixArtist):
		_, err = r.Artist(ctx, id)
	default:
		_, err = r.Track(ctx, id)
	}
	return err
}

func (a *API) star(rq *request) *Response {
	ids, res := a.starTargets(rq)
	if res != nil {
		return res
	}
	if res := a.known(rq, ids, nil); res != nil {
		return res
	}
	if err := a.store.star(rq.Context(), rq.user.id, ids, time.Now()); err != nil {
		return a.internal(rq, err)
	}
	return ok()
}

// unstar removes the user's stars on the items named, also on items gone
// from the catalog since they were starred (an app unstars what its own
// copy shows); an ID that is neither starred nor in the catalog is code
// 70, and then nothing is unstarred.
func (a *API) unstar(rq *request) *Response {
	ids, res := a.starTargets(rq)
	if res != nil {
		return res
	}
	starred, err := a.stars(rq)
	if err != nil {
		return a.internal(rq, err)
	}
	if res := a.known(rq, ids, starred); res != nil {
		return res
	}
	if err := a.store.unstar(rq.Context(), rq.user.id, ids); err != nil {
		return a.internal(rq, err)
	}
	return ok()
}
