// Package catalog is segue's shared vocabulary: tracks, albums, artists, the
// manifest that describes a track's segmented renditions, and the JSON shapes
// the origin and the client exchange. It imports nothing of segue's and does no
// I/O: every other package speaks in these types.
package catalog

import (
	"fmt"
	"strconv"
	"time"
)

// Artist is a performer as the origin's catalog knows it. One artist is
// every spelling of a name with the same catalog.NameKey.
//
// GET /artists lists artists with ID and name only, ordered by sort name
// (the artist-sort tag, else the name without a leading "The ", "A " or
// "An "). GET /artists/{id} fills Albums and AppearsOn (each omitted when
// there are none).
type Artist struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Albums are the artist's own albums (the artist is their album
	// artist), oldest first, then by album sort name. Tracks is empty.
	Albums []Album `json:"albums,omitempty"`
	// AppearsOn are the albums of other album artists (compilations,
	// guest spots) with a track by this artist, oldest first; each
	// album's Tracks holds only this artist's tracks there, in disc and
	// track order.
	AppearsOn []Album `json:"appears_on,omitempty"`
}

// Album is a release. Tracks is filled only where a response carries the
// track list (GET /albums/{id}: every track in disc, then track order).
type Album struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	ArtistID string `json:"artist_id"` // the album artist
	Artist   string `json:"artist"`    // the album_artist tag, the tracks' common artist, or "Various Artists"
	Year     int    `json:"year,omitempty"`
	// Discs is the highest disc number of the tracks (from disc tags, or
	// disc folders such as CD1/ and "Disc 2/"), omitted when 1 or unknown:
	// where it is set, show each track's disc (DiscNo).
	Discs       int     `json:"discs,omitempty"`
	Compilation bool    `json:"compilation,omitempty"` // compilation=1 tag, or Various Artists
	TrackCount  int     `json:"track_count"`
	DurationMS  int64   `json:"duration_ms"`
	HasCover    bool    `json:"has_cover"`
	Tracks      []Track `json:"tracks,omitempty"`
}

// Track is one playable recording.
type Track struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	ArtistID   string `json:"artist_id"`
	Artist     string `json:"artist"`
	AlbumID    string `json:"album_id"`
	Album      string `json:"album"`
	TrackNo    int    `json:"track_no,omitempty"`
	DiscNo     int    `json:"disc_no,omitempty"` // the disc tag, else the disc folder's number; 0 when neither
	Year       int    `json:"year,omitempty"`
	Genre      string `json:"genre,omitempty"`
	DurationMS int64  `json:"duration_ms"`
	// StreamBytes is the length in bytes of the track's whole progressive
	// MP3 in the high rendition (RenditionHigh), as the origin serves it
	// (GET /api/v1/tracks/{id}/stream?quality=high, Subsonic's stream
	// without maxBitRate and download): the Info frame with the gapless
	// delay and padding, then every segment. The origin's catalog reads
	// it with the track; 0 where unknown. Not part of the JSON API: a
	// client reads segment sizes from the manifest.
	StreamBytes int64 `json:"-"`
}

// SearchResult is the answer to GET /api/v1/search, best matches first.
type SearchResult struct {
	Query   string   `json:"query"`
	Tracks  []Track  `json:"tracks"`
	Albums  []Album  `json:"albums"`
	Artists []Artist `json:"artists"`
}

// ErrorResponse is the body of every non-2xx JSON answer of the origin.
type ErrorResponse struct {
	Error string `json:"error"`
}

// NoRoute begins the ErrorResponse of the origin's 404 for a path it has
// no route for: a client reads it as a wrong origin URL, not as a thing
// the origin does not have.
const NoRoute = "no such route"

// OwnedByToken ends the playlist ID that begins the ErrorResponse of the
// origin's 403 for a playlist asked for without a token on an open origin
// when a token owns it (segue origin token adopt-local handed it over):
// "playlist ID belongs to a token ...". A client tells it from a refused
// token by these words.
const OwnedByToken = " belongs to a token on the origin"

// TooManyRefused is in the ErrorResponse of the origin's 429 to an address
// that sent too many refused tokens: a client tells that refusal, which
// waiting does not cure, from a rate limit that asks it to wait.
const TooManyRefused = "too many refused"

// Playlist is an ordered list of tracks kept on the origin, owned by the
// token that created it. ShareURL is set while the playlist is shared.
type Playlist struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	TrackCount int       `json:"track_count"`
	DurationMS int64     `json:"duration_ms"`
	ShareURL   string    `json:"share_url,omitempty"`
	Created    time.Time `json:"created"`
	Updated    time.Time `json:"updated"`
	Tracks     []Track   `json:"tracks,omitzero"` // nil where tracks are not listed (a list of playlists); [] when it has none
}

// Number is how a track of album a is numbered where it is listed: "1-03"
// (disc-track) when the album spans discs (a.Discs is set), else "3"; ""
// when the track has no number.
func (a Album) Number(t Track) string {
	switch {
	case t.TrackNo == 0 && (a.Discs == 0 || t.DiscNo == 0):
		return ""
	case a.Discs > 0:
		return fmt.Sprintf("%d-%02d", t.DiscNo, t.TrackNo)
	}
	return strconv.Itoa(t.TrackNo)
}
