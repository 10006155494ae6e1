package origin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"segue/catalog"
)

// ErrNotFound is returned by Reader for an ID the catalog does not hold.
var ErrNotFound = errors.New("not found")

// Reader answers the catalog queries the HTTP API serves. It only reads:
// ingest owns every write.
type Reader struct {
	db *sql.DB
	pg bool // db is PostgreSQL: search reads its own index (postgres_search.go)
}

// NewReader returns a Reader over a catalog opened with OpenCatalog or
// OpenCatalogAt.
func NewReader(db *sql.DB) *Reader { return &Reader{db: db, pg: isPostgres(db)} }

// albumCols selects an album with its artist name, track count and length;
// the subqueries read the tracks_album index alone (on SQLite it holds
// every column they read: migration 15).
const albumCols = `a.id, a.title, a.artist_id, ar.name, a.year, a.cover_hash IS NOT NULL, a.compilation,
	(SELECT count(*) FROM tracks t WHERE t.album_id = a.id),
	(SELECT CAST(coalesce(sum(t.duration_ms), 0) AS BIGINT) FROM tracks t WHERE t.album_id = a.id),
	(SELECT coalesce(max(t.disc_no), 0) FROM tracks t WHERE t.album_id = a.id)`

const albumFrom = ` FROM albums a JOIN artists ar ON ar.id = a.artist_id`

func scanAlbum(sc interface{ Scan(...any) error }) (catalog.Album, error) {
	var a catalog.Album
	err := sc.Scan(&a.ID, &a.Title, &a.ArtistID, &a.Artist, &a.Year, &a.HasCover, &a.Compilation, &a.TrackCount, &a.DurationMS, &a.Discs)
	if a.Discs < 2 {
		a.Discs = 0
	}
	return a, err
}

// trackCols selects a track with its artist and album names.
const trackCols = `t.id, t.title, t.artist_id, ar.name, t.album_id, al.title,
	t.track_no, t.disc_no, t.year, t.genre, t.duration_ms, t.high_bytes`

const trackFrom = ` FROM tracks t JOIN artists ar ON ar.id = t.artist_id JOIN albums al ON al.id = t.album_id`

func scanTrack(sc interface{ Scan(...any) error }) (catalog.Track, error) {
	var t catalog.Track
	var high int64
	err := sc.Scan(&t.ID, &t.Title, &t.ArtistID, &t.Artist, &t.AlbumID, &t.Album,
		&t.TrackNo, &t.DiscNo, &t.Year, &t.Genre, &t.DurationMS, &high)
	t.StreamBytes = streamBytes(catalog.RenditionHigh, high)
	return t, err
}

// Changed returns when the catalog's music last changed, to the
// millisecond (UTC): the end of the last ingest or remove that added,
// removed, re-tagged or re-encoded a track or found a cover, or, before
// any, when the catalog got the record (schema step 17 in SQLite, 13 in
// PostgreSQL). Playlists, plays and stars are not part of it. It grows
// with every change.
func (r *Reader) Changed(ctx context.Context) (time.Time, error) {
	var ms int64
	if err := r.db.QueryRowContext(ctx, `SELECT at FROM catalog_changed`).Scan(&ms); err != nil {
		return time.Time{}, fmt.Errorf("read when the catalog changed: %w", err)
	}
	return time.UnixMilli(ms).UTC(), nil
}

// Artists lists every artist by sort name (see catalog.SortKey).
func (r *Reader) Artists(ctx context.Context) ([]catalog.Artist, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT id, name FROM artists ORDER BY sort_key, id`)
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

// Artist returns one artist with its own albums and the albums it appears
// on with its tracks there (catalog.Artist), each oldest first, then by
// sort title.
func (r *Reader) Artist(ctx context.Context, id string) (catalog.Artist, error) {
	var a catalog.Artist
	err := r.db.QueryRowContext(ctx, `SELECT id, name FROM artists WHERE id = ?`, id).Scan(&a.ID, &a.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("artist %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("read artist %s: %w", id, err)
	}
	if a.Albums, err = r.albums(ctx, ` WHERE a.artist_id = ?`, id); err != nil {
		return a, fmt.Errorf("read albums of artist %s: %w", id, err)
	}
	if a.AppearsOn, err = r.albums(ctx, ` WHERE a.artist_id != ? AND a.id IN (SELECT album_id FROM tracks WHERE artist_id = ?)`, id, id); err != nil {
		return a, fmt.Errorf("read albums artist %s appears on: %w", id, err)
	}
	if len(a.AppearsOn) == 0 {
		return a, nil
	}
	ts, err := r.tracks(ctx, ` WHERE t.artist_id = ? AND al.artist_id != ?`, id, id)
	if err != nil {
		return a, fmt.Errorf("read tracks artist %s appears with: %w", id, err)
	}
	at := map[string]int{}
	for i, al := range a.AppearsOn {
		at[al.ID] = i
	}
	for _, t := range ts {
		if i, ok := at[t.AlbumID]; ok { // an ingest may have moved it in between
			a.AppearsOn[i].Tracks = append(a.AppearsOn[i].Tracks, t)
		}
	}
	return a, nil
}

// albums lists the albums matching where (a WHERE clause over albums a),
// oldest first, then by sort title; never nil.
func (r *Reader) albums(ctx context.Context, where string, args ...any) ([]catalog.Album, error) {
	return queryAll(ctx, r.db, scanAlbum, `SELECT `+albumCols+albumFrom+where+` ORDER BY a.year, a.sort_key, a.id`, args...)
}

// tracks lists the tracks matching where (a WHERE clause over tracks t and
// albums al) in album, disc and track order; never nil.
func (r *Reader) tracks(ctx context.Context, where string, args ...any) ([]catalog.Track, error) {
	return queryAll(ctx, r.db, scanTrack, `SELECT `+trackCols+trackFrom+where+
		` ORDER BY t.album_id, t.disc_no, t.track_no, t.sort_key, t.id`, args...)
}

// queryAll scans every row of a query with scan; never nil.
func queryAll[T any](ctx context.Context, db *sql.DB, scan func(interface{ Scan(...any) error }) (T, error), q string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
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
	if a.Tracks, err = r.tracks(ctx, ` WHERE t.album_id = ?`, id); err != nil {
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

// CoverTypes returns the MIME type of every cover image the catalog
// holds, albums' and tracks' own, by blob hash (lowercase).
func (r *Reader) CoverTypes(ctx context.Context) (map[string]string, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT cover_hash, coalesce(cover_mime, '') FROM albums WHERE cover_hash IS NOT NULL
		UNION SELECT cover_hash, coalesce(cover_mime, '') FROM tracks WHERE cover_hash IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("list covers: %w", err)
	}
	defer rows.Close()
	covers := map[string]string{}
	for rows.Next() {
		var hash, mime string
		if err := rows.Scan(&hash, &mime); err != nil {
			return nil, fmt.Errorf("list covers: %w", err)
		}
		if mime == "" {
			mime = "application/octet-stream"
		}
		covers[strings.ToLower(hash)] = mime
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list covers: %w", err)
	}
	return covers, nil
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
