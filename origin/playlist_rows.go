package origin

import (
	"context"
	"database/sql"
	"errors"

	"segue/catalog"
)

// playlistRows are a playlist's rows in order. A row whose track is no
// longer in the catalog (its folder removed) stays, for an ingest that
// brings the track back, but is hidden: Get leaves it out, and the
// positions callers give (0-based) count only the tracks shown, as the
// listener saw them.
type playlistRows struct {
	ids   []string // every row's track ID, hidden ones too
	shown []int    // indexes into ids of the rows shown, in order
}

func readPlaylistRows(ctx context.Context, tx *sql.Tx, id string) (playlistRows, error) {
	var r playlistRows
	rows, err := tx.QueryContext(ctx, `SELECT pt.track_id, t.id FROM playlist_tracks pt LEFT JOIN tracks t ON t.id = pt.track_id
		WHERE pt.playlist_id = ? ORDER BY pt.pos`, id)
	if err != nil {
		return r, err
	}
	defer rows.Close()
	r.ids = []string{}
	for rows.Next() {
		var tid string
		var known sql.NullString
		if err := rows.Scan(&tid, &known); err != nil {
			return r, err
		}
		if known.Valid {
			r.shown = append(r.shown, len(r.ids))
		}
		r.ids = append(r.ids, tid)
	}
	return r, rows.Err()
}

// without returns r less the row at index i of r.ids.
func (r playlistRows) without(i int) playlistRows {
	out := playlistRows{ids: append(append([]string{}, r.ids[:i]...), r.ids[i+1:]...)}
	for _, j := range r.shown {
		switch {
		case j < i:
			out.shown = append(out.shown, j)
		case j > i:
			out.shown = append(out.shown, j-1)
		}
	}
	return out
}

// insert returns r's track IDs with trackIDs before shown position pos
// (len(r.shown): at the end, after any hidden rows).
func (r playlistRows) insert(pos int, trackIDs ...string) []string {
	i := len(r.ids)
	if pos < len(r.shown) {
		i = r.shown[pos]
	}
	return append(append(append([]string{}, r.ids[:i]...), trackIDs...), r.ids[i:]...)
}

// expect checks that shown index pos holds the track want, the one a
// caller saw there before it edited by position; "" checks nothing (a
// client that names no track edits by position alone). A mismatch is
// catalog.Changed's ErrPlaylistChanged saying what pos holds now, so two
// devices editing one playlist never remove or move the wrong track.
func (r playlistRows) expect(ctx context.Context, tx *sql.Tx, pos int, want string) error {
	if want == "" {
		return nil
	}
	if pos < 0 || pos >= len(r.shown) {
		return catalog.Changed(pos, len(r.shown), "", "", want)
	}
	tid := r.ids[r.shown[pos]]
	if tid == want {
		return nil
	}
	var title string
	if err := tx.QueryRowContext(ctx, `SELECT title FROM tracks WHERE id = ?`, tid).Scan(&title); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	return catalog.Changed(pos, len(r.shown), tid, title, want)
}
