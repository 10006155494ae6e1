package originclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strconv"
	"sync/atomic"

	"segue/cache"
	"segue/catalog"
	"segue/share"
)

// Playlists lists the playlists the token owns.
func (c *Client) Playlists(ctx context.Context) ([]catalog.Playlist, error) {
	var pls []catalog.Playlist
	err := c.getJSON(ctx, c.url(nil, "api", "v1", "playlists"), &pls)
	return pls, err
}

// LocalPlaylists returns how many playlists the origin keeps for "local",
// the listener of an origin running open, which no token sees until
// segue origin token adopt-local hands them over (GET
// /api/v1/local-owned). An origin older than that route answers 404: an
// error, as any failure.
func (c *Client) LocalPlaylists(ctx context.Context) (int64, error) {
	var owned struct {
		Playlists int64 `json:"playlists"`
	}
	err := c.getJSON(ctx, c.url(nil, "api", "v1", "local-owned"), &owned)
	return owned.Playlists, err
}

// LocalCounter is a source that can say how many playlists the origin
// keeps for "local" (the Client; a Subsonic server cannot).
type LocalCounter interface {
	LocalPlaylists(ctx context.Context) (int64, error)
}

// LocalNote asks c how many playlists the origin keeps for "local" (made
// while it ran open, seen by no token once it requires them) and says so,
// with how they are handed over: the words segue playlist list and the
// playlists screen show when a token lists none, for the list was empty
// with no word why. "" when none are kept, or when c cannot tell (an
// origin older than /api/v1/local-owned, or any failure: the note is a
// hint, never a reason to fail the list).
func LocalNote(ctx context.Context, c LocalCounter) string {
	n, err := c.LocalPlaylists(ctx)
	if err != nil || n <= 0 {
		return ""
	}
	return "the origin keeps " + catalog.Count(int(n), "playlist") + ` made while it ran open (owner "local"), which no token sees: ` +
		"on the origin's machine, segue origin token adopt-local TOKEN_ID (or a Subsonic user's name) hands them over"
}

// Playlist returns one of the token's playlists with its tracks (an ID
// the origin does not know: a *NotFoundError).
func (c *Client) Playlist(ctx context.Context, id string) (catalog.Playlist, error) {
	var pl catalog.Playlist
	err := c.getJSON(ctx, c.url(nil, "api", "v1", "playlists", id), &pl)
	return pl, NotFound(err, "playlist", id, c.Source())
}

// SharedPlaylist returns the playlist a share token opens on this origin.
func (c *Client) SharedPlaylist(ctx context.Context, token string) (catalog.Playlist, error) {
	var pl catalog.Playlist
	err := c.getJSON(ctx, c.url(nil, "p", token), &pl)
	return pl, err
}

// CreatePlaylist makes a playlist holding trackIDs (may be empty).
func (c *Client) CreatePlaylist(ctx context.Context, name string, trackIDs []string) (catalog.Playlist, error) {
	var pl catalog.Playlist
	err := c.send(ctx, http.MethodPost, c.url(nil, "api", "v1", "playlists"),
		map[string]any{"name": name, "track_ids": trackIDs}, &pl)
	return c.changed(pl, err)
}

// RenamePlaylist renames a playlist.
func (c *Client) RenamePlaylist(ctx context.Context, id, name string) (catalog.Playlist, error) {
	var pl catalog.Playlist
	err := c.send(ctx, http.MethodPatch, c.url(nil, "api", "v1", "playlists", id), map[string]any{"name": name}, &pl)
	return c.changed(pl, err)
}

// DeletePlaylist deletes a playlist (and its share link).
func (c *Client) DeletePlaylist(ctx context.Context, id string) error {
	err := c.send(ctx, http.MethodDelete, c.url(nil, "api", "v1", "playlists", id), nil, nil)
	if err == nil {
		c.keepList(id, nil)
	}
	return err
}

// The playlist methods take 0-based indexes, like Go slices; the API
// counts positions from 1, as people do, and these add the 1.

// AddToPlaylist inserts tracks at index pos (-1 appends).
func (c *Client) AddToPlaylist(ctx context.Context, id string, trackIDs []string, pos int) (catalog.Playlist, error) {
	var pl catalog.Playlist
	body := map[string]any{"track_ids": trackIDs}
	if pos >= 0 {
		body["position"] = pos + 1
	}
	err := c.send(ctx, http.MethodPost, c.url(nil, "api", "v1", "playlists", id, "tracks"), body, &pl)
	return c.changed(pl, err)
}

// RemoveFromPlaylist removes the track at index pos. expect is the ID of
// the track the caller saw at pos: when pos holds another, or none (the
// playlist was edited elsewhere meanwhile), the origin removes nothing and
// the error matches catalog.ErrPlaylistChanged, its sentence saying what
// pos holds now. "" removes whatever pos holds.
func (c *Client) RemoveFromPlaylist(ctx context.Context, id string, pos int, expect string) (catalog.Playlist, error) {
	var pl catalog.Playlist
	var q url.Values
	if expect != "" {
		q = url.Values{"track": {expect}}
	}
	err := c.send(ctx, http.MethodDelete, c.url(q, "api", "v1", "playlists", id, "tracks", strconv.Itoa(pos+1)), nil, &pl)
	return c.changed(pl, err)
}

// MoveInPlaylist moves the track at index from to index to. expect is the
// ID of the track the caller saw at from, checked as RemoveFromPlaylist
// checks it ("" moves whatever from holds).
func (c *Client) MoveInPlaylist(ctx context.Context, id string, from, to int, expect string) (catalog.Playlist, error) {
	var pl catalog.Playlist
	body := map[string]any{"from": from + 1, "to": to + 1}
	if expect != "" {
		body["track"] = expect
	}
	err := c.send(ctx, http.MethodPost, c.url(nil, "api", "v1", "playlists", id, "move"), body, &pl)
	return c.changed(pl, err)
}

// SharePlaylist makes (or returns) the playlist's share link.
func (c *Client) SharePlaylist(ctx context.Context, id string) (share.Link, error) {
	var pl catalog.Playlist
	if _, err := c.changed(pl, c.send(ctx, http.MethodPost, c.url(nil, "api", "v1", "playlists", id, "share"), nil, &pl)); err != nil {
		return share.Link{}, err
	}
	return share.ParseURL(pl.ShareURL)
}

// UnsharePlaylist revokes the playlist's share link at once.
func (c *Client) UnsharePlaylist(ctx context.Context, id string) error {
	err := c.send(ctx, http.MethodDelete, c.url(nil, "api", "v1", "playlists", id, "share"), nil, nil)
	var pl catalog.Playlist
	if d, ok := c.stored(c.URL("api", "v1", "playlists", id)); err == nil && ok && json.Unmarshal(d.Body, &pl) == nil {
		pl.ShareURL = ""
		c.changed(pl, nil)
	}
	return err
}

// changed keeps Docs true to a change the origin made and answered with
// the playlist pl, and returns pl and err as they came. A read right after
// the change (segue playlist add, then show, in two runs) is answered by
// the stored copy when the origin takes longer than stale.Wait (a busy
// machine), and that copy was the playlist before the change: the answer
// is stored in its place, and the list's entry for pl is replaced.
func (c *Client) changed(pl catalog.Playlist, err error) (catalog.Playlist, error) {
	if err != nil || c.docs == nil || pl.ID == "" {
		return pl, err
	}
	if b, merr := json.Marshal(pl); merr == nil {
		// no ETag: the next read asks for the whole document
		_ = c.docs.PutDoc(c.URL("api", "v1", "playlists", pl.ID), cache.Doc{Body: b, ContentType: "application/json"})
	}
	entry := pl
	entry.Tracks = nil // the list does not list tracks
	c.keepList(pl.ID, &entry)
	return pl, err
}

// keepList puts entry in place of the stored list's playlist id (added at
// the end when the list has none; removed when entry is nil), so a list
// read right after a change is true to it, as changed says. Nothing is
// stored when no list was.
func (c *Client) keepList(id string, entry *catalog.Playlist) {
	key := c.URL("api", "v1", "playlists")
	d, ok := c.stored(key)
	var pls []catalog.Playlist
	if !ok || json.Unmarshal(d.Body, &pls) != nil {
		return
	}
	i := slices.IndexFunc(pls, func(p catalog.Playlist) bool { return p.ID == id })
	switch {
	case entry == nil && i >= 0:
		pls = slices.Delete(pls, i, i+1)
	case entry != nil && i >= 0:
		pls[i] = *entry
	case entry != nil:
		pls = append(pls, *entry)
	}
	if b, err := json.Marshal(pls); err == nil {
		_ = c.docs.PutDoc(key, cache.Doc{Body: b, ContentType: "application/json"})
	}
}

// ErrChangeUnanswered is wrapped (beside the timeout) when the origin was
// sent a change whole and did not begin to answer within answerWait (15
// s): it may have made the change, so doing it again may make it twice.
var ErrChangeUnanswered = errors.New("the change was sent but not answered, so it may have been made: " + LookBeforeAgain)

// LookBeforeAgain ends the sentence of a change that may have been made
// (ErrChangeUnanswered, CutShortError.Made): a command line names where to
// look in its place.
const LookBeforeAgain = "look before making it again"

// send makes a request that changes something: body as JSON, the answer
// decoded into out (when not nil). Changes are never answered from Docs.
// An origin that takes the request and says nothing is waited for
// answerWait (15 s, longer than a read's deafWait, for the reason
// answerWait gives); the error is then a timeout with ErrChangeUnanswered.
func (c *Client) send(ctx context.Context, method, u string, body, out any) error {
	var buf bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&buf).Encode(body); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, u, &buf)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	var sent atomic.Bool
	req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(w httptrace.WroteRequestInfo) { sent.Store(w.Err == nil) },
	}))
	resp, err := c.http.Do(req)
	var ne net.Error
	if err != nil && sent.Load() && ctx.Err() == nil && errors.As(err, &ne) && ne.Timeout() {
		return asked(fmt.Errorf("%s %s: %w (%w)", method, u, err, ErrChangeUnanswered))
	}
	if err != nil {
		return asked(fmt.Errorf("%s %s: the origin is unreachable: %w", method, u, err))
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return asked(fmt.Errorf("%s %s: %w", method, u, statusError(resp)))
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	b, err := readBody(ctx, resp, resp.Body, maxDocBytes)
	var cut *CutShortError
	if errors.As(err, &cut) {
		cut.Made = method != http.MethodGet // the status said it was done
	}
	if err == nil {
		err = json.Unmarshal(b, out)
	}
	if err == nil {
		err = checkShape(b, out)
	}
	if err != nil {
		return asked(fmt.Errorf("%s %s: read answer: %w", method, u, err))
	}
	return nil
}

// URL returns the URL of an API path on this origin, built from path
// segments; it is also the key under which the path's document is kept in
// Docs (offline pinning pins these keys).
func (c *Client) URL(segs ...string) string { return c.url(nil, segs...) }
