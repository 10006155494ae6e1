package origin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ErrRevokedToken is AdoptLocal's answer for a token that is revoked.
var ErrRevokedToken = errors.New("token is revoked")

// Owned counts what one owner has: playlists and plays (events).
type Owned struct {
	Playlists int64 `json:"playlists"`
	Plays     int64 `json:"plays"`
}

// LocalOwned counts what LocalOwner, the listener of an origin running
// open on loopback, owns. Once the origin requires tokens (origin serve
// --require-token, or an address off loopback) no request speaks for
// LocalOwner, so nobody sees these until AdoptLocal hands them over.
func LocalOwned(ctx context.Context, db *sql.DB) (Owned, error) {
	var o Owned
	err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM playlists WHERE owner = ?1), (SELECT count(*) FROM events WHERE listener = ?1)`,
		LocalOwner).Scan(&o.Playlists, &o.Plays)
	if err != nil {
		return Owned{}, fmt.Errorf("count what %s owns: %w", LocalOwner, err)
	}
	return o, nil
}

// AdoptLocal hands everything LocalOwner owns (see LocalOwned) to the
// live token with id, in one transaction: its playlists, share links
// kept, and its plays, which radio and Subsonic's frequent and recent
// lists read. It returns what moved; a second call moves nothing.
// ErrNotFound when no token has id, ErrRevokedToken when it is revoked.
func AdoptLocal(ctx context.Context, db *sql.DB, id string) (Owned, error) {
	var moved Owned
	err := catalogTx(ctx, db, func(tx *sql.Tx) error {
		var revoked sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT revoked_at FROM tokens WHERE id = ?`, id).Scan(&revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if revoked.Valid {
			return ErrRevokedToken
		}
		res, err := tx.ExecContext(ctx, `UPDATE playlists SET owner = ? WHERE owner = ?`, id, LocalOwner)
		if err != nil {
			return err
		}
		moved.Playlists, _ = res.RowsAffected()
		res, err = tx.ExecContext(ctx, `UPDATE events SET listener = ? WHERE listener = ?`, id, LocalOwner)
		if err != nil {
			return err
		}
		moved.Plays, _ = res.RowsAffected()
		return nil
	})
	if err != nil {
		return Owned{}, fmt.Errorf("hand what %s owns to token %s: %w", LocalOwner, id, err)
	}
	return moved, nil
}

// warnLocalOwned logs, on an origin that requires tokens, the playlists
// LocalOwner owns that no token can see, and the command that hands them
// over.
func (s *Server) warnLocalOwned(ctx context.Context) {
	owned, err := LocalOwned(ctx, s.db)
	if err != nil {
		s.log.Warn("cannot count the playlists made while the origin ran open", "err", err)
		return
	}
	if owned.Playlists == 0 {
		return
	}
	s.log.Warn("playlists made while the origin ran open (owner local) are seen by no token now that it requires tokens: "+
		"hand them and their plays to one with segue origin token adopt-local TOKEN_ID, or token create NAME --adopt-local",
		"playlists", owned.Playlists, "plays", owned.Plays)
}
