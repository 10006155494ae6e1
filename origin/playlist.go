package origin

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"segue/catalog"
	"segue/share"
)

// LocalOwner owns the playlists of an origin that runs open on loopback.
const LocalOwner = "local"

// Playlist errors; the API maps them to 400, 404, 404 and 409.
var (
	ErrBadPlaylist  = errors.New("bad playlist request")
	ErrUnknownTrack = errors.New("unknown track")
	ErrNoShare      = errors.New("unknown or revoked share link")
	// ErrPlaylistChanged: an edit by position named the track it expected
	// there, and the position holds another (or none): the caller's view
	// is stale. The error says what the position holds now.
	ErrPlaylistChanged = catalog.ErrPlaylistChanged
)

// maxPlaylistTracks bounds one playlist so a script cannot grow one without end.
const maxPlaylistTracks = 10_000

// Playlists is the playlist store in the catalog database. Every method
// takes the owner: a playlist of another owner is ErrNotFound, not
// forbidden, so IDs leak nothing.
type Playlists struct {
	db     *sql.DB
	reader *Reader
}

// NewPlaylists returns the store over db.
func NewPlaylists(db *sql.DB) *Playlists { return &Playlists{db: db, reader: NewReader(db)} }

func nowMS() int64 { return time.Now().UnixMilli() }

func newPlaylistID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return catalog.PrefixPlaylist + hex.EncodeToString(b)
}

func checkName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > catalog.MaxPlaylistName {
		return "", fmt.Errorf("%w: a name of 1-%d bytes is required", ErrBadPlaylist, catalog.MaxPlaylistName)
	}
	if err := catalog.CheckNameChars(name); err != nil { // a line break or a text-direction override
		return "", fmt.Errorf("%w: %w", ErrBadPlaylist, err)
	}
	return name, nil
}

// Create makes an empty playlist.
func (p *Playlists) Create(ctx context.Context, owner, name string) (catalog.Playlist, error) {
	name, err := checkName(name)
	if err != nil {
		return catalog.Playlist{}, err
	}
	id, now := newPlaylistID(), nowMS()
	if _, err := p.db.ExecContext(ctx, `INSERT INTO playlists(id, owner, name, created_at, updated_at) VALUES (?,?,?,?,?)`,
		id, owner, name, now, now); err != nil {
		return catalog.Playlist{}, fmt.Errorf("create playlist: %w", err)
	}
	return p.Get(ctx, owner, id)
}

// List returns the owner's playlists (without tracks), by name, in one
// query: counts and lengths come from the same join Get walks.
func (p *Playlists) List(ctx context.Context, owner string) ([]catalog.Playlist, error) {
	rows, err := p.db.QueryContext(ctx, `SELECT `+playlistCols+`, count(t.id), CAST(coalesce(sum(t.duration_ms), 0) AS BIGINT)
		FROM playlists p LEFT JOIN playlist_tracks pt ON pt.playlist_id = p.id LEFT JOIN tracks t ON t.id = pt.track_id
		WHERE p.owner = ? GROUP BY p.id ORDER BY p.name, p.id`, owner)
	if err != nil {
		return nil, fmt.Errorf("list playlists: %w", err)
	}
	defer rows.Close()
	out := []catalog.Playlist{}
	for rows.Next() {
		var count int
		var ms int64
		pl, err := scanPlaylist(rows, &count, &ms)
		if err != nil {
			return nil, fmt.Errorf("list playlists: %w", err)
		}
		pl.TrackCount, pl.DurationMS = count, ms
		out = append(out, pl)
	}
	return out, rows.Err()
}

// Get returns one playlist with its tracks in order. Tracks that are no
// longer in the catalog are left out.
func (p *Playlists) Get(ctx context.Context, owner, id string) (catalog.Playlist, error) {
	return p.get(ctx, `id = ? AND owner = ?`, id, owner)
}

// Owner returns who owns the playlist id ("" and ErrNotFound: none).
func (p *Playlists) Owner(ctx context.Context, id string) (string, error) {
	var owner string
	err := p.db.QueryRowContext(ctx, `SELECT owner FROM playlists WHERE id = ?`, id).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("playlist: %w", ErrNotFound)
	}
	return owner, err
}

// ByShare returns the playlist a share token opens, whoever owns it.
func (p *Playlists) ByShare(ctx context.Context, token string) (catalog.Playlist, error) {
	if !share.ValidToken(token) {
		return catalog.Playlist{}, ErrNoShare
	}
	pl, err := p.get(ctx, `share_token = ?`, token)
	if errors.Is(err, ErrNotFound) {
		return pl, ErrNoShare
	}
	return pl, err
}

// playlistCols are the columns scanPlaylist reads, in its order.
const playlistCols = `p.id, p.name, p.created_at, p.updated_at, p.share_token`

// scanPlaylist reads playlistCols and then extra (counts of List).
func scanPlaylist(sc interface{ Scan(...any) error }, extra ...any) (catalog.Playlist, error) {
	var pl catalog.Playlist
	var created, updated int64
	var shareTok sql.NullString
	if err := sc.Scan(append([]any{&pl.ID, &pl.Name, &created, &updated, &shareTok}, extra...)...); err != nil {
		return pl, err
	}
	pl.Created, pl.Updated = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	if shareTok.Valid {
		pl.ShareURL = "/p/" + shareTok.String // made absolute by the API, which knows the host
	}
	return pl, nil
}

func (p *Playlists) get(ctx context.Context, where string, args ...any) (catalog.Playlist, error) {
	pl, err := scanPlaylist(p.db.QueryRowContext(ctx, `SELECT `+playlistCols+` FROM playlists p WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return pl, fmt.Errorf("playlist: %w", ErrNotFound)
	}
	if err != nil {
		return pl, fmt.Errorf("read playlist: %w", err)
	}
	rows, err := p.db.QueryContext(ctx, `SELECT `+trackCols+trackFrom+`
		JOIN playlist_tracks pt ON pt.track_id = t.id WHERE pt.playlist_id = ? ORDER BY pt.pos`, pl.ID)
	if err != nil {
		return pl, fmt.Errorf("read playlist tracks: %w", err)
	}
	defer rows.Close()
	pl.Tracks = []catalog.Track{}
	for rows.Next() {
		t, err := scanTrack(rows)
		if err != nil {
			return pl, fmt.Errorf("read playlist tracks: %w", err)
		}
		pl.Tracks = append(pl.Tracks, t)
		pl.DurationMS += t.DurationMS
	}
	pl.TrackCount = len(pl.Tracks)
	return pl, rows.Err()
}

// Rename changes a playlist's name.
func (p *Playlists) Rename(ctx context.Context, owner, id, name string) (catalog.Playlist, error) {
	name, err := checkName(name)
	if err != nil {
		return catalog.Playlist{}, err
	}
	return p.update(ctx, owner, id, func(tx *sql.Tx, _ playlistRows) ([]string, error) {
		_, err := tx.ExecContext(ctx, `UPDATE playlists SET name = ? WHERE id = ?`, name, id)
		return nil, err
	})
}

// Delete removes a playlist and revokes its share link.
func (p *Playlists) Delete(ctx context.Context, owner, id string) error {
	res, err := p.db.ExecContext(ctx, `DELETE FROM playlists WHERE id = ? AND owner = ?`, id, owner)
	if err != nil {
		return fmt.Errorf("delete playlist: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("playlist: %w", ErrNotFound)
	}
	return nil
}

// Add inserts tracks at index pos (0-based; -1: append; past the end:
// ErrBadPlaylist, as catalog.CheckInsert says).
// Unknown track IDs are refused with ErrUnknownTrack naming them.
func (p *Playlists) Add(ctx context.Context, owner, id string, trackIDs []string, pos int) (catalog.Playlist, error) {
	return p.AddBefore(ctx, owner, id, trackIDs, pos, "")
}

// AddBefore is Add that, when before is not "", first checks that index
// pos holds the track before (the one the caller saw there, which the new
// tracks go before): another track, or none, is ErrPlaylistChanged and
// changes nothing.
func (p *Playlists) AddBefore(ctx context.Context, owner, id string, trackIDs []string, pos int, before string) (catalog.Playlist, error) {
	if len(trackIDs) == 0 {
		return catalog.Playlist{}, fmt.Errorf("%w: no track IDs given", ErrBadPlaylist)
	}
	if err := p.known(ctx, trackIDs); err != nil {
		return catalog.Playlist{}, err
	}
	return p.update(ctx, owner, id, func(tx *sql.Tx, cur playlistRows) ([]string, error) {
		if err := cur.expect(ctx, tx, pos, before); err != nil {
			return nil, err
		}
		if len(cur.ids)+len(trackIDs) > maxPlaylistTracks {
			return nil, fmt.Errorf("%w: a playlist holds at most %d tracks", ErrBadPlaylist, maxPlaylistTracks)
		}
		if err := catalog.CheckInsert(pos, len(cur.shown)); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadPlaylist, err)
		}
		if pos < 0 {
			pos = len(cur.shown)
		}
		return cur.insert(pos, trackIDs...), nil
	})
}

// known refuses the first of trackIDs that is not in the catalog with
// ErrUnknownTrack naming it.
func (p *Playlists) known(ctx context.Context, trackIDs []string) error {
	for _, tid := range trackIDs {
		if _, err := p.reader.Track(ctx, tid); errors.Is(err, ErrNotFound) {
			return fmt.Errorf("%w %q", ErrUnknownTrack, tid)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// PlaylistEdit is several changes of one playlist made together (the
// Subsonic API's updatePlaylist, and createPlaylist given a playlist).
type PlaylistEdit struct {
	Name    string   // the new name; "" keeps the name
	Replace bool     // remove every track (Remove is then not looked at)
	Remove  []int    // indexes (0-based, as shown before the edit) of tracks to remove
	Add     []string // track IDs to append
}

// Edit makes e in one transaction: when a name, an index or a track ID is
// refused, nothing changes. Made one call at a time, a refused call left
// the changes before it (a retried call then removed other tracks).
func (p *Playlists) Edit(ctx context.Context, owner, id string, e PlaylistEdit) (catalog.Playlist, error) {
	name := ""
	if e.Name != "" {
		var err error
		if name, err = checkName(e.Name); err != nil {
			return catalog.Playlist{}, err
		}
	}
	if err := p.known(ctx, e.Add); err != nil {
		return catalog.Playlist{}, err
	}
	return p.update(ctx, owner, id, func(tx *sql.Tx, cur playlistRows) ([]string, error) {
		drop := map[int]bool{} // indexes into cur.ids
		for _, i := range e.Remove {
			if e.Replace {
				break
			}
			if err := catalog.CheckRemove(i, len(cur.shown)); err != nil {
				return nil, fmt.Errorf("%w: %w", ErrBadPlaylist, err)
			}
			drop[cur.shown[i]] = true
		}
		next := []string{}
		for i, t := range cur.ids {
			if !e.Replace && !drop[i] {
				next = append(next, t)
			}
		}
		if next = append(next, e.Add...); len(next) > maxPlaylistTracks {
			return nil, fmt.Errorf("%w: a playlist holds at most %d tracks", ErrBadPlaylist, maxPlaylistTracks)
		}
		if name != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE playlists SET name = ? WHERE id = ?`, name, id); err != nil {
				return nil, err
			}
		}
		return next, nil
	})
}

// Remove deletes the track at index pos (0-based; its message counts
// positions from 1, as people do). When expect is not "", pos must hold
// that track (the one the caller saw there): another track, or none, is
// ErrPlaylistChanged and removes nothing; "" removes whatever is there.
func (p *Playlists) Remove(ctx context.Context, owner, id string, pos int, expect string) (catalog.Playlist, error) {
	return p.update(ctx, owner, id, func(tx *sql.Tx, cur playlistRows) ([]string, error) {
		if err := cur.expect(ctx, tx, pos, expect); err != nil {
			return nil, err
		}
		if err := catalog.CheckRemove(pos, len(cur.shown)); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadPlaylist, err)
		}
		return cur.without(cur.shown[pos]).ids, nil
	})
}

// Move moves the track at index from to index to (both 0-based; its
// message counts positions from 1). When expect is not "", from must hold
// that track, as Remove says.
func (p *Playlists) Move(ctx context.Context, owner, id string, from, to int, expect string) (catalog.Playlist, error) {
	return p.update(ctx, owner, id, func(tx *sql.Tx, cur playlistRows) ([]string, error) {
		if err := cur.expect(ctx, tx, from, expect); err != nil {
			return nil, err
		}
		if err := catalog.CheckMove(from, to, len(cur.shown)); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadPlaylist, err)
		}
		i := cur.shown[from]
		return cur.without(i).insert(to, cur.ids[i]), nil
	})
}

// Share returns the playlist's share token, creating one when it has none.
func (p *Playlists) Share(ctx context.Context, owner, id string) (string, error) {
	var token string
	_, err := p.update(ctx, owner, id, func(tx *sql.Tx, _ playlistRows) ([]string, error) {
		var cur sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT share_token FROM playlists WHERE id = ?`, id).Scan(&cur); err != nil {
			return nil, err
		}
		token = cur.String
		if !cur.Valid {
			token = share.NewToken()
			_, err := tx.ExecContext(ctx, `UPDATE playlists SET share_token = ? WHERE id = ?`, token, id)
			return nil, err
		}
		return nil, nil
	})
	return token, err
}

// Unshare revokes the playlist's share link at once.
func (p *Playlists) Unshare(ctx context.Context, owner, id string) error {
	_, err := p.update(ctx, owner, id, func(tx *sql.Tx, _ playlistRows) ([]string, error) {
		_, err := tx.ExecContext(ctx, `UPDATE playlists SET share_token = NULL WHERE id = ?`, id)
		return nil, err
	})
	return err
}

// update runs fn in one transaction over the owner's playlist with its
// current rows; when fn returns a non-nil list of track IDs, it becomes
// the playlist's rows.
func (p *Playlists) update(ctx context.Context, owner, id string, fn func(tx *sql.Tx, cur playlistRows) ([]string, error)) (catalog.Playlist, error) {
	err := catalogTx(ctx, p.db, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM playlists WHERE id = ? AND owner = ?`, id, owner).Scan(&one); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("playlist: %w", ErrNotFound)
			}
			return err
		}
		cur, err := readPlaylistRows(ctx, tx, id)
		if err != nil {
			return err
		}
		next, err := fn(tx, cur)
		if err != nil {
			return err
		}
		if next != nil {
			if _, err := tx.ExecContext(ctx, `DELETE FROM playlist_tracks WHERE playlist_id = ?`, id); err != nil {
				return err
			}
			for i, tid := range next {
				if _, err := tx.ExecContext(ctx, `INSERT INTO playlist_tracks(playlist_id, pos, track_id) VALUES (?,?,?)`, id, i, tid); err != nil {
					return err
				}
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE playlists SET updated_at = ? WHERE id = ?`, nowMS(), id)
		return err
	})
	if err != nil {
		return catalog.Playlist{}, err
	}
	return p.Get(ctx, owner, id)
}

// ShareAllows reports whether a share token grants reading a resource:
// kind "track" (its row and manifest), "chunk" (a segment hash) or "cover"
// (an album ID), each only when it belongs to a track of that playlist.
func (p *Playlists) ShareAllows(ctx context.Context, token, kind, id string) (bool, error) {
	var q string
	switch kind {
	case "track":
		q = `SELECT 1 FROM playlists p JOIN playlist_tracks pt ON pt.playlist_id = p.id
			WHERE p.share_token = ? AND pt.track_id = ? LIMIT 1`
	case "chunk":
		q = `SELECT 1 FROM playlists p JOIN playlist_tracks pt ON pt.playlist_id = p.id
			JOIN segments s ON s.track_id = pt.track_id WHERE p.share_token = ? AND s.hash = ? LIMIT 1`
	case "cover":
		q = `SELECT 1 FROM playlists p JOIN playlist_tracks pt ON pt.playlist_id = p.id
			JOIN tracks t ON t.id = pt.track_id WHERE p.share_token = ? AND t.album_id = ? LIMIT 1`
	default:
		return false, nil
	}
	var one int
	err := p.db.QueryRowContext(ctx, q, token, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
