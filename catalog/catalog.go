// Package catalog is segue's shared vocabulary: tracks, albums, artists, the
// manifest that describes a track's segmented renditions, and the JSON shapes
// the origin and the client exchange. It imports nothing of segue's and does no
// I/O: every other package speaks in these types.
package catalog

import "time"

// Artist is a performer as the origin's catalog knows it.
type Artist struct {
	ID     string  `json:"id"`
	Name   string  `json:"name"`
	Albums []Album `json:"albums,omitempty"`
}

// Album is a release. Tracks is filled only where a response carries the
// track list (GET /albums/{id}).
type Album struct {
	ID         string  `json:"id"`
	Title      string  `json:"title"`
	ArtistID   string  `json:"artist_id"`
	Artist     string  `json:"artist"`
	Year       int     `json:"year,omitempty"`
	TrackCount int     `json:"track_count"`
	DurationMS int64   `json:"duration_ms"`
	HasCover   bool    `json:"has_cover"`
	Tracks     []Track `json:"tracks,omitempty"`
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
	DiscNo     int    `json:"disc_no,omitempty"`
	Year       int    `json:"year,omitempty"`
	Genre      string `json:"genre,omitempty"`
	DurationMS int64  `json:"duration_ms"`
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
	Tracks     []Track   `json:"tracks,omitempty"`
}
