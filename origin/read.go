package origin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"segue/catalog"
)

// ErrNotFound is returned by Reader for an ID the catalog does not hold.
var ErrNotFound = errors.New("not found")

// Reader answers the catalog queries the HTTP API serves. It only reads:
// ingest owns every write.
type Reader struct {
	db *sql.DB
}

// NewReader returns a Reader over a catalog opened with OpenCatalog.
func NewReader(db *sql.DB) *Reader { return &Reader{db: db} }

// albumCols selects an album with its artist name, track count and length;
// the subqueries use the tracks_album index.
const albumCols = `a.id, a.title, a.artist_id, ar.name, a.year, a.cover_hash IS NOT NULL,
	(SELECT count(*) FROM tracks t WHERE t.album_id = a.id),
	(SELECT coalesce(sum(t.duration_ms), 0) FROM tracks t WHERE t.album_id = a.id)`

const albumFrom = ` FROM albums a JOIN artists ar ON ar.id = a.artist_id`

func scanAlbum(sc interface{ Scan(...any) error }) (catalog.Album, error) {
	var a catalog.Album
	err := sc.Scan(&a.ID, &a.Title, &a.ArtistID, &a.Artist, &a.Year, &a.HasCover, &a.TrackCount, &a.DurationMS)
	return a, err
}

// trackCols selects a track with its artist and album names.
const trackCols = `t.id, t.title, t.artist_id, ar.name, t.album_id, al.title,
	t.track_no, t.disc_no, t.year, t.genre, t.duration_ms`

const trackFrom = ` FROM tracks t JOIN artists ar ON ar.id = t.artist_id JOIN albums al ON al.id = t.album_id`

func scanTrack(sc interface{ Scan(...any) error }) (catalog.Track, error) {
	var t catalog.Track
	err := sc.Scan(&t.ID, &t.Title, &t.ArtistID, &t.Artist, &t.AlbumID, &t.Album,
		&t.TrackNo, &t.DiscNo, &t.Year, &t.Genre, &t.DurationMS)
	return t, err
}

// Artists lists every artist, by name.
func (r *Reader) Artists(ctx context.Context) ([]catalog.Artist, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT id, name FROM artists ORDER BY name COLLATE NOCASE, id`)
	if err != nil {
		return nil, fmt.Errorf("list artists: %w", err)
	}
	defer rows.Close()
	out := []catalog.Artist{}
	for rows.Next() {
		var a catalog.Artist
		if err := rows.Scan(&a.ID, &a.Name); err != nil {
			return nil, fmt.Errorf("list artists: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list artists: %w", err)
	}
	return out, nil
}

// Artist returns one artist with its albums, oldest first.
func (r *Reader) Artist(ctx context.Context, id string) (catalog.Artist, error) {
	var a catalog.Artist
	err := r.db.QueryRowContext(ctx, `SELECT id, name FROM artists WHERE id = ?`, id).Scan(&a.ID, &a.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("artist %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("read artist %s: %w", id, err)
	}
	rows, err := r.db.QueryContext(ctx, `SELECT `+albumCols+albumFrom+
		` WHERE a.artist_id = ? ORDER BY a.year, a.title COLLATE NOCASE, a.id`, id)
	if err != nil {
		return a, fmt.Errorf("read albums of artist %s: %w", id, err)
	}
	defer rows.Close()
	a.Albums = []catalog.Album{}
	for rows.Next() {
		al, err := scanAlbum(rows)
		if err != nil {
			return a, fmt.Errorf("read albums of artist %s: %w", id, err)
		}
		a.Albums = append(a.Albums, al)
	}
	if err := rows.Err(); err != nil {
		return a, fmt.Errorf("read albums of artist %s: %w", id, err)
	}
	return a, nil
}

// Album returns one album with its tracks in disc and track order.
func (r *Reader) Album(ctx context.Context, id string) (catalog.Album, error) {
	a, err := scanAlbum(r.db.QueryRowContext(ctx, `SELECT `+albumCols+albumFrom+` WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("album %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("read album %s: %w", id, err)
	}
	rows, err := r.db.QueryContext(ctx, `SELECT `+trackCols+trackFrom+
		` WHERE t.album_id = ? ORDER BY t.disc_no, t.track_no, t.title COLLATE NOCASE, t.id`, id)
	if err != nil {
		return a, fmt.Errorf("read tracks of album %s: %w", id, err)
	}
	defer rows.Close()
	a.Tracks = []catalog.Track{}
	for rows.Next() {
		t, err := scanTrack(rows)
		if err != nil {
			return a, fmt.Errorf("read tracks of album %s: %w", id, err)
		}
		a.Tracks = append(a.Tracks, t)
	}
	if err := rows.Err(); err != nil {
		return a, fmt.Errorf("read tracks of album %s: %w", id, err)
	}
	return a, nil
}

// Track returns one track.
func (r *Reader) Track(ctx context.Context, id string) (catalog.Track, error) {
	t, err := scanTrack(r.db.QueryRowContext(ctx, `SELECT `+trackCols+trackFrom+` WHERE t.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("track %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return t, fmt.Errorf("read track %s: %w", id, err)
	}
	return t, nil
}

// Manifest returns the manifest JSON stored for a track, as ingest wrote it.
func (r *Reader) Manifest(ctx context.Context, trackID string) ([]byte, error) {
	var m []byte
	err := r.db.QueryRowContext(ctx, `SELECT manifest FROM tracks WHERE id = ?`, trackID).Scan(&m)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("manifest of track %s: %w", trackID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read manifest of track %s: %w", trackID, err)
	}
	return m, nil
}

// Cover returns the blob hash and MIME type of an album's cover image;
// ErrNotFound when the album is unknown or has no cover.
func (r *Reader) Cover(ctx context.Context, albumID string) (hash, mime string, err error) {
	var h, m sql.NullString
	err = r.db.QueryRowContext(ctx, `SELECT cover_hash, cover_mime FROM albums WHERE id = ?`, albumID).Scan(&h, &m)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("album %s: %w", albumID, ErrNotFound)
	}
	if err != nil {
		return "", "", fmt.Errorf("read cover of album %s: %w", albumID, err)
	}
	if !h.Valid || h.String == "" {
		return "", "", fmt.Errorf("cover of album %s: %w", albumID, ErrNotFound)
	}
	mime = m.String
	if mime == "" {
		mime = "application/octet-stream"
	}
	return strings.ToLower(h.String), mime, nil
}
