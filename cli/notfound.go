package cli

import (
	"context"
	"errors"
	"strings"

	"segue/catalog"
	"segue/net/originclient"
	"segue/net/subsonic"
)

// whichNotFound returns err, the failure of a request that named ids (a
// playlist's edit, a radio's seed, tracks to add), as the
// *originclient.NotFoundError of the first of them its source does not
// know: "playlist pl0… not found on the origin at HOST", or "on the
// Subsonic server at HOST", as show, library and play say it. Such
// requests said the source's own words instead: segue's origin "playlist
// pl0 not found", `unknown track "t0"`, "seed t0 not found" (no source, no
// kind); a Subsonic server "not found on the origin (...)", or gonic's
// error 0 for an unknown ID, which was "does not support this" (exit 1,
// not 3). Only a refusal the source answered (not found, or a Subsonic
// error 0 or 30) is looked into, one lookup per ID until one is not
// found; err is returned as it is when every ID is there, and for any
// other failure (an unreachable source).
func whichNotFound(ctx context.Context, c source, err error, ids ...string) error {
	if err == nil || errors.As(err, new(*originclient.NotFoundError)) ||
		!errors.Is(err, originclient.ErrNotFound) && !errors.Is(err, subsonic.ErrUnsupported) {
		return err
	}
	for _, id := range ids {
		if lerr := lookupID(ctx, c, id); errors.As(lerr, new(*originclient.NotFoundError)) {
			return lerr
		}
	}
	return err
}

// lookupID asks c for the document of id, by its kind (its prefix), and
// returns how that failed (nil: c has it).
func lookupID(ctx context.Context, c source, id string) error {
	var err error
	switch {
	case strings.HasPrefix(id, catalog.PrefixPlaylist):
		_, err = c.Playlist(ctx, id)
	case strings.HasPrefix(id, catalog.PrefixAlbum):
		_, err = c.Album(ctx, id)
	case strings.HasPrefix(id, catalog.PrefixArtist):
		_, err = c.Artist(ctx, id)
	case strings.HasPrefix(id, catalog.PrefixTrack):
		_, err = c.Track(ctx, id)
	}
	return err
}

// idArgs returns the arguments of a command whose idsAnnotation words are
// kinds that name IDs (not "-": a name, a position).
func idArgs(kinds string, args []string) []string {
	var out []string
	for i, arg := range args {
		if namesID(kinds, i) {
			out = append(out, arg)
		}
	}
	return out
}

// namesID reports whether the argument at index i of a command whose
// idsAnnotation is kinds names an ID (its word is not "-").
func namesID(kinds string, i int) bool {
	words := strings.Fields(kinds)
	if n := len(words); n > 1 && words[n-1] == idsRepeat {
		words = words[:n-1]
	}
	return len(words) > 0 && words[min(i, len(words)-1)] != "-"
}
