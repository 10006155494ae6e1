package subsonic

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"segue/catalog"
)

// This file is all the SQL of the Subsonic API, written in the subset
// SQLite and PostgreSQL both speak with "?" placeholders, as the origin's
// repositories are. Its own tables
// (subsonic_users, stars) are created by the origin's migration 8, and
// play_queues by its migration 18 (PostgreSQL's 14), bookmarks by its
// 19 (PostgreSQL's 15), ratings by its 20 (PostgreSQL's 16); the
// catalog itself is read through origin.Reader, and here only to choose
// which IDs a listing holds (the Reader has no such listing) before the
// Reader reads them.

// store is the Subsonic API's view of the catalog database.
type store struct{ db *sql.DB }

// insertUser adds u; ErrUserExists when the name is taken, in any case
// (nameKey).
func insertUser(ctx context.Context, db *sql.DB, u User, sealed []byte, apiKeySHA string) error {
	res, err := db.ExecContext(ctx, `INSERT INTO subsonic_users (name, id, pass_sealed, api_key_sha, created_at, name_key)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, u.Name, u.ID, sealed, apiKeySHA, u.Created.UnixMilli(), nameKey(u.Name))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrUserExists
	}
	return nil
}

// ListUsers returns every user, oldest first.
func ListUsers(ctx context.Context, db *sql.DB) ([]User, error) {
	rows, err := db.QueryContext(ctx, `SELECT name, id, pass_sealed IS NOT NULL, created_at FROM subsonic_users ORDER BY created_at, name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	out := []User{}
	for rows.Next() {
		var u User
		var at int64
		if err := rows.Scan(&u.Name, &u.ID, &u.HasPassword, &at); err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		u.Created = time.UnixMilli(at).UTC()
		out = append(out, u)
	}
	return out, rows.Err()
}

// Removed counts what RemoveUser deleted with a user.
type Removed struct {
	Playlists int64 `json:"playlists"` // with their tracks and share links
	Plays     int64 `json:"plays"`     // its scrobbles: play events
	Stars     int64 `json:"stars"`
	Ratings   int64 `json:"ratings"`
}

// RemoveUser deletes the user called name and everything it owns, in one
// transaction: its playlists (their share links stop working), its plays,
// its stars, its ratings, its play queue and its bookmarks; it returns
// how many of the first four went. A user added later under the same name
// has another ID (AddUser), so it starts with none of them, also of what
// a request signed in as the removed user wrote after this. ErrNoUser when no user is called name
// (nothing is deleted then).
func RemoveUser(ctx context.Context, db *sql.DB, name string) (Removed, error) {
	var gone Removed
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return gone, fmt.Errorf("remove user %s: %w", name, err)
	}
	defer tx.Rollback()
	var id string
	err = tx.QueryRowContext(ctx, `DELETE FROM subsonic_users WHERE name = ? RETURNING id`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return gone, fmt.Errorf("remove user %s: %w", name, ErrNoUser)
	}
	if err != nil {
		return gone, fmt.Errorf("remove user %s: %w", name, err)
	}
	for _, d := range []struct {
		what, q string
		n       *int64
	}{
		// playlist_tracks go with their playlist (ON DELETE CASCADE)
		{"playlists", `DELETE FROM playlists WHERE owner = ?`, &gone.Playlists},
		{"plays", `DELETE FROM events WHERE listener = ?`, &gone.Plays},
		{"stars", `DELETE FROM stars WHERE owner = ?`, &gone.Stars},
		{"ratings", `DELETE FROM ratings WHERE owner = ?`, &gone.Ratings},
		{"play queue", `DELETE FROM play_queues WHERE owner = ?`, new(int64)},
		{"bookmarks", `DELETE FROM bookmarks WHERE owner = ?`, new(int64)},
	} {
		res, err := tx.ExecContext(ctx, d.q, id)
		if err != nil {
			return Removed{}, fmt.Errorf("remove the %s of user %s: %w", d.what, name, err)
		}
		*d.n, _ = res.RowsAffected()
	}
	if err := tx.Commit(); err != nil {
		return Removed{}, fmt.Errorf("remove user %s: %w", name, err)
	}
	return gone, nil
}

// setPassword replaces the sealed password of the user with id.
func (s store) setPassword(ctx context.Context, id string, sealed []byte) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE subsonic_users SET pass_sealed = ? WHERE id = ?`, sealed, id); err != nil {
		return fmt.Errorf("change the password: %w", err)
	}
	return nil
}

// account is a user as authentication needs it.
type account struct {
	name, id string
	sealed   []byte // nil: API key only
}

// userBy returns the user whose column (name, name_key or api_key_sha)
// is value;
// ErrNoUser when none.
func (s store) userBy(ctx context.Context, column, value string) (account, error) {
	var a account
	err := s.db.QueryRowContext(ctx, `SELECT name, id, pass_sealed FROM subsonic_users WHERE `+column+` = ?`, value).
		Scan(&a.name, &a.id, &a.sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNoUser
	}
	return a, err
}

// The writes of the user's own rows (star, setRating, savePlayQueue,
// saveBookmark) insert them only while the owner is a user: their rows
// come from ownerRow, whose last "?" is the owner. So a request that
// signed in before "origin user remove" ran and writes after it stores
// nothing under the removed ID. (Its values are cast: PostgreSQL cannot
// tell a bare parameter's type in a SELECT list.)
const ownerRow = ` FROM subsonic_users WHERE id = ?`

// star marks ids for owner (again: keeps the first time).
func (s store) star(ctx context.Context, owner string, ids []string, at time.Time) error {
	for _, id := range ids {
		if _, err := s.db.ExecContext(ctx, `INSERT INTO stars (owner, item_id, starred_at)
			SELECT id, CAST(? AS TEXT), CAST(? AS BIGINT)`+ownerRow+` ON CONFLICT DO NOTHING`,
			id, at.UnixMilli(), owner); err != nil {
			return fmt.Errorf("star %s: %w", id, err)
		}
	}
	return nil
}

// unstar removes owner's marks on ids.
func (s store) unstar(ctx context.Context, owner string, ids []string) error {
	for _, id := range ids {
		if _, err := s.db.ExecContext(ctx, `DELETE FROM stars WHERE owner = ? AND item_id = ?`, owner, id); err != nil {
			return fmt.Errorf("unstar %s: %w", id, err)
		}
	}
	return nil
}

// stars returns owner's starred IDs, newest first, and when each was
// starred.
func (s store) stars(ctx context.Context, owner string) ([]string, map[string]time.Time, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT item_id, starred_at FROM stars WHERE owner = ? ORDER BY starred_at DESC, item_id`, owner)
	if err != nil {
		return nil, nil, fmt.Errorf("read stars: %w", err)
	}
	defer rows.Close()
	var ids []string
	at := map[string]time.Time{}
	for rows.Next() {
		var id string
		var ms int64
		if err := rows.Scan(&id, &ms); err != nil {
			return nil, nil, fmt.Errorf("read stars: %w", err)
		}
		ids = append(ids, id)
		at[id] = time.UnixMilli(ms).UTC()
	}
	return ids, at, rows.Err()
}

// setRating keeps owner's rating of id, 1 to 5 (again: replaces it);
// 0 deletes it.
func (s store) setRating(ctx context.Context, owner, id string, rating int, at time.Time) error {
	var err error
	if rating == 0 {
		_, err = s.db.ExecContext(ctx, `DELETE FROM ratings WHERE owner = ? AND item_id = ?`, owner, id)
	} else {
		_, err = s.db.ExecContext(ctx, `INSERT INTO ratings (owner, item_id, rating, rated_at)
			SELECT id, CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS BIGINT)`+ownerRow+`
			ON CONFLICT (owner, item_id) DO UPDATE SET rating = excluded.rating, rated_at = excluded.rated_at`,
			id, rating, at.UnixMilli(), owner)
	}
	if err != nil {
		return fmt.Errorf("rate %s: %w", id, err)
	}
	return nil
}

// ratingsByID is the most IDs ratings names in its statement; for more
// (getIndexes lists every artist, more than a statement takes parameters)
// it reads all of the user's ratings, one range of the primary key.
const ratingsByID = 500

// ratings returns owner's ratings of those of ids it rated (and, for
// more than ratingsByID IDs, of others too).
func (s store) ratings(ctx context.Context, owner string, ids []string) (map[string]int, error) {
	out := map[string]int{}
	switch {
	case len(ids) == 0:
		return out, nil
	case len(ids) > ratingsByID:
		return out, s.readRatings(ctx, out, `SELECT item_id, rating FROM ratings WHERE owner = ?`, owner)
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, owner)
	for _, id := range ids {
		args = append(args, id)
	}
	return out, s.readRatings(ctx, out, `SELECT item_id, rating FROM ratings WHERE owner = ? AND item_id IN (?`+
		strings.Repeat(", ?", len(ids)-1)+`)`, args...)
}

// readRatings adds the (item ID, rating) rows of q to into.
func (s store) readRatings(ctx context.Context, into map[string]int, q string, args ...any) error {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("read ratings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var r int
		if err := rows.Scan(&id, &r); err != nil {
			return fmt.Errorf("read ratings: %w", err)
		}
		into[id] = r
	}
	return rows.Err()
}

// playQueue is a user's saved play queue (savePlayQueue).
type playQueue struct {
	trackIDs   []string
	current    string // a track ID; "" none
	positionMS int64  // how far into current
	changed    time.Time
	changedBy  string // the app (c) that saved it
}

// savePlayQueue replaces owner's play queue with q; a queue without
// tracks deletes it.
func (s store) savePlayQueue(ctx context.Context, owner string, q playQueue) error {
	var err error
	if len(q.trackIDs) == 0 {
		_, err = s.db.ExecContext(ctx, `DELETE FROM play_queues WHERE owner = ?`, owner)
	} else {
		_, err = s.db.ExecContext(ctx, `INSERT INTO play_queues (owner, track_ids, current_id, position_ms, changed_at, changed_by)
			SELECT id, CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT)`+ownerRow+`
			ON CONFLICT (owner) DO UPDATE SET track_ids = excluded.track_ids,
			current_id = excluded.current_id, position_ms = excluded.position_ms, changed_at = excluded.changed_at,
			changed_by = excluded.changed_by`,
			strings.Join(q.trackIDs, " "), q.current, q.positionMS, q.changed.UnixMilli(), q.changedBy, owner)
	}
	if err != nil {
		return fmt.Errorf("save the play queue: %w", err)
	}
	return nil
}

// playQueue returns owner's play queue; false when it has none.
func (s store) playQueue(ctx context.Context, owner string) (playQueue, bool, error) {
	var q playQueue
	var ids string
	var at int64
	err := s.db.QueryRowContext(ctx, `SELECT track_ids, current_id, position_ms, changed_at, changed_by FROM play_queues WHERE owner = ?`,
		owner).Scan(&ids, &q.current, &q.positionMS, &at, &q.changedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return q, false, nil
	}
	if err != nil {
		return q, false, fmt.Errorf("read the play queue: %w", err)
	}
	q.trackIDs, q.changed = strings.Fields(ids), time.UnixMilli(at).UTC()
	return q, true, nil
}

// bookmark is a position a user keeps in a track (createBookmark).
type bookmark struct {
	trackID          string
	positionMS       int64
	comment          string
	created, changed time.Time
}

// saveBookmark keeps b for owner, replacing its bookmark of b's track
// (whose created time stays).
func (s store) saveBookmark(ctx context.Context, owner string, b bookmark) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO bookmarks (owner, track_id, position_ms, comment, created_at, changed_at)
		SELECT id, CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT)`+ownerRow+`
		ON CONFLICT (owner, track_id) DO UPDATE SET position_ms = excluded.position_ms,
		comment = excluded.comment, changed_at = excluded.changed_at`,
		b.trackID, b.positionMS, b.comment, b.created.UnixMilli(), b.changed.UnixMilli(), owner)
	if err != nil {
		return fmt.Errorf("save the bookmark of %s: %w", b.trackID, err)
	}
	return nil
}

// deleteBookmark deletes owner's bookmark of trackID, if any.
func (s store) deleteBookmark(ctx context.Context, owner, trackID string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM bookmarks WHERE owner = ? AND track_id = ?`, owner, trackID); err != nil {
		return fmt.Errorf("delete the bookmark of %s: %w", trackID, err)
	}
	return nil
}

// bookmarks returns owner's bookmarks, the last changed first.
func (s store) bookmarks(ctx context.Context, owner string) ([]bookmark, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT track_id, position_ms, comment, created_at, changed_at FROM bookmarks
		WHERE owner = ? ORDER BY changed_at DESC, track_id`, owner)
	if err != nil {
		return nil, fmt.Errorf("read bookmarks: %w", err)
	}
	defer rows.Close()
	var out []bookmark
	for rows.Next() {
		var b bookmark
		var created, changed int64
		if err := rows.Scan(&b.trackID, &b.positionMS, &b.comment, &created, &changed); err != nil {
			return nil, fmt.Errorf("read bookmarks: %w", err)
		}
		b.created, b.changed = time.UnixMilli(created).UTC(), time.UnixMilli(changed).UTC()
		out = append(out, b)
	}
	return out, rows.Err()
}

// ids runs a query whose rows are one ID each.
func (s store) ids(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// albumList is what getAlbumList2 asks for (its parameters, checked).
type albumList struct {
	kind             string
	size, offset     int
	fromYear, toYear int
	genre, owner     string
}

// albumKinds are the album orders of getAlbumList2's type parameter.
// "highest" lists the albums the user rated, best first.
var albumKinds = []string{"random", "newest", "highest", "frequent", "recent", "alphabeticalByName",
	"alphabeticalByArtist", "starred", "byYear", "byGenre"}

// albumQuery is the SQL (with its arguments) of l's order, returning
// album IDs.
func albumQuery(l albumList) (string, []any) {
	starred := `SELECT item_id FROM stars WHERE owner = ? AND item_id LIKE '` + catalog.PrefixAlbum + `%' ORDER BY starred_at DESC, item_id`
	played := `SELECT t.album_id FROM events e JOIN tracks t ON t.id = e.track_id WHERE e.listener = ? GROUP BY t.album_id ORDER BY `
	switch l.kind {
	case "random":
		return `SELECT id FROM albums ORDER BY random()`, nil
	case "newest":
		return `SELECT album_id FROM tracks GROUP BY album_id ORDER BY min(added_at) DESC, album_id`, nil // see added
	case "alphabeticalByArtist":
		return `SELECT a.id FROM albums a JOIN artists ar ON ar.id = a.artist_id ORDER BY ar.sort_key, a.year, a.sort_key, a.id`, nil
	case "frequent":
		return played + `count(*) DESC, t.album_id`, []any{l.owner}
	case "recent":
		return played + `max(e.at) DESC, t.album_id`, []any{l.owner}
	case "starred":
		return starred, []any{l.owner}
	case "highest":
		return `SELECT item_id FROM ratings WHERE owner = ? AND item_id LIKE '` + catalog.PrefixAlbum +
			`%' ORDER BY rating DESC, rated_at DESC, item_id`, []any{l.owner}
	case "byYear": // from after to lists newest first, as the spec says
		order := "year"
		if l.fromYear > l.toYear {
			order = "year DESC"
		}
		return `SELECT id FROM albums WHERE year BETWEEN ? AND ? ORDER BY ` + order + `, sort_key, id`,
			[]any{min(l.fromYear, l.toYear), max(l.fromYear, l.toYear)}
	case "byGenre":
		return `SELECT id FROM albums WHERE id IN (SELECT album_id FROM tracks WHERE lower(genre) = lower(?)) ORDER BY sort_key, id`, []any{l.genre}
	}
	return `SELECT id FROM albums ORDER BY sort_key, id`, nil // alphabeticalByName
}

// albumIDs returns one page of the albums of l's order.
func (s store) albumIDs(ctx context.Context, l albumList) ([]string, error) {
	q, args := albumQuery(l)
	ids, err := s.ids(ctx, q+` LIMIT ? OFFSET ?`, append(args, l.size, l.offset)...)
	if err != nil {
		return nil, fmt.Errorf("list albums (%s): %w", l.kind, err)
	}
	return ids, nil
}

// randomTrackIDs returns up to n random tracks, of genre when not empty,
// from the years fromYear to toYear.
func (s store) randomTrackIDs(ctx context.Context, n int, genre string, fromYear, toYear int) ([]string, error) {
	ids, err := s.ids(ctx, `SELECT id FROM tracks WHERE (? = '' OR lower(genre) = lower(?)) AND year BETWEEN ? AND ?
		ORDER BY random() LIMIT ?`, genre, genre, fromYear, toYear, n)
	if err != nil {
		return nil, fmt.Errorf("pick random tracks: %w", err)
	}
	return ids, nil
}

// trackIDs returns one page of every track by title (search3 with an
// empty query, which clients use to sync the whole library).
func (s store) trackIDs(ctx context.Context, limit, offset int) ([]string, error) {
	return s.ids(ctx, `SELECT id FROM tracks ORDER BY sort_key, id LIMIT ? OFFSET ?`, limit, offset)
}

// genreTrackIDs returns one page of the tracks of genre (case folded) by
// title.
func (s store) genreTrackIDs(ctx context.Context, genre string, limit, offset int) ([]string, error) {
	ids, err := s.ids(ctx, `SELECT id FROM tracks WHERE lower(genre) = lower(?) ORDER BY sort_key, id LIMIT ? OFFSET ?`, genre, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("list the songs of genre %s: %w", genre, err)
	}
	return ids, nil
}

// artistTrackIDs returns an artist's tracks, the most played (by anyone)
// first, then in album order.
func (s store) artistTrackIDs(ctx context.Context, artistID string, limit int) ([]string, error) {
	return s.ids(ctx, `SELECT t.id FROM tracks t LEFT JOIN events e ON e.track_id = t.id WHERE t.artist_id = ?
		GROUP BY t.id ORDER BY count(e.id) DESC, t.year, t.album_id, t.disc_no, t.track_no, t.id LIMIT ?`, artistID, limit)
}

// artistByName returns the ID of the artist called name (case folded).
func (s store) artistByName(ctx context.Context, name string) (string, error) {
	ids, err := s.ids(ctx, `SELECT id FROM artists WHERE lower(name) = lower(?) ORDER BY id LIMIT 1`, name)
	if err != nil || len(ids) == 0 {
		return "", err
	}
	return ids[0], nil
}

// albumCounts returns how many albums each artist has (as album artist).
func (s store) albumCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT artist_id, count(*) FROM albums GROUP BY artist_id`)
	if err != nil {
		return nil, fmt.Errorf("count albums: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("count albums: %w", err)
		}
		out[id] = n
	}
	return out, rows.Err()
}

// added returns when each album was added to the catalog: when the first
// of its tracks still there was ingested (tracks.added_at), whatever its
// files' modification times say. It is Subsonic's "created" of an album,
// and "newest" lists albums by it. Navidrome does the same: an album's
// CreatedAt is the oldest CreatedAt (when the row was made) of its files
// (model/mediafile.go, MediaFiles.ToAlbum), and its newest albums are by
// that. So a track added to an old album later does not make it new.
// (gonic's scanner, populateAlbum, takes a file's modification time, as
// this did before.)
func (s store) added(ctx context.Context, albumIDs []string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	if len(albumIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(albumIDs))
	for i, id := range albumIDs {
		args[i] = id
	}
	rows, err := s.db.QueryContext(ctx, `SELECT album_id, min(added_at) FROM tracks WHERE album_id IN (?`+
		strings.Repeat(", ?", len(albumIDs)-1)+`) GROUP BY album_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read album times: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var ns int64
		if err := rows.Scan(&id, &ns); err != nil {
			return nil, fmt.Errorf("read album times: %w", err)
		}
		out[id] = time.Unix(0, ns).UTC()
	}
	return out, rows.Err()
}

// coverless returns which of albumIDs have no cover (as Reader.Cover
// finds none).
func (s store) coverless(ctx context.Context, albumIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(albumIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(albumIDs))
	for i, id := range albumIDs {
		args[i] = id
	}
	ids, err := s.ids(ctx, `SELECT id FROM albums WHERE (cover_hash IS NULL OR cover_hash = '') AND id IN (?`+
		strings.Repeat(", ?", len(albumIDs)-1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("read which albums have covers: %w", err)
	}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// genres counts the songs and albums of each genre (tracks' genre tags,
// case as first ingested), by name.
func (s store) genres(ctx context.Context) ([]Genre, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT min(genre), count(*), count(DISTINCT album_id) FROM tracks
		WHERE genre != '' GROUP BY lower(genre) ORDER BY lower(genre)`)
	if err != nil {
		return nil, fmt.Errorf("count genres: %w", err)
	}
	defer rows.Close()
	out := []Genre{}
	for rows.Next() {
		var g Genre
		if err := rows.Scan(&g.Name, &g.SongCount, &g.AlbumCount); err != nil {
			return nil, fmt.Errorf("count genres: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// trackCount is how many tracks the catalog holds.
func (s store) trackCount(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM tracks`).Scan(&n)
	return n, err
}
