package subsonic

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"segue/catalog"
)

// Radio asks the server for at most limit (default 20) songs like seed's
// with getSimilarSongs, the spec's call for a song, an album or an artist;
// a playlist seeds with its last track. Servers answer it from Last.fm
// (gonic and Navidrome, none without their Last.fm key: an empty list) or,
// segue's origin, from its recommender. A server without the call fails
// ErrUnsupported, saying so: it said "the Subsonic server does not support
// this" without asking.
func (c *Client) Radio(ctx context.Context, seed string, limit int) ([]catalog.Track, error) {
	if limit <= 0 {
		limit = 20
	}
	if strings.HasPrefix(seed, catalog.PrefixPlaylist+idSep) {
		pl, err := c.Playlist(ctx, seed)
		if err != nil {
			return nil, fmt.Errorf("radio from %s: %w", seed, err)
		}
		if len(pl.Tracks) == 0 {
			return nil, nil
		}
		seed = pl.Tracks[len(pl.Tracks)-1].ID
	}
	prefix, _, _ := strings.Cut(seed, idSep)
	raw, err := serverID(prefix, seed)
	if err != nil {
		return nil, fmt.Errorf("radio from %s: %w", seed, err)
	}
	var out struct {
		Similar struct {
			Song []song `json:"song"`
		} `json:"similarSongs"`
	}
	err = c.get(ctx, "getSimilarSongs", url.Values{"id": {raw}, "count": {strconv.Itoa(limit)}}, &out)
	if errors.Is(err, ErrUnsupported) {
		return nil, fmt.Errorf("radio from %s: %w: %s answers no getSimilarSongs, the call a radio asks", seed, ErrUnsupported, c.Server())
	}
	if err != nil {
		return nil, fmt.Errorf("radio from %s: %w", seed, err)
	}
	return tracks(out.Similar.Song), nil
}
