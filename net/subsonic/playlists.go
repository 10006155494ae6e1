package subsonic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"segue/catalog"
	"segue/share"
)

type playlist struct {
	ID        flexString `json:"id"`
	Name      string     `json:"name"`
	SongCount int        `json:"songCount"`
	Duration  int        `json:"duration"`
	Created   flexTime   `json:"created"`
	Changed   flexTime   `json:"changed"`
	Entry     []song     `json:"entry"`
}

// flexTime is a timestamp in RFC 3339, or without a zone (supysonic: UTC).
type flexTime time.Time

// UnmarshalJSON takes RFC 3339 with or without a zone; anything else is a
// zero time, as a date is only shown.
func (f *flexTime) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			*f = flexTime(t)
			return nil
		}
	}
	return nil
}

func (p playlist) playlist() catalog.Playlist {
	pl := catalog.Playlist{ID: segueID(catalog.PrefixPlaylist, p.ID), Name: p.Name, TrackCount: p.SongCount,
		DurationMS: int64(p.Duration) * 1000, Created: time.Time(p.Created), Updated: time.Time(p.Changed)}
	if p.Entry != nil {
		pl.Tracks = tracks(p.Entry)
	}
	return pl
}

// Playlists lists the user's playlists (getPlaylists).
func (c *Client) Playlists(ctx context.Context) ([]catalog.Playlist, error) {
	var out struct {
		Playlists struct {
			Playlist []playlist `json:"playlist"`
		} `json:"playlists"`
	}
	if err := c.get(ctx, "getPlaylists", nil, &out); err != nil {
		return nil, err
	}
	pls := []catalog.Playlist{}
	for _, p := range out.Playlists.Playlist {
		pls = append(pls, p.playlist())
	}
	return pls, nil
}

// Playlist returns a playlist with its tracks (getPlaylist).
func (c *Client) Playlist(ctx context.Context, id string) (catalog.Playlist, error) {
	return c.playlist(ctx, id, c.get)
}

// serverPlaylist is Playlist asked of the server alone, never answered by
// the stored copy: what an edit changes and writes back, and the playlist
// after a change (which stores it, so that a read right after the change,
// in this run or the next, is true to it; the stored copy answers a read
// when the server takes longer than storedFirst waits, and it was the
// playlist before the change, which an edit then wrote back: an edit
// made just before was lost).
func (c *Client) serverPlaylist(ctx context.Context, id string) (catalog.Playlist, error) {
	return c.playlist(ctx, id, func(ctx context.Context, method string, params url.Values, out any) error {
		return c.ask(ctx, method, params, out, false)
	})
}

// changed asks the server for the list of playlists after a change, so
// that the stored list is true to it (see serverPlaylist); a failure
// leaves the stored list as it was.
func (c *Client) changed(ctx context.Context) {
	var out struct{}
	c.ask(ctx, "getPlaylists", nil, &out, false)
}

func (c *Client) playlist(ctx context.Context, id string, get func(context.Context, string, url.Values, any) error) (catalog.Playlist, error) {
	raw, err := serverID(catalog.PrefixPlaylist, id)
	if err != nil {
		return catalog.Playlist{}, err
	}
	var out struct {
		Playlist playlist `json:"playlist"`
	}
	if err := get(ctx, "getPlaylist", url.Values{"id": {raw}}, &out); err != nil {
		return catalog.Playlist{}, c.notFound(err, "playlist", id)
	}
	pl := out.Playlist.playlist()
	if pl.Tracks == nil {
		pl.Tracks = []catalog.Track{}
	}
	return pl, nil
}

// songIDs turns segue track IDs into the server's song IDs.
func songIDs(trackIDs []string) ([]string, error) {
	out := make([]string, 0, len(trackIDs))
	for _, id := range trackIDs {
		raw, err := serverID(catalog.PrefixTrack, id)
		if err != nil {
			return nil, err
		}
		out = append(out, raw)
	}
	return out, nil
}

// CreatePlaylist makes a playlist of trackIDs (createPlaylist). Servers
// before API 1.14 answer with nothing: the new playlist is then the newest
// of that name.
func (c *Client) CreatePlaylist(ctx context.Context, name string, trackIDs []string) (catalog.Playlist, error) {
	ids, err := songIDs(trackIDs)
	if err != nil {
		return catalog.Playlist{}, err
	}
	var out struct {
		Playlist *playlist `json:"playlist"`
	}
	if err := c.get(ctx, "createPlaylist", url.Values{"name": {name}, "songId": ids}, &out); err != nil {
		return catalog.Playlist{}, err
	}
	defer c.changed(ctx)
	if out.Playlist != nil && out.Playlist.ID != "" {
		return c.serverPlaylist(ctx, segueID(catalog.PrefixPlaylist, out.Playlist.ID))
	}
	var list struct {
		Playlists struct {
			Playlist []playlist `json:"playlist"`
		} `json:"playlists"`
	}
	if err := c.ask(ctx, "getPlaylists", nil, &list, false); err != nil {
		return catalog.Playlist{}, err
	}
	var pls []catalog.Playlist
	for _, p := range list.Playlists.Playlist {
		pls = append(pls, p.playlist())
	}
	var newest *catalog.Playlist
	for i, p := range pls {
		if p.Name == name && (newest == nil || !p.Created.Before(newest.Created)) {
			newest = &pls[i]
		}
	}
	if newest == nil {
		return catalog.Playlist{}, fmt.Errorf("subsonic server %s: createPlaylist %q: the server answered ok but lists no such playlist", c.Server(), name)
	}
	return c.Playlist(ctx, newest.ID)
}

// RenamePlaylist renames a playlist (updatePlaylist name=).
func (c *Client) RenamePlaylist(ctx context.Context, id, name string) (catalog.Playlist, error) {
	return c.update(ctx, id, url.Values{"name": {name}})
}

// DeletePlaylist deletes a playlist (deletePlaylist).
func (c *Client) DeletePlaylist(ctx context.Context, id string) error {
	raw, err := serverID(catalog.PrefixPlaylist, id)
	if err != nil {
		return err
	}
	if err := c.get(ctx, "deletePlaylist", url.Values{"id": {raw}}, nil); err != nil {
		return err
	}
	c.changed(ctx)
	return nil
}

// AddToPlaylist inserts trackIDs before position pos (0-based; < 0 or past
// the end: append). Subsonic only appends, so an insertion rewrites the
// playlist's songs (createPlaylist with playlistId).
func (c *Client) AddToPlaylist(ctx context.Context, id string, trackIDs []string, pos int) (catalog.Playlist, error) {
	ids, err := songIDs(trackIDs)
	if err != nil {
		return catalog.Playlist{}, err
	}
	return c.edit(ctx, id, func(songs []string) ([]string, error) {
		if err := catalog.CheckInsert(pos, len(songs)); err != nil {
			return nil, err
		}
		if pos < 0 {
			pos = len(songs)
		}
		return slices.Insert(songs, pos, ids...), nil
	})
}

// RemoveFromPlaylist removes the track at pos (0-based). expect is the ID
// of the track the caller saw at pos: when pos holds another, or none, it
// removes nothing and answers catalog.Changed's ErrPlaylistChanged ("":
// whatever pos holds). Subsonic has no precondition, so the check is made
// on the songs read just before they are written back.
func (c *Client) RemoveFromPlaylist(ctx context.Context, id string, pos int, expect string) (catalog.Playlist, error) {
	return c.edit(ctx, id, func(songs []string) ([]string, error) {
		if err := expectSong(songs, pos, expect); err != nil {
			return nil, err
		}
		if err := catalog.CheckRemove(pos, len(songs)); err != nil {
			return nil, err // a bad argument (2), as on segue's origin; it was "not found" (3)
		}
		return slices.Delete(songs, pos, pos+1), nil
	})
}

// MoveInPlaylist moves the track at from to to (both 0-based); expect is
// the track the caller saw at from, as RemoveFromPlaylist checks it.
func (c *Client) MoveInPlaylist(ctx context.Context, id string, from, to int, expect string) (catalog.Playlist, error) {
	return c.edit(ctx, id, func(songs []string) ([]string, error) {
		if err := expectSong(songs, from, expect); err != nil {
			return nil, err
		}
		if err := catalog.CheckMove(from, to, len(songs)); err != nil {
			return nil, err
		}
		s := songs[from]
		songs = slices.Delete(songs, from, from+1)
		return slices.Insert(songs, to, s), nil
	})
}

// expectSong checks that songs[pos] is the track ID expect (a catalog ID,
// "" checks nothing), as the origin checks an edit by position.
func expectSong(songs []string, pos int, expect string) error {
	if expect == "" {
		return nil
	}
	if pos < 0 || pos >= len(songs) {
		return catalog.Changed(pos, len(songs), "", "", expect)
	}
	if now := catalog.PrefixTrack + idSep + songs[pos]; now != expect {
		return catalog.Changed(pos, len(songs), now, "", expect)
	}
	return nil
}

// edit reads the playlist's song IDs, changes them with change and writes
// them back whole (createPlaylist with playlistId replaces the songs).
func (c *Client) edit(ctx context.Context, id string, change func([]string) ([]string, error)) (catalog.Playlist, error) {
	raw, err := serverID(catalog.PrefixPlaylist, id)
	if err != nil {
		return catalog.Playlist{}, err
	}
	pl, err := c.serverPlaylist(ctx, id)
	if err != nil {
		return catalog.Playlist{}, err
	}
	songs := make([]string, 0, len(pl.Tracks))
	for _, t := range pl.Tracks {
		songs = append(songs, t.ID[len(catalog.PrefixTrack+idSep):])
	}
	songs, err = change(songs)
	if err != nil {
		return catalog.Playlist{}, err
	}
	if err := c.get(ctx, "createPlaylist", url.Values{"playlistId": {raw}, "songId": songs}, nil); err != nil {
		return catalog.Playlist{}, err
	}
	defer c.changed(ctx)
	return c.serverPlaylist(ctx, id)
}

// update calls updatePlaylist with params and returns the playlist after.
func (c *Client) update(ctx context.Context, id string, params url.Values) (catalog.Playlist, error) {
	raw, err := serverID(catalog.PrefixPlaylist, id)
	if err != nil {
		return catalog.Playlist{}, err
	}
	params.Set("playlistId", raw)
	if err := c.get(ctx, "updatePlaylist", params, nil); err != nil {
		return catalog.Playlist{}, err
	}
	defer c.changed(ctx)
	return c.serverPlaylist(ctx, id)
}

// SharePlaylist asks the server's createShare for the playlist's share
// URL: segue's origin answers its share link, Navidrome (with sharing on)
// a page of its own (share.Link's Page). A server without it (Subsonic
// error 0, 30 or 70, or a 404 of the route: gonic) is ErrUnsupported,
// saying where a share comes from instead; an ID the server does not know
// is told from that by the caller's lookup (cli's whichNotFound).
func (c *Client) SharePlaylist(ctx context.Context, id string) (share.Link, error) {
	raw, err := serverID(catalog.PrefixPlaylist, id)
	if err != nil {
		return share.Link{}, err
	}
	var out struct {
		Shares struct {
			Share []struct {
				URL string `json:"url"`
			} `json:"share"`
		} `json:"shares"`
	}
	err = c.ask(ctx, "createShare", url.Values{"id": {raw}}, &out, false)
	switch {
	case errors.Is(err, ErrUnsupported), errors.Is(err, ErrNotFound):
		return share.Link{}, fmt.Errorf("share %s: %w: %s offers no createShare; share the playlist from the Subsonic server's own web interface, "+
			"or ingest the music into a segue origin (segue origin ingest) and share it there", id, ErrUnsupported, c.Server())
	case err != nil:
		return share.Link{}, fmt.Errorf("share %s: %w", id, err)
	case len(out.Shares.Share) == 0 || out.Shares.Share[0].URL == "":
		return share.Link{}, fmt.Errorf("share %s: the Subsonic server %s answered createShare with no share URL", id, c.Server())
	}
	u := out.Shares.Share[0].URL
	if l, err := share.ParseURL(u); err == nil {
		return l, nil // segue's origin: a link segue play takes
	}
	return share.Link{Page: u}, nil
}

// UnsharePlaylist revokes the playlist's shares on the server: getShares,
// then deleteShare of each share that is the playlist's. deleteShare takes
// a share's own ID, which segue does not keep, so the playlist's shares
// are found by playlistShares' rule. None found is an error saying the
// playlist is not shared (exit 1; a segue origin's own API takes the
// unshare of an unshared playlist as done), after the playlist itself was
// looked up (an ID the server does not know is its not-found error). A
// server without getShares (Subsonic error 0, 30 or 70, or a 404 of the
// route: gonic) or deleteShare (0, 30 or a 404) is ErrUnsupported,
// saying where to revoke the share instead; deleteShare's 70 is a share
// gone meanwhile, which is what was asked.
func (c *Client) UnsharePlaylist(ctx context.Context, id string) error {
	raw, err := serverID(catalog.PrefixPlaylist, id)
	if err != nil {
		return err
	}
	unsupported := func() error {
		return fmt.Errorf("unshare %s: %w: %s offers no deleteShare; revoke the playlist's share in the Subsonic server's own web interface",
			id, ErrUnsupported, c.Server())
	}
	var out struct {
		Shares struct {
			Share []serverShare `json:"share"`
		} `json:"shares"`
	}
	err = c.ask(ctx, "getShares", nil, &out, false)
	switch {
	case errors.Is(err, ErrUnsupported), errors.Is(err, ErrNotFound):
		return unsupported()
	case err != nil:
		return fmt.Errorf("unshare %s: %w", id, err)
	}
	ids := playlistShares(out.Shares.Share, raw, nil)
	if len(ids) == 0 {
		pl, err := c.serverPlaylist(ctx, id)
		if err != nil {
			return err // worded as every source's lookup (not found: exit 3)
		}
		var songs []string
		for _, t := range pl.Tracks {
			s, err := serverID(catalog.PrefixTrack, t.ID)
			if err != nil {
				return fmt.Errorf("unshare %s: %w", id, err)
			}
			songs = append(songs, s)
		}
		ids = playlistShares(out.Shares.Share, raw, songs)
	}
	if len(ids) == 0 {
		return fmt.Errorf("unshare %s: the playlist is not shared on the Subsonic server %s, so there is nothing to revoke; "+
			"a share made before its songs last changed is revoked in the server's own web interface", id, c.Server())
	}
	for _, sid := range ids {
		err := c.ask(ctx, "deleteShare", url.Values{"id": {sid}}, nil, false)
		switch {
		case errors.Is(err, ErrUnsupported):
			return unsupported()
		case errors.Is(err, ErrNotFound): // gone meanwhile: revoked all the same
		case err != nil:
			return fmt.Errorf("unshare %s: delete share %s: %w", id, sid, err)
		}
	}
	return nil
}

// serverShare is one share of getShares: its ID (deleteShare's) and songs.
type serverShare struct {
	ID    flexString `json:"id"`
	Entry []song     `json:"entry"`
}

// playlistShares returns the IDs of the shares that are the playlist raw's
// (its server ID) whose songs are songs, in order. A share whose ID is the
// playlist's is the one (segue's origin keys a share by its playlist:
// origin/subsonic/handlers_shares.go); else every share whose entries are
// exactly the playlist's current songs in order (Navidrome gives a share
// an ID of its own, and its getShares entries are the playlist's songs).
// No songs match no share by entries: an empty share is anything's.
func playlistShares(shares []serverShare, raw string, songs []string) []string {
	for _, s := range shares {
		if string(s.ID) == raw {
			return []string{raw}
		}
	}
	var ids []string
	for _, s := range shares {
		if len(songs) > 0 && slices.EqualFunc(s.Entry, songs, func(e song, id string) bool { return string(e.ID) == id }) {
			ids = append(ids, string(s.ID))
		}
	}
	return ids
}

// NowPlaying tells the server trackID started (scrobble, submission=false).
func (c *Client) NowPlaying(ctx context.Context, trackID string) error {
	return c.scrobble(ctx, trackID, false, time.Now())
}

// PostEvents sends each play heard to its end as a scrobble
// (submission=true, at the time the play started); skips are not sent, as
// Last.fm, which Subsonic servers pass scrobbles to, counts only plays.
// It satisfies scrobble.Poster, so plays made offline are spooled and sent
// later.
func (c *Client) PostEvents(ctx context.Context, evs []catalog.PlayEvent) error {
	for _, ev := range evs {
		if !ev.Completed {
			continue
		}
		if err := c.scrobble(ctx, ev.TrackID, true, ev.At); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return nil
}

func (c *Client) scrobble(ctx context.Context, trackID string, submission bool, t time.Time) error {
	raw, err := serverID(catalog.PrefixTrack, trackID)
	if err != nil {
		return err
	}
	return c.get(ctx, "scrobble", url.Values{"id": {raw}, "submission": {fmt.Sprint(submission)},
		"time": {fmt.Sprint(t.UnixMilli())}}, nil)
}
