package subsonic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"segue/cache"
	"segue/catalog"
	"segue/net/originclient"
)

// IDs: a Subsonic ID is any string the server chose ("al-3" on gonic, a
// UUID on supysonic, a number on Airsonic). segue's commands tell what an
// ID names by its prefix, so each is given catalog's prefix and an
// underscore: "al_al-3", "t_" + a song ID, "ar_", "pl_".
const idSep = "_"

func segueID(prefix string, id flexString) string {
	if id == "" {
		return ""
	}
	return prefix + idSep + string(id)
}

// serverID returns the server's ID inside a segue ID of the given prefix.
func serverID(prefix, id string) (string, error) {
	raw, ok := strings.CutPrefix(id, prefix+idSep)
	if !ok || raw == "" {
		return "", fmt.Errorf("%q is not an ID from a Subsonic server (want %s%s...): %w", id, prefix, idSep, ErrNotFound)
	}
	return raw, nil
}

// flexString is an ID or name that servers send as a JSON string or number.
type flexString string

// UnmarshalJSON takes a string, a number, or null.
func (f *flexString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	if string(b) == "null" {
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("want a string or a number, got %.20s", b)
	}
	*f = flexString(n.String())
	return nil
}

// Wire types: the fields segue uses of the Subsonic "Child" (a song),
// "AlbumID3", "ArtistID3" and "Playlist" elements.
type song struct {
	ID          flexString `json:"id"`
	Title       string     `json:"title"`
	Album       string     `json:"album"`
	AlbumID     flexString `json:"albumId"`
	Artist      string     `json:"artist"`
	ArtistID    flexString `json:"artistId"`
	Track       int        `json:"track"`
	DiscNumber  int        `json:"discNumber"`
	Year        int        `json:"year"`
	Genre       string     `json:"genre"`
	Duration    int        `json:"duration"` // seconds
	Suffix      string     `json:"suffix"`
	ContentType string     `json:"contentType"`
	BitRate     int        `json:"bitRate"`
	Size        int64      `json:"size"` // bytes of the file as it is
	CoverArt    flexString `json:"coverArt"`
}

type album struct {
	ID        flexString `json:"id"`
	Name      string     `json:"name"`
	Title     string     `json:"title"` // servers answering with a Child
	Artist    string     `json:"artist"`
	ArtistID  flexString `json:"artistId"`
	Year      int        `json:"year"`
	SongCount int        `json:"songCount"`
	Duration  int        `json:"duration"`
	CoverArt  flexString `json:"coverArt"`
	Song      []song     `json:"song"`
}

type artist struct {
	ID    flexString `json:"id"`
	Name  string     `json:"name"`
	Album []album    `json:"album"`
}

func (s song) track() catalog.Track {
	return catalog.Track{
		ID: segueID(catalog.PrefixTrack, s.ID), Title: s.Title,
		ArtistID: segueID(catalog.PrefixArtist, s.ArtistID), Artist: s.Artist,
		AlbumID: segueID(catalog.PrefixAlbum, s.AlbumID), Album: s.Album,
		TrackNo: s.Track, DiscNo: s.DiscNumber, Year: s.Year, Genre: s.Genre,
		DurationMS: int64(s.Duration) * 1000,
	}
}

func tracks(ss []song) []catalog.Track {
	out := make([]catalog.Track, 0, len(ss))
	for _, s := range ss {
		out = append(out, s.track())
	}
	return out
}

func (a album) album() catalog.Album {
	al := catalog.Album{
		ID: segueID(catalog.PrefixAlbum, a.ID), Title: a.Name,
		ArtistID: segueID(catalog.PrefixArtist, a.ArtistID), Artist: a.Artist,
		Year: a.Year, TrackCount: a.SongCount, DurationMS: int64(a.Duration) * 1000,
		HasCover: a.CoverArt != "", Tracks: tracks(a.Song),
	}
	if al.Title == "" {
		al.Title = a.Title
	}
	for _, t := range a.Song {
		al.Discs = max(al.Discs, t.DiscNumber)
	}
	if al.Discs == 1 {
		al.Discs = 0
	}
	if al.TrackCount == 0 {
		al.TrackCount = len(a.Song)
	}
	return al
}

func albums(as []album) []catalog.Album {
	out := make([]catalog.Album, 0, len(as))
	for _, a := range as {
		out = append(out, a.album())
	}
	return out
}

// Search asks search3 for songs, albums and artists matching q; limit <= 0
// asks for 20 of each.
func (c *Client) Search(ctx context.Context, q string, limit int) (catalog.SearchResult, error) {
	if limit <= 0 {
		limit = 20
	}
	n := strconv.Itoa(limit)
	var out struct {
		R struct {
			Artist []artist `json:"artist"`
			Album  []album  `json:"album"`
			Song   []song   `json:"song"`
		} `json:"searchResult3"`
	}
	err := c.get(ctx, "search3", url.Values{"query": {q}, "artistCount": {n}, "albumCount": {n}, "songCount": {n}}, &out)
	res := catalog.SearchResult{Query: q, Tracks: tracks(out.R.Song), Albums: albums(out.R.Album), Artists: []catalog.Artist{}}
	for _, a := range out.R.Artist {
		res.Artists = append(res.Artists, catalog.Artist{ID: segueID(catalog.PrefixArtist, a.ID), Name: a.Name})
	}
	return res, err
}

// Artists lists every artist of getArtists, in the server's index order.
func (c *Client) Artists(ctx context.Context) ([]catalog.Artist, error) {
	var out struct {
		Artists struct {
			Index []struct {
				Artist []artist `json:"artist"`
			} `json:"index"`
		} `json:"artists"`
	}
	if err := c.get(ctx, "getArtists", nil, &out); err != nil {
		return nil, err
	}
	as := []catalog.Artist{}
	for _, ix := range out.Artists.Index {
		for _, a := range ix.Artist {
			as = append(as, catalog.Artist{ID: segueID(catalog.PrefixArtist, a.ID), Name: a.Name})
		}
	}
	return as, nil
}

// Artist returns an artist with its albums (getArtist; Subsonic has no
// "appears on").
func (c *Client) Artist(ctx context.Context, id string) (catalog.Artist, error) {
	raw, err := serverID(catalog.PrefixArtist, id)
	if err != nil {
		return catalog.Artist{}, err
	}
	var out struct {
		Artist artist `json:"artist"`
	}
	if err := c.get(ctx, "getArtist", url.Values{"id": {raw}}, &out); err != nil {
		return catalog.Artist{}, c.notFound(err, "artist", id)
	}
	return catalog.Artist{ID: id, Name: out.Artist.Name, Albums: albums(out.Artist.Album)}, nil
}

// Album returns an album with its tracks (getAlbum).
func (c *Client) Album(ctx context.Context, id string) (catalog.Album, error) {
	a, err := c.album(ctx, id)
	return a.album(), err
}

func (c *Client) album(ctx context.Context, id string) (album, error) {
	raw, err := serverID(catalog.PrefixAlbum, id)
	if err != nil {
		return album{}, err
	}
	var out struct {
		Album album `json:"album"`
	}
	err = c.get(ctx, "getAlbum", url.Values{"id": {raw}}, &out)
	return out.Album, c.notFound(err, "album", id)
}

// Track returns one track (getSong). An ID the server does not know
// (error 70) is an *originclient.NotFoundError, here and in Album, Artist
// and Playlist.
func (c *Client) Track(ctx context.Context, id string) (catalog.Track, error) {
	s, err := c.song(ctx, id)
	return s.track(), err
}

func (c *Client) song(ctx context.Context, id string) (song, error) {
	raw, err := serverID(catalog.PrefixTrack, id)
	if err != nil {
		return song{}, err
	}
	var out struct {
		Song song `json:"song"`
	}
	err = c.get(ctx, "getSong", url.Values{"id": {raw}}, &out)
	return out.Song, c.notFound(err, "track", id)
}

// maxCoverBytes bounds a cover image.
const maxCoverBytes = 16 << 20

// Cover returns an album's cover image and its MIME type (getCoverArt of
// the album's coverArt ID). Covers are kept in the store under CoverKey
// and answer from there when the server is unreachable.
func (c *Client) Cover(ctx context.Context, albumID string) ([]byte, string, error) {
	a, err := c.album(ctx, albumID)
	if err != nil {
		return nil, "", err
	}
	if a.CoverArt == "" {
		return nil, "", fmt.Errorf("album %s has no cover: %w", albumID, ErrNotFound)
	}
	key := c.DocKey("getCoverArt", url.Values{"id": {string(a.CoverArt)}})
	if c.store != nil {
		if d, err := c.store.GetDoc(key); err == nil {
			d, err := storedFirst(c, ctx, d, func(ctx context.Context) (cache.Doc, error) { return c.cover(ctx, key, string(a.CoverArt)) })
			return d.Body, d.ContentType, err
		}
	}
	d, err := c.cover(ctx, key, string(a.CoverArt))
	return d.Body, d.ContentType, err
}

// cover asks for the cover art id, storing it under key, or gives the
// stored one when the server is unreachable.
func (c *Client) cover(ctx context.Context, key, id string) (cache.Doc, error) {
	img, ct, err := c.coverArt(ctx, id)
	switch {
	case err == nil && c.store != nil:
		c.store.PutDoc(key, cache.Doc{Body: img, ContentType: ct})
	case errors.Is(err, catalog.ErrUnreachable) && c.store != nil:
		if d, gerr := c.store.GetDoc(key); gerr == nil {
			return d, nil
		}
	}
	return cache.Doc{Body: img, ContentType: ct}, err
}

// CoverKey is the store's key of the cover of an album, "" when it has
// none or the album is not known here.
func (c *Client) CoverKey(ctx context.Context, albumID string) string {
	a, err := c.album(ctx, albumID)
	if err != nil || a.CoverArt == "" {
		return ""
	}
	return c.DocKey("getCoverArt", url.Values{"id": {string(a.CoverArt)}})
}

func (c *Client) coverArt(ctx context.Context, id string) ([]byte, string, error) {
	auth, err := c.login(ctx)
	if err != nil {
		return nil, "", err
	}
	v := url.Values{"id": {id}}
	for k, vs := range auth {
		v[k] = vs
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.methodURL("getCoverArt", v), nil)
	if err != nil {
		return nil, "", err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, "", c.netErr("getCoverArt", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxCoverBytes))
	if err != nil {
		return nil, "", c.readErr(ctx, "getCoverArt", resp, body, err)
	}
	ct := resp.Header.Get("Content-Type")
	if resp.StatusCode != http.StatusOK || strings.Contains(ct, "json") || strings.Contains(ct, "xml") {
		return nil, "", c.notAudio("getCoverArt", resp, body)
	}
	return body, ct, nil
}

// notFound says the server's "not found" (error 70) to a call for id as
// every source says it (originclient.NotFoundError); other errors stay.
func (c *Client) notFound(err error, kind, id string) error {
	return originclient.NotFound(err, kind, id, c.Source())
}
